// Deploy requests on the real engine: the diff of a branch that adds a table,
// a column and an index; deploying changes production's schema; the approval
// matrix (SPEC §4) with require_approval_for_deploy on; deploys without review
// when it is off; the conflict report when the target changed.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

class DeployRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new Server("acme"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static HttpReply Api(const std::string& method, const std::string& path, const std::string& auth,
                       const std::string& body = "") {
    std::vector<std::string> headers;
    if (!auth.empty()) headers.push_back(auth);
    return Curl(method, server_->url() + path, headers, body);
  }
  static std::string Admin() { return BearerHeader(server_->admin().api_token); }
  static std::string Db(const std::string& db) { return "/v1/organizations/acme/databases/" + db; }

  // Creates database `db` with production main holding table items, and a
  // branch dev that adds a table, a column and an index. Returns schemas.
  static std::pair<std::string, std::string> Setup(const std::string& db) {
    EXPECT_EQ(Api("POST", "/v1/organizations/acme/databases", Admin(), R"({"name":")" + db + "\"}").status, 201);
    std::string main_id = Api("GET", Db(db) + "/branches/main", Admin()).Json().as_object()["id"].as_string().c_str();
    std::string main = "br_" + main_id;
    RunResult r = server_->Sql("CREATE TABLE " + main + ".items (id INT NOT NULL PRIMARY KEY, v INT)");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    HttpReply b = Api("POST", Db(db) + "/branches", Admin(), R"({"name":"dev","parent_branch":"main"})");
    EXPECT_EQ(b.status, 201) << b.body;
    std::string dev = "br_" + std::string(b.Json().as_object()["id"].as_string().c_str());
    r = server_->Sql("CREATE TABLE " + dev + ".orders (id BIGINT NOT NULL PRIMARY KEY, total INT NOT NULL);"
                     "ALTER TABLE " + dev + ".items ADD COLUMN name VARCHAR(32) NULL;"
                     "CREATE INDEX v_idx ON " + dev + ".items (v)");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {main, dev};
  }

  static Server* server_;
};

Server* DeployRequestTest::server_ = nullptr;

struct Tok {
  std::string id, token;
  std::string Header() const { return TokenHeader(id, token); }
};

