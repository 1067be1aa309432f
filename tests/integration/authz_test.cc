// Authorization over the real API: 401 without credentials, 404 for what
// the caller may not read (another org, a database it has no access on),
// 403 naming the missing access on what it may read; no escalation.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

struct Token {
  std::string id, secret;
  std::string header() const { return TokenHeader(id, secret); }
};

class AuthzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server("acme");
    admin_ = BearerHeader(server_->admin().api_token);
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/databases", admin_, R"({"name":"mydb","cluster_size":"PS-10"})").status, 201);
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/databases/mydb/branches", admin_, R"({"name":"dev"})").status, 201);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpReply Api(const std::string& method, const std::string& path, const std::string& auth,
                       const std::string& body = "") {
    return CallApi(server_->url(), method, path, auth, body);
  }
  static Token NewToken(const std::string& auth, const std::string& org = "acme") {
    HttpReply r = Api("POST", "/v1/organizations/" + org + "/service-tokens", auth, R"({"name":"t"})");
    EXPECT_EQ(r.status, 200) << Masked(r.body);
    json::object o = r.Json().as_object();
    return {o["id"].as_string().c_str(), o["token"].as_string().c_str()};
  }
  static HttpReply Grant(const std::string& auth, const Token& t, const std::string& db,
                         const std::string& accesses_json, const std::string& org = "acme") {
    return Api("POST", "/v1/organizations/" + org + "/service-tokens/" + t.id + "/access", auth,
               R"({"database":")" + db + R"(","access":)" + accesses_json + "}");
  }

  static Server* server_;
  static std::string admin_;
};

Server* AuthzTest::server_ = nullptr;
std::string AuthzTest::admin_;

struct Endpoint {
  std::string method, path, body;
  int same_org_no_grants;  // expected status for a token of the org with no grants
};

std::vector<Endpoint> Endpoints(const std::string& token_id) {
  const std::string o = "/v1/organizations/acme";
  const std::string st = o + "/service-tokens/" + token_id;
  return {
      {"GET", o, "", 403},
      {"GET", o + "/audit-log", "", 403},
      {"GET", o + "/databases", "", 200},
      {"POST", o + "/databases", R"({"name":"x","cluster_size":"PS-10"})", 403},
      {"GET", o + "/databases/mydb", "", 404},
      {"PATCH", o + "/databases/mydb", R"({"require_approval_for_deploy":true})", 404},
      {"DELETE", o + "/databases/mydb", "", 404},
      {"GET", o + "/databases/mydb/branches", "", 404},
      {"POST", o + "/databases/mydb/branches", R"({"name":"y"})", 404},
      {"GET", o + "/databases/mydb/branches/dev", "", 404},
      {"DELETE", o + "/databases/mydb/branches/dev", "", 404},
      {"GET", o + "/service-tokens", "", 403},
      {"POST", o + "/service-tokens", "{}", 403},
      {"GET", st, "", 403},
      {"DELETE", st, "", 403},
      {"GET", st + "/access", "", 403},
      {"POST", st + "/access", R"({"database":"","access":["read_organization"]})", 403},
      {"DELETE", st + "/access", R"({"database":"","access":["read_organization"]})", 403},
      {"GET", st + "/grants", "", 403},
  };
}

TEST_F(AuthzTest, EveryEndpointNeedsCredentials) {
  Token victim = NewToken(admin_);
  for (const auto& e : Endpoints(victim.id)) {
    HttpReply r = Api(e.method, e.path, "", e.body);
    EXPECT_EQ(r.status, 401) << e.method << " " << e.path;
    EXPECT_EQ(r.Json().as_object()["code"].as_string(), "unauthorized") << e.path;
  }
  EXPECT_EQ(Api("GET", "/v1/organizations", "").status, 401);
}

