// Every CLI and curl statement of the service-tokens guide, run verbatim
// (with --api-url pointing at a local opscaled) against the real server.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

class GuideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>("acme");
    home_ = std::make_unique<TempDir>();
  }

  // The CLI as an admin user (API token), like someone who ran `pscale auth login`.
  RunResult Admin(std::vector<std::string> args) {
    args.insert(args.begin(), OpscaleBin());
    return RunProcess(args, {{"HOME", home_->path()},
                      {"PLANETSCALE_API_URL", server_->url()},
                      {"PLANETSCALE_API_TOKEN", server_->admin().api_token}});
  }
  // pscale (the link) with only the guide's two env vars, and --api-url.
  RunResult WithTokenEnv(std::vector<std::string> args, const std::string& id,
                         const std::string& secret) {
    args.insert(args.begin(), PscaleBin());
    args.push_back("--api-url");
    args.push_back(server_->url());
    return RunProcess(args, {{"HOME", home_->path()},
                      {"PLANETSCALE_SERVICE_TOKEN", secret},
                      {"PLANETSCALE_SERVICE_TOKEN_ID", id}});
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<TempDir> home_;
};

TEST_F(GuideTest, ServiceTokenLifecycleFromTheGuide) {
  // "pscale service-token create" returns an ID and a value.
  RunResult created = Admin({"service-token", "create", "--org", "acme", "--name", "ci", "-f", "json"});
  ASSERT_EQ(created.exit_code, 0) << Masked(created.err);
  json::object tok = json::parse(created.out).as_object();
  std::string id = tok["id"].as_string().c_str();
  std::string secret = tok["token"].as_string().c_str();
  ASSERT_EQ(id.size(), 12u);
  ASSERT_EQ(secret.rfind("pscale_tkn_", 0), 0u);
  EXPECT_EQ(tok["name"].as_string(), "ci");

  // Human create output shows the table with the token.
  RunResult human = Admin({"service-token", "create", "--org", "acme"});
  ASSERT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("ID"), std::string::npos);
  EXPECT_NE(human.out.find("TOKEN"), std::string::npos);
  EXPECT_NE(human.out.find("pscale_tkn_"), std::string::npos);

  ASSERT_EQ(Admin({"database", "create", "mydb", "--org", "acme"}).exit_code, 0);

  // A new token has no permissions: branch create is refused.
  RunResult denied = WithTokenEnv({"branch", "create", "mydb", "early", "--org", "acme"}, id, secret);
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("does not exist"), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find("may not have the required 'create_branch' permission"), std::string::npos)
      << denied.err;

  // "pscale service-token add-access <ID> read_branch delete_branch create_branch --database <DB>"
  RunResult added = Admin({"service-token", "add-access", id, "read_branch", "delete_branch",
                           "create_branch", "--database", "mydb", "--org", "acme"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("mydb"), std::string::npos);
  EXPECT_NE(added.out.find("create_branch"), std::string::npos);
  // Organization-level permissions (no --database).
  RunResult org_added = Admin({"service-token", "add-access", id, "read_organization", "--org", "acme"});
  ASSERT_EQ(org_added.exit_code, 0) << org_added.err;

  RunResult shown = Admin({"service-token", "show-access", id, "--org", "acme", "-f", "json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json::array grants = json::parse(shown.out).as_array();
  ASSERT_EQ(grants.size(), 2u);

  // "pscale branch create <DB_NAME> <BRANCH_NAME> --org <ORG_NAME>" with the two env vars.
  RunResult b1 = WithTokenEnv({"branch", "create", "mydb", "feature-one", "--org", "acme"}, id, secret);
  ASSERT_EQ(b1.exit_code, 0) << b1.err;
  EXPECT_NE(b1.out.find("Branch feature-one was successfully created."), std::string::npos) << b1.out;

  // ...and with --service-token / --service-token-id instead of env vars.
  RunResult b2 = RunProcess({PscaleBin(), "branch", "create", "mydb", "feature-two", "--org", "acme",
                      "--service-token", secret, "--service-token-id", id, "--api-url", server_->url()},
                     {{"HOME", home_->path()}});
  ASSERT_EQ(b2.exit_code, 0) << b2.err;
  EXPECT_NE(b2.out.find("Branch feature-two was successfully created."), std::string::npos);

  RunResult list = WithTokenEnv({"branch", "list", "mydb", "--org", "acme", "-f", "json"}, id, secret);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).as_array().size(), 3u);  // main + two

  // "curl --request GET --url '.../v1/organizations' --header 'Authorization: <ID>:<TOKEN>'"
  HttpReply orgs = Curl("GET", server_->url() + "/v1/organizations", {TokenHeader(id, secret)});
  ASSERT_EQ(orgs.status, 200) << orgs.body;
  json::object page = orgs.Json().as_object();
  ASSERT_EQ(page["data"].as_array().size(), 1u);
  EXPECT_EQ(page["data"].as_array()[0].as_object()["name"].as_string(), "acme");

  // "pscale service-token delete-access <ID> <ACCESS_PERMISSION> --database <DB_NAME>"
  RunResult removed = Admin({"service-token", "delete-access", id, "create_branch", "--database",
                             "mydb", "--org", "acme"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(removed.out.find("create_branch has been removed."), std::string::npos) << removed.out;
  RunResult b3 = WithTokenEnv({"branch", "create", "mydb", "feature-three", "--org", "acme"}, id, secret);
  EXPECT_EQ(b3.exit_code, 2);
  EXPECT_NE(b3.err.find("create_branch"), std::string::npos) << b3.err;
  // delete_branch is still held.
  RunResult del = WithTokenEnv({"branch", "delete", "mydb", "feature-one", "--org", "acme", "--force"},
                               id, secret);
  EXPECT_EQ(del.exit_code, 0) << del.err;

  // "pscale service-token delete <SERVICE_TOKEN_ID>"
  RunResult deleted = Admin({"service-token", "delete", id, "--org", "acme"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_NE(deleted.out.find("Token was successfully deleted."), std::string::npos);

  // The same commands now fail: 401 for curl, the authentication message for the CLI.
  HttpReply after = Curl("GET", server_->url() + "/v1/organizations", {TokenHeader(id, secret)});
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Json().as_object()["code"].as_string(), "unauthorized");
  RunResult b4 = WithTokenEnv({"branch", "list", "mydb", "--org", "acme"}, id, secret);
  EXPECT_EQ(b4.exit_code, 1);
  EXPECT_NE(b4.err.find("Authentication failed"), std::string::npos) << b4.err;
}

TEST_F(GuideTest, ServiceTokenListAndShow) {
  RunResult empty = Admin({"service-token", "list", "--org", "acme"});
  ASSERT_EQ(empty.exit_code, 0);
  EXPECT_NE(empty.out.find("No service tokens have been created yet."), std::string::npos);
  RunResult c = Admin({"service-token", "create", "--org", "acme", "--name", "deploy", "--ttl", "3600",
                       "-f", "json"});
  ASSERT_EQ(c.exit_code, 0);
  json::object tok = json::parse(c.out).as_object();
  std::string id = tok["id"].as_string().c_str();
  EXPECT_TRUE(tok["expires_at"].is_string());
  RunResult list = Admin({"service-token", "list", "--org", "acme", "-f", "json"});
  ASSERT_EQ(list.exit_code, 0);
  json::array arr = json::parse(list.out).as_array();
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0].as_object()["id"].as_string(), id);
  // The secret is never shown again.
  EXPECT_EQ(list.out.find("pscale_tkn_"), std::string::npos);
  RunResult human = Admin({"service-token", "list", "--org", "acme"});
  EXPECT_NE(human.out.find("deploy"), std::string::npos);
  EXPECT_NE(human.out.find("from now"), std::string::npos) << human.out;
  RunResult show = Admin({"service-token", "show", id, "--org", "acme", "-f", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out.find("pscale_tkn_"), std::string::npos);
  EXPECT_EQ(json::parse(show.out).as_object()["name"].as_string(), "deploy");
  RunResult missing = Admin({"service-token", "delete", "zzzzzzzzzzzz", "--org", "acme"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("token does not exist in organization acme"), std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace opscale::testutil
