// The opscale CLI (and its pscale link) against a real server: global flags,
// credential pre-flight checks, output formats, config, and --debug masking.
#include <gtest/gtest.h>

#include <fstream>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new Server("acme"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { home_ = std::make_unique<TempDir>(); }

  RunResult Cli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), OpscaleBin());
    env.emplace("HOME", home_->path());
    env.emplace("PLANETSCALE_API_URL", server_->url());
    for (const char* v : {"PLANETSCALE_SERVICE_TOKEN", "PLANETSCALE_SERVICE_TOKEN_ID",
                          "PLANETSCALE_API_TOKEN", "PLANETSCALE_ORG"})
      env.emplace(v, "\x01unset");
    return RunProcess(args, env);
  }
  RunResult AsAdmin(std::vector<std::string> args) {
    return Cli(std::move(args), {{"PLANETSCALE_API_TOKEN", server_->admin().api_token}});
  }

  static Server* server_;
  std::unique_ptr<TempDir> home_;
};

Server* CliTest::server_ = nullptr;

TEST_F(CliTest, CredentialPreflightMessages) {
  RunResult none = Cli({"database", "list", "--org", "acme"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("not authenticated yet. Please run 'pscale auth login'"), std::string::npos)
      << none.err;
  RunResult half = Cli({"database", "list", "--org", "acme", "--service-token-id", "abcdefabcdef"});
  EXPECT_NE(half.exit_code, 0);
  EXPECT_NE(half.err.find("both --service-token and --service-token-id are required"), std::string::npos)
      << half.err;
  RunResult swapped = Cli({"database", "list", "--org", "acme", "--service-token", "abcdefabcdef",
                           "--service-token-id", "pscale_tkn_0123456789"});
  EXPECT_NE(swapped.exit_code, 0);
  EXPECT_NE(swapped.err.find("it looks like you swapped"), std::string::npos) << swapped.err;
  RunResult fmt = AsAdmin({"database", "list", "--org", "acme", "-f", "xml"});
  EXPECT_NE(fmt.exit_code, 0);
  EXPECT_NE(fmt.err.find("Valid values: [human json csv]"), std::string::npos) << fmt.err;
  RunResult noorg = AsAdmin({"database", "list"});
  EXPECT_NE(noorg.exit_code, 0);
  EXPECT_NE(noorg.err.find("org"), std::string::npos);
}

TEST_F(CliTest, DatabaseCommandsAndFormats) {
  RunResult c = AsAdmin({"database", "create", "clidb", "--org", "acme"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("Database clidb was successfully created."), std::string::npos) << c.out;
  RunResult list = AsAdmin({"database", "list", "--org", "acme"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("  NAME"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("clidb"), std::string::npos);
  RunResult js = AsAdmin({"database", "show", "clidb", "--org", "acme", "-f", "json"});
  ASSERT_EQ(js.exit_code, 0);
  EXPECT_EQ(json::parse(js.out).as_object()["name"].as_string(), "clidb");
  RunResult csv = AsAdmin({"database", "list", "--org", "acme", "-f", "csv"});
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_EQ(csv.out.rfind("Name,Kind,CreatedAt,UpdatedAt\n", 0), 0u) << csv.out;
  RunResult missing = AsAdmin({"database", "show", "nope", "--org", "acme"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("database nope does not exist in organization acme"), std::string::npos)
      << missing.err;
  // Deletion needs --force without a TTY.
  RunResult noforce = AsAdmin({"database", "delete", "clidb", "--org", "acme"});
  EXPECT_NE(noforce.exit_code, 0);
  EXPECT_NE(noforce.err.find("--force"), std::string::npos) << noforce.err;
  RunResult del = AsAdmin({"database", "delete", "clidb", "--org", "acme", "--force"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("Database clidb was successfully deleted."), std::string::npos);
}

TEST_F(CliTest, OrgListSwitchShow) {
  RunResult list = AsAdmin({"org", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("acme"), std::string::npos);
  RunResult sw = AsAdmin({"org", "switch", "acme"});
  ASSERT_EQ(sw.exit_code, 0) << sw.err;
  EXPECT_NE(sw.out.find("Successfully switched to organization acme"), std::string::npos) << sw.out;
  RunResult show = AsAdmin({"org", "show"});
  EXPECT_NE(show.out.find("acme"), std::string::npos);
  // The saved org is used when --org is omitted.
  RunResult dbs = AsAdmin({"database", "list", "-f", "json"});
  EXPECT_EQ(dbs.exit_code, 0) << dbs.err;
  RunResult bad = AsAdmin({"org", "switch", "nope"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("organization nope does not exist"), std::string::npos) << bad.err;
}

TEST_F(CliTest, DebugMasksSecrets) {
  RunResult r = AsAdmin({"service-token", "create", "--org", "acme", "--debug", "-f", "json"});
  ASSERT_EQ(r.exit_code, 0) << Masked(r.err);
  std::string secret = json::parse(r.out).as_object()["token"].as_string().c_str();
  EXPECT_FALSE(r.err.empty());  // the exchange was shown
  EXPECT_EQ(r.err.find(secret), std::string::npos);
  EXPECT_EQ(r.err.find(server_->admin().api_token), std::string::npos);
  EXPECT_EQ(r.err.find("pscale_tkn_"), std::string::npos);
  EXPECT_EQ(r.err.find("pscale_oauth_"), std::string::npos);
}

TEST_F(CliTest, ServiceTokenCsvAndAuditLog) {
  ASSERT_EQ(AsAdmin({"service-token", "create", "--org", "acme", "--name", "csv"}).exit_code, 0);
  RunResult csv = AsAdmin({"service-token", "list", "--org", "acme", "-f", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("ID,Name,LastUsedAt,ExpiresAt,CreatedAt\n", 0), 0u) << csv.out;
  RunResult log = AsAdmin({"audit-log", "list", "--org", "acme"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_NE(log.out.find("service_token.created"), std::string::npos) << log.out;
}

TEST_F(CliTest, PscaleLinkBehavesLikeOpscale) {
  RunResult r = RunProcess({PscaleBin(), "org", "list", "-f", "json", "--api-url", server_->url()},
                    {{"HOME", home_->path()}, {"PLANETSCALE_API_TOKEN", server_->admin().api_token}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).as_array()[0].as_object()["name"].as_string(), "acme");
}

}  // namespace
}  // namespace opscale::testutil
