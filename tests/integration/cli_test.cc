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

// add-access --help lists the catalog by level; a misspelt access gets the
// nearest valid name, and a wrong-level one says which level it is, before
// any request (docs/api.md).
TEST_F(CliTest, ServiceTokenAddAccessHelpAndTypos) {
  RunResult help = Cli({"service-token", "add-access", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  size_t org_at = help.out.find("Organization accesses (without --database):");
  size_t db_at = help.out.find("Database accesses (with --database <name>):");
  ASSERT_NE(org_at, std::string::npos) << help.out;
  ASSERT_NE(db_at, std::string::npos) << help.out;
  EXPECT_LT(org_at, db_at);
  for (const char* org_access : {"read_organization", "write_service_tokens", "create_databases"}) {
    size_t at = help.out.find(std::string("  ") + org_access + " ");
    EXPECT_TRUE(at > org_at && at < db_at) << org_access << " in the organization list";
  }
  for (const char* db_access : {"read_branch", "connect_production_branch", "approve_deploy_request"}) {
    size_t at = help.out.find(std::string("  ") + db_access + " ");
    EXPECT_TRUE(at != std::string::npos && at > db_at) << db_access << " in the database list";
  }

  RunResult created = AsAdmin({"service-token", "create", "--org", "acme", "-f", "json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string id(json::parse(created.out).at("id").as_string());

  RunResult typo = AsAdmin({"service-token", "add-access", id, "read_brnch", "--database", "shop", "--org", "acme"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("unknown access \"read_brnch\"; did you mean \"read_branch\"?"), std::string::npos)
      << typo.err;
  RunResult junk = AsAdmin({"service-token", "add-access", id, "zzzzzzzzzz", "--org", "acme"});
  EXPECT_NE(junk.exit_code, 0);
  EXPECT_NE(junk.err.find("unknown access \"zzzzzzzzzz\"; see 'service-token add-access --help'"),
            std::string::npos) << junk.err;
  RunResult level = AsAdmin({"service-token", "add-access", id, "read_branch", "--org", "acme"});
  EXPECT_NE(level.exit_code, 0);
  EXPECT_NE(level.err.find("\"read_branch\" is a database access"), std::string::npos) << level.err;
  RunResult del_typo = AsAdmin({"service-token", "delete-access", id, "read_organisation", "--org", "acme"});
  EXPECT_NE(del_typo.err.find("did you mean \"read_organization\"?"), std::string::npos) << del_typo.err;

  // Nothing was granted by the refused commands; a valid name still works.
  RunResult shown = AsAdmin({"service-token", "show-access", id, "--org", "acme", "-f", "json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_TRUE(json::parse(shown.out).as_array().empty()) << shown.out;
  RunResult ok = AsAdmin({"service-token", "add-access", id, "read_organization", "--org", "acme"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  shown = AsAdmin({"service-token", "show-access", id, "--org", "acme", "-f", "json"});
  EXPECT_NE(shown.out.find("read_organization"), std::string::npos) << shown.out;

  // The server's own answer to a typo (another client) names the nearest access too.
  HttpReply raw = CallApi(server_->url(), "POST", "/v1/organizations/acme/service-tokens/" + id + "/access",
                          BearerHeader(server_->admin().api_token), R"({"access":["read_organisation"]})");
  EXPECT_EQ(raw.status, 422);
  EXPECT_NE(raw.body.find("did you mean 'read_organization'?"), std::string::npos) << raw.body;
}

TEST_F(CliTest, PscaleLinkBehavesLikeOpscale) {
  RunResult r = RunProcess({PscaleBin(), "org", "list", "-f", "json", "--api-url", server_->url()},
                    {{"HOME", home_->path()}, {"PLANETSCALE_API_TOKEN", server_->admin().api_token}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).as_array()[0].as_object()["name"].as_string(), "acme");
}

}  // namespace
}  // namespace opscale::testutil