TEST_F(DeployRequestTest, DiffAndDeployWithoutApproval) {
  auto [main, dev] = Setup("shop");
  HttpReply cr = Api("POST", Db("shop") + "/deploy-requests", Admin(), R"({"branch":"dev","notes":"hi"})");
  ASSERT_EQ(cr.status, 201) << cr.body;
  json::object dr = cr.Json().as_object();
  EXPECT_EQ(dr["number"].as_int64(), 1);
  EXPECT_EQ(dr["into_branch"].as_string(), "main");
  EXPECT_EQ(dr["state"].as_string(), "open");
  EXPECT_EQ(dr["deployment_state"].as_string(), "ready");
  EXPECT_EQ(dr["actor"].as_object()["type"].as_string(), "User");
  EXPECT_TRUE(dr["deployment"].is_null());

  HttpReply diff = Api("GET", Db("shop") + "/deploy-requests/1/diff", Admin());
  ASSERT_EQ(diff.status, 200) << diff.body;
  std::string all;
  json::value diff_json = diff.Json();
  for (auto& e : diff_json.as_object()["data"].as_array()) {
    all += std::string(e.as_object()["name"].as_string().c_str()) + ":" + e.as_object()["raw"].as_string().c_str() + "\n";
  }
  EXPECT_NE(all.find("orders:CREATE TABLE `orders`"), std::string::npos) << all;
  EXPECT_NE(all.find("ALTER TABLE `items` ADD COLUMN `name` varchar(32) DEFAULT NULL"), std::string::npos) << all;
  EXPECT_NE(all.find("ALTER TABLE `items` ADD KEY `v_idx` (`v`)"), std::string::npos) << all;
  EXPECT_EQ(all.find(main), std::string::npos) << all;

  HttpReply dep = Api("POST", Db("shop") + "/deploy-requests/1/deploy", Admin(), "{}");
  ASSERT_EQ(dep.status, 200) << dep.body;
  json::object d = dep.Json().as_object();
  EXPECT_EQ(d["deployment_state"].as_string(), "complete");
  EXPECT_FALSE(d["deployed_at"].is_null());
  EXPECT_FALSE(d["deployment"].as_object()["started_at"].is_null());
  RunResult r = server_->Sql("SHOW CREATE TABLE " + main + ".orders");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = server_->Sql("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA='" + main +
                   "' AND TABLE_NAME='items' ORDER BY ORDINAL_POSITION");
  EXPECT_NE(r.out.find("name"), std::string::npos) << r.out;
  r = server_->Sql("SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA='" + main +
                   "' AND TABLE_NAME='items'");
  EXPECT_NE(r.out.find("v_idx"), std::string::npos) << r.out;
  EXPECT_EQ(Api("GET", Db("shop") + "/deploy-requests/1/deployment", Admin()).status, 200);

  // Nothing left to deploy: a new request has no changes.
  HttpReply again = Api("POST", Db("shop") + "/deploy-requests", Admin(), R"({"branch":"dev"})");
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(again.Json().as_object()["deployment_state"].as_string(), "no_changes");
  EXPECT_EQ(again.Json().as_object()["number"].as_int64(), 2);

  // Conflict: the target changes after creation.
  ASSERT_EQ(server_->Sql("ALTER TABLE " + dev + ".orders ADD COLUMN note TEXT").exit_code, 0);
  HttpReply c3 = Api("POST", Db("shop") + "/deploy-requests", Admin(), R"({"branch":"dev"})");
  ASSERT_EQ(c3.status, 201);
  ASSERT_EQ(server_->Sql("ALTER TABLE " + main + ".orders ADD COLUMN extra INT").exit_code, 0);
  HttpReply conflict = Api("POST", Db("shop") + "/deploy-requests/3/deploy", Admin(), "{}");
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_NE(conflict.body.find("the target branch changed since the deploy request was created"), std::string::npos);

  // Close.
  HttpReply closed = Api("PATCH", Db("shop") + "/deploy-requests/3", Admin(), R"({"state":"closed"})");
  ASSERT_EQ(closed.status, 200);
  EXPECT_EQ(closed.Json().as_object()["state"].as_string(), "closed");
  EXPECT_EQ(Api("GET", Db("shop") + "/deploy-requests", Admin()).Json().as_object()["data"].as_array().size(), 3u);
}