TEST_F(AuthzTest, TokenWithoutGrants) {
  Token victim = NewToken(admin_);
  Token bare = NewToken(admin_);
  for (const auto& e : Endpoints(victim.id)) {
    HttpReply r = Api(e.method, e.path, bare.header(), e.body);
    EXPECT_EQ(r.status, e.same_org_no_grants) << e.method << " " << e.path << " " << r.body;
    if (r.status == 403) {
      EXPECT_EQ(r.Json().as_object()["code"].as_string(), "forbidden");
      EXPECT_NE(r.body.find("missing access '"), std::string::npos) << r.body;
    }
    if (r.status == 404) {
      EXPECT_EQ(r.Json().as_object()["code"].as_string(), "not_found");
    }
  }
  // It sees its own organization in the list, and no databases.
  HttpReply orgs = Api("GET", "/v1/organizations", bare.header());
  ASSERT_EQ(orgs.status, 200);
  EXPECT_EQ(orgs.Json().as_object()["data"].as_array().size(), 1u);
  HttpReply dbs = Api("GET", "/v1/organizations/acme/databases", bare.header());
  EXPECT_EQ(dbs.Json().as_object()["data"].as_array().size(), 0u);
}

TEST_F(AuthzTest, AnotherOrganizationsTokenSeesNothing) {
  RunResult other = RunProcess({OpscaledBin(), "org", "create", "--data-dir", server_->data_dir() + "/data",
                         "--org", "globex", "--admin-email", "boss@globex.test", "--format", "json"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  std::string globex_admin =
      BearerHeader(json::parse(other.out).as_object()["api_token"].as_string().c_str());
  // The new org's admin works at once on the running server.
  HttpReply orgs = Api("GET", "/v1/organizations", globex_admin);
  ASSERT_EQ(orgs.status, 200) << orgs.body;
  ASSERT_EQ(orgs.Json().as_object()["data"].as_array().size(), 1u);
  EXPECT_EQ(orgs.Json().as_object()["data"].as_array()[0].as_object()["name"].as_string(), "globex");

  Token outsider = NewToken(globex_admin, "globex");
  ASSERT_EQ(Grant(globex_admin, outsider, "",
                  R"(["read_organization","read_databases","create_databases","read_service_tokens","write_service_tokens","delete_service_tokens","read_audit_logs"])",
                  "globex").status, 200);
  Token victim = NewToken(admin_);
  for (const auto& e : Endpoints(victim.id)) {
    HttpReply r = Api(e.method, e.path, outsider.header(), e.body);
    EXPECT_EQ(r.status, 404) << e.method << " " << e.path << " " << r.body;
    HttpReply r2 = Api(e.method, e.path, globex_admin, e.body);
    EXPECT_EQ(r2.status, 404) << "globex admin: " << e.method << " " << e.path;
  }
  // acme's admin cannot see globex either.
  EXPECT_EQ(Api("GET", "/v1/organizations/globex", admin_).status, 404);
}

TEST_F(AuthzTest, DatabaseGrantGivesExactlyThoseAccesses) {
  Token t = NewToken(admin_);
  ASSERT_EQ(Grant(admin_, t, "mydb", R"(["read_branch"])").status, 200);
  const std::string db = "/v1/organizations/acme/databases/mydb";
  EXPECT_EQ(Api("GET", db, t.header()).status, 200);
  EXPECT_EQ(Api("GET", db + "/branches", t.header()).status, 200);
  EXPECT_EQ(Api("GET", db + "/branches/dev", t.header()).status, 200);
  HttpReply create = Api("POST", db + "/branches", t.header(), R"({"name":"nope"})");
  EXPECT_EQ(create.status, 403);
  EXPECT_NE(create.body.find("create_branch"), std::string::npos);
  HttpReply del = Api("DELETE", db + "/branches/dev", t.header());
  EXPECT_EQ(del.status, 403);
  EXPECT_NE(del.body.find("delete_branch"), std::string::npos);
  EXPECT_EQ(Api("PATCH", db, t.header(), R"({"require_approval_for_deploy":true})").status, 403);
  HttpReply deldb = Api("DELETE", db, t.header());
  EXPECT_EQ(deldb.status, 403);
  EXPECT_NE(deldb.body.find("delete_database"), std::string::npos);
  EXPECT_EQ(Api("GET", db + "/branches/does-not-exist", t.header()).status, 404);
  // Production branch deletion needs its own access.
  ASSERT_EQ(Grant(admin_, t, "mydb", R"(["delete_branch"])").status, 200);
  HttpReply delmain = Api("DELETE", db + "/branches/main", t.header());
  EXPECT_EQ(delmain.status, 403);
  EXPECT_NE(delmain.body.find("delete_production_branch"), std::string::npos);
}

TEST_F(AuthzTest, RemovedAccessFailsOnTheNextRequest) {
  Token t = NewToken(admin_);
  ASSERT_EQ(Grant(admin_, t, "", R"(["read_organization"])").status, 200);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme", t.header()).status, 200);
  ASSERT_EQ(Api("DELETE", "/v1/organizations/acme/service-tokens/" + t.id + "/access", admin_,
                R"({"database":"","access":["read_organization"]})").status, 204);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme", t.header()).status, 403);
  ASSERT_EQ(Api("DELETE", "/v1/organizations/acme/service-tokens/" + t.id, admin_).status, 204);
  EXPECT_EQ(Api("GET", "/v1/organizations", t.header()).status, 401);
  EXPECT_EQ(Api("DELETE", "/v1/organizations/acme/service-tokens/" + t.id, admin_).status, 404);
}

TEST_F(AuthzTest, NoEscalation) {
  Token granter = NewToken(admin_);
  ASSERT_EQ(Grant(admin_, granter, "", R"(["write_service_tokens","read_service_tokens"])").status, 200);
  ASSERT_EQ(Grant(admin_, granter, "mydb", R"(["read_branch"])").status, 200);
  Token child = NewToken(granter.header());
  EXPECT_EQ(Grant(granter.header(), child, "mydb", R"(["read_branch"])").status, 200);
  HttpReply up = Grant(granter.header(), child, "mydb", R"(["create_branch"])");
  EXPECT_EQ(up.status, 403);
  EXPECT_NE(up.body.find("create_branch"), std::string::npos);
  EXPECT_EQ(Grant(granter.header(), child, "", R"(["create_databases"])").status, 403);
  EXPECT_EQ(Grant(granter.header(), child, "", R"(["write_service_tokens"])").status, 200);
  // Nothing was half-granted by the refused request.
  HttpReply grants = Api("GET", "/v1/organizations/acme/service-tokens/" + child.id + "/grants", admin_);
  ASSERT_EQ(grants.status, 200);
  std::string b = grants.body;
  EXPECT_EQ(b.find("create_branch"), std::string::npos);
  EXPECT_EQ(b.find("create_databases"), std::string::npos);
}

TEST_F(AuthzTest, UnknownAndWrongLevelAccessesAre422ListingValidNames) {
  Token t = NewToken(admin_);
  HttpReply unknown = Grant(admin_, t, "mydb", R"(["read_branch","manage_everything"])");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find("manage_everything"), std::string::npos);
  EXPECT_NE(unknown.body.find("connect_branch"), std::string::npos);  // lists valid names
  HttpReply wrong_level = Grant(admin_, t, "", R"(["read_branch"])");
  EXPECT_EQ(wrong_level.status, 422);
  EXPECT_NE(wrong_level.body.find("read_organization"), std::string::npos);
  HttpReply wrong_level2 = Grant(admin_, t, "mydb", R"(["create_databases"])");
  EXPECT_EQ(wrong_level2.status, 422);
  // Nothing granted.
  HttpReply got = Api("GET", "/v1/organizations/acme/service-tokens/" + t.id, admin_);
  EXPECT_EQ(got.Json().as_object()["service_token_accesses"].as_array().size(), 0u);
}

TEST_F(AuthzTest, TokenThatCreatesADatabaseGetsItsAccesses) {
  Token t = NewToken(admin_);
  ASSERT_EQ(Grant(admin_, t, "", R"(["create_databases"])").status, 200);
  HttpReply c = Api("POST", "/v1/organizations/acme/databases", t.header(),
                    R"({"name":"tokendb","cluster_size":"PS-10"})");
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string db = "/v1/organizations/acme/databases/tokendb";
  EXPECT_EQ(Api("POST", db + "/branches", t.header(), R"({"name":"feat"})").status, 201);
  EXPECT_EQ(Api("DELETE", db + "/branches/feat", t.header()).status, 204);
  EXPECT_EQ(Api("DELETE", db, t.header()).status, 204);
  EXPECT_EQ(Api("GET", db, admin_).status, 404);
}

TEST_F(AuthzTest, MemberRole) {
  RunResult u = RunProcess({OpscaledBin(), "user", "create", "--data-dir", server_->data_dir() + "/data",
                     "--org", "acme", "--email", "dev@example.com", "--role", "member", "--format", "json"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  json::object o = json::parse(u.out).as_object();
  EXPECT_EQ(o["role"].as_string(), "member");
  std::string member = BearerHeader(o["api_token"].as_string().c_str());
  const std::string db = "/v1/organizations/acme/databases/mydb";
  EXPECT_EQ(Api("GET", "/v1/organizations/acme", member).status, 200);
  EXPECT_EQ(Api("POST", db + "/branches", member, R"({"name":"member-branch"})").status, 201);
  EXPECT_EQ(Api("POST", "/v1/organizations/acme/databases", member, R"({"name":"m","cluster_size":"PS-10"})").status, 403);
  EXPECT_EQ(Api("POST", "/v1/organizations/acme/service-tokens", member, "{}").status, 403);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/audit-log", member).status, 403);
  EXPECT_EQ(Api("DELETE", db, member).status, 403);
}

TEST_F(AuthzTest, AuditLogRecordsChanges) {
  Token t = NewToken(admin_);
  ASSERT_EQ(Grant(admin_, t, "mydb", R"(["read_branch"])").status, 200);
  ASSERT_EQ(Api("DELETE", "/v1/organizations/acme/service-tokens/" + t.id, admin_).status, 204);
  HttpReply log = Api("GET", "/v1/organizations/acme/audit-log?limit=100", admin_);
  ASSERT_EQ(log.status, 200);
  std::vector<std::string> actions;
  json::value log_json = log.Json();
  for (const auto& e : log_json.as_object()["data"].as_array()) {
    const auto& o = e.as_object();
    if (o.at("auditable_id").is_string() && o.at("auditable_id").as_string() == t.id)
      actions.emplace_back(o.at("audit_action").as_string());
  }
  // Newest first.
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0], "service_token.deleted");
  EXPECT_EQ(actions[1], "service_token.granted_access");
  EXPECT_EQ(actions[2], "service_token.created");
  EXPECT_EQ(log.body.find("pscale_tkn_"), std::string::npos);
  // Cursor paging.
  HttpReply p1 = Api("GET", "/v1/organizations/acme/audit-log?limit=2", admin_);
  json::object o1 = p1.Json().as_object();
  EXPECT_TRUE(o1["has_next"].as_bool());
  std::string cursor = o1["cursor_end"].as_string().c_str();
  HttpReply p2 = Api("GET", "/v1/organizations/acme/audit-log?limit=2&starting_after=" + cursor, admin_);
  ASSERT_EQ(p2.status, 200);
  EXPECT_NE(p2.Json().as_object()["data"].as_array()[0].as_object()["id"].as_string(), cursor);
}

}  // namespace
}  // namespace opscale::testutil