TEST_F(DeployRequestTest, ApprovalMatrix) {
  Setup("gated");
  ASSERT_EQ(Api("PATCH", Db("gated"), Admin(), R"({"require_approval_for_deploy":true})").status, 200);
  const std::string A = Admin();
  const std::string dr_path = Db("gated") + "/deploy-requests";
  auto review = [&](const std::string& auth, int64_t n) {
    return Api("POST", dr_path + "/" + std::to_string(n) + "/reviews", auth, R"({"state":"approved","body":"ok"})");
  };
  auto create = [&](const std::string& auth) {
    HttpReply r = Api("POST", dr_path, auth, R"({"branch":"dev","into_branch":"main"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.Json().as_object()["number"].as_int64() : int64_t{0};
  };

  // While A is the only admin, A may approve A's own request.
  int64_t sole = create(A);
  HttpReply d0 = Api("POST", dr_path + "/" + std::to_string(sole) + "/deploy", A, "{}");
  EXPECT_EQ(d0.status, 403) << d0.body;
  EXPECT_NE(d0.body.find("requires an approving review from an administrator"), std::string::npos) << d0.body;
  EXPECT_EQ(review(A, sole).status, 201);
  EXPECT_EQ(Api("PATCH", dr_path + "/" + std::to_string(sole), A, R"({"state":"closed"})").status, 200);

  auto user = [&](const std::string& email, const std::string& role) {
    RunResult u = RunProcess({OpscaledBin(), "user", "create", "--data-dir", server_->data_dir() + "/data", "--org",
                              "acme", "--email", email, "--role", role, "--format", "json"});
    EXPECT_EQ(u.exit_code, 0) << u.err;
    return BearerHeader(json::parse(u.out).as_object()["api_token"].as_string().c_str());
  };
  const std::string B = user("b@example.com", "admin");
  const std::string M = user("m@example.com", "member");
  auto token = [&](const std::string& auth) {
    HttpReply r = Api("POST", "/v1/organizations/acme/service-tokens", auth, R"({"name":"t"})");
    EXPECT_EQ(r.status, 200) << r.body;
    json::object o = r.Json().as_object();
    Tok t{o["id"].as_string().c_str(), o["token"].as_string().c_str()};
    HttpReply g = Api("POST", "/v1/organizations/acme/service-tokens/" + t.id + "/access", auth,
                      R"({"database":"gated","access":["create_deploy_request","read_deploy_request",)"
                      R"("approve_deploy_request","read_branch","create_branch"]})");
    EXPECT_LT(g.status, 300) << g.body;
    return t;
  };
  const std::string T1 = token(A).Header();
  const std::string T2 = token(B).Header();

  const std::string own = "you cannot approve your own deploy request";
  const std::string tok_own = "a service token cannot approve a deploy request it created";
  const std::string tok_mine = "you cannot approve a deploy request created by a service token you created";
  const std::string member = "approve_deploy_request";
  struct Case {
    std::string approver_name, approver;
    std::string refusal;  // "" = allowed
  };
  struct Row {
    std::string creator_name, creator;
    std::vector<Case> cases;
  };
  std::vector<Row> rows = {
      {"A", A, {{"A", A, own}, {"B", B, ""}, {"T1", T1, ""}, {"T2", T2, ""}, {"M", M, member}}},
      {"T1", T1, {{"A", A, tok_mine}, {"B", B, ""}, {"T1", T1, tok_own}, {"T2", T2, ""}, {"M", M, member}}},
      {"T2", T2, {{"A", A, ""}, {"B", B, tok_mine}, {"T1", T1, ""}, {"T2", T2, tok_own}, {"M", M, member}}},
  };
  for (const Row& row : rows) {
    int64_t n = create(row.creator);
    ASSERT_GT(n, 0);
    // Only refusals first: the deploy stays blocked.
    for (const Case& c : row.cases) {
      if (c.refusal.empty()) continue;
      HttpReply r = review(c.approver, n);
      EXPECT_EQ(r.status, 403) << row.creator_name << " x " << c.approver_name << ": " << r.body;
      EXPECT_NE(r.body.find(c.refusal), std::string::npos) << row.creator_name << " x " << c.approver_name << ": " << r.body;
    }
    HttpReply blocked = Api("POST", dr_path + "/" + std::to_string(n) + "/deploy", row.creator, "{}");
    EXPECT_EQ(blocked.status, 403) << row.creator_name << ": " << blocked.body;
    for (const Case& c : row.cases) {
      if (!c.refusal.empty()) continue;
      HttpReply r = review(c.approver, n);
      EXPECT_EQ(r.status, 201) << row.creator_name << " x " << c.approver_name << ": " << r.body;
    }
    HttpReply got = Api("GET", dr_path + "/" + std::to_string(n), A);
    EXPECT_TRUE(got.Json().as_object()["approved"].as_bool());
    HttpReply reviews = Api("GET", dr_path + "/" + std::to_string(n) + "/reviews", A);
    EXPECT_EQ(reviews.status, 200);
    // A member may still comment.
    EXPECT_EQ(Api("POST", dr_path + "/" + std::to_string(n) + "/reviews", M, R"({"state":"commented","body":"lgtm"})").status, 201);
  }
  // The last approved request deploys (the earlier ones would too; one suffices).
  HttpReply dep = Api("POST", dr_path + "/" + std::to_string(sole + 3) + "/deploy", T2, "{}");
  EXPECT_EQ(dep.status, 200) << dep.body;
  EXPECT_EQ(dep.Json().as_object()["deployment_state"].as_string(), "complete") << dep.body;
}

}  // namespace
}  // namespace opscale::testutil
