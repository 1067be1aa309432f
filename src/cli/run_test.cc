// Runs the CLI in-process over string streams. No server: commands that reach the network
// point at a closed port.
#include "cli/run.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kClosedUrl = "http://127.0.0.1:1";

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscale-run-test-XXXXXX";
    home_ = mkdtemp(tmpl);
    env_["HOME"] = home_;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  int Exec(std::vector<std::string> args) {
    args.insert(args.begin(), "pscale");
    out_.str("");
    err_.str("");
    Io io;
    io.out = &out_;
    io.err = &err_;
    io.in = &in_;
    io.tty = tty_;
    io.getenv = [this](const std::string& k) -> std::optional<std::string> {
      auto it = env_.find(k);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    io.cwd = home_;
    return cli::Run(args, io);
  }

  std::string home_;
  std::map<std::string, std::string> env_;
  std::ostringstream out_, err_;
  std::istringstream in_;
  bool tty_ = false;
};

TEST_F(RunTest, BadFormatFlag) {
  EXPECT_EQ(Exec({"database", "list", "-f", "x"}), 2);
  EXPECT_EQ(err_.str(),
            "Error: invalid argument \"x\" for \"-f, --format\" flag: failed to parse Format: \"x\". "
            "Valid values: [human json csv]\n");
}

TEST_F(RunTest, BadFormatFromEnvironment) {
  env_["PLANETSCALE_FORMAT"] = "yaml";
  EXPECT_EQ(Exec({"org", "show"}), 2);
  EXPECT_NE(err_.str().find("failed to parse Format: \"yaml\""), std::string::npos);
}

TEST_F(RunTest, MissingArgumentPrintsUsage) {
  EXPECT_EQ(Exec({"database", "show"}), 2);
  EXPECT_EQ(err_.str().rfind("Error: missing argument <database> \n\n", 0), 0u) << err_.str();
  EXPECT_NE(err_.str().find("Usage:"), std::string::npos);
  EXPECT_EQ(Exec({"branch", "show"}), 2);
  EXPECT_EQ(err_.str().rfind("Error: missing arguments <database, branch> \n\n", 0), 0u);
  EXPECT_EQ(Exec({"branch", "show", "mydb"}), 2);
  EXPECT_EQ(err_.str().rfind("Error: missing argument <branch> \n\n", 0), 0u);
}

TEST_F(RunTest, MissingArgumentJsonIsActionRequired) {
  EXPECT_EQ(Exec({"database", "show", "--format", "json"}), 1);
  EXPECT_NE(out_.str().find("\"code\": \"INVALID_USAGE\""), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\"error\": \"missing argument <database>\""), std::string::npos);
}

TEST_F(RunTest, TooManyArguments) {
  env_["PLANETSCALE_API_TOKEN"] = "pscale_oauth_x";
  EXPECT_EQ(Exec({"database", "show", "a", "b", "--org", "acme"}), 2);
  EXPECT_EQ(err_.str(), "Error: accepts 1 arg(s), received 2\n");
}

TEST_F(RunTest, ServiceTokenCommandsPrintUsageAndExitZero) {
  EXPECT_EQ(Exec({"service-token", "show-access"}), 0);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("Usage:"), std::string::npos);
  EXPECT_EQ(Exec({"service-token", "add-access", "k2b8x9ta4mzp"}), 0);
}

TEST_F(RunTest, NotAuthenticatedHuman) {
  EXPECT_EQ(Exec({"database", "list", "--org", "acme"}), 2);
  EXPECT_EQ(err_.str(),
            "Error: not authenticated yet. Please run 'pscale auth login'\n"
            "Error: you must run 'pscale auth login' to authenticate before using this command\n");
}

TEST_F(RunTest, NotAuthenticatedJson) {
  EXPECT_EQ(Exec({"database", "list", "--org", "acme", "--format", "json"}), 1);
  EXPECT_NE(out_.str().find("\"code\": \"NO_AUTH\""), std::string::npos);
  EXPECT_EQ(err_.str(), "");
}

TEST_F(RunTest, HalfSetServiceToken) {
  env_["PLANETSCALE_SERVICE_TOKEN"] = "pscale_tkn_abc";
  EXPECT_EQ(Exec({"branch", "list", "mydb", "--org", "acme"}), 2);
  EXPECT_EQ(
      err_.str(),
      "Error: both --service-token and --service-token-id are required for service token authentication\n");
}

TEST_F(RunTest, SwappedServiceToken) {
  EXPECT_EQ(Exec({"branch", "list", "mydb", "--org", "acme", "--service-token", "k2b8x9ta4mzp",
                  "--service-token-id", "pscale_tkn_AbCdEf"}),
            2);
  EXPECT_EQ(err_.str(),
            "Error: it looks like you swapped the --service-token and --service-token-id values\n");
}

TEST_F(RunTest, LegacyServiceTokenNameFlagCountsAsId) {
  EXPECT_EQ(Exec({"branch", "list", "mydb", "--service-token", "k2b8x9ta4mzp", "--service-token-name",
                  "pscale_tkn_AbCdEf"}),
            2);
  EXPECT_NE(err_.str().find("swapped"), std::string::npos);
}

TEST_F(RunTest, OrgIsNotGlobal) {
  EXPECT_EQ(Exec({"--org", "acme", "org", "list"}), 2);
  EXPECT_EQ(err_.str(), "Error: unknown flag: --org\n");
}

TEST_F(RunTest, MissingOrg) {
  env_["PLANETSCALE_API_TOKEN"] = "pscale_oauth_x";
  EXPECT_EQ(Exec({"database", "list"}), 2);
  EXPECT_EQ(err_.str(), "Error: required flag(s) \"org\" not set\n");
}

TEST_F(RunTest, OrgFromGlobalConfigFile) {
  env_["PLANETSCALE_API_TOKEN"] = "pscale_oauth_x";
  env_["PLANETSCALE_API_URL"] = kClosedUrl;
  fs::create_directories(home_ + "/.config/planetscale");
  std::ofstream(home_ + "/.config/planetscale/pscale.yml") << "org: acme\n";
  EXPECT_EQ(Exec({"database", "list"}), 2);
  EXPECT_EQ(err_.str().rfind("Error: cannot reach the API at http://127.0.0.1:1: ", 0), 0u) << err_.str();
}

TEST_F(RunTest, CheckOrderArgsBeforeAuthBeforeOrg) {
  EXPECT_EQ(Exec({"branch", "show"}), 2);
  EXPECT_NE(err_.str().find("missing arguments"), std::string::npos);
  EXPECT_EQ(Exec({"branch", "show", "a", "b"}), 2);
  EXPECT_NE(err_.str().find("not authenticated"), std::string::npos);
}

TEST_F(RunTest, ArgumentsThatSpellCommandNames) {
  env_["PLANETSCALE_API_TOKEN"] = "pscale_oauth_x";
  env_["PLANETSCALE_API_URL"] = kClosedUrl;
  EXPECT_EQ(Exec({"branch", "show", "db", "list", "--org", "acme"}), 2);
  EXPECT_NE(err_.str().find("cannot reach the API"), std::string::npos) << err_.str();
}

TEST_F(RunTest, DeleteNeedsForceWithoutTty) {
  env_["PLANETSCALE_API_TOKEN"] = "pscale_oauth_x";
  EXPECT_EQ(Exec({"database", "delete", "mydb", "--org", "acme"}), 2);
  EXPECT_EQ(err_.str(),
            "Error: cannot confirm deletion of database \"mydb\" (run with --force to override)\n");
  EXPECT_EQ(Exec({"database", "delete", "mydb", "--org", "acme", "-f", "json"}), 1);
  EXPECT_NE(out_.str().find("cannot delete database with the output format \\\"json\\\" (run with --force to "
                            "override)"),
            std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("CONFIRMATION_REQUIRED"), std::string::npos);
}

TEST_F(RunTest, UnreachableApiJson) {
  env_["PLANETSCALE_API_TOKEN"] = "pscale_oauth_x";
  EXPECT_EQ(Exec({"org", "list", "--api-url", kClosedUrl, "--format", "json"}), 2);
  EXPECT_NE(out_.str().find("NETWORK_ERROR"), std::string::npos) << out_.str();
}

TEST_F(RunTest, DebugTraceMasksCredentials) {
  EXPECT_EQ(Exec({"org", "list", "--debug", "--api-url", kClosedUrl, "--service-token",
                  "pscale_tkn_TopSecretValue123", "--service-token-id", "abcdefghijkl"}),
            2);
  EXPECT_NE(err_.str().find("[debug] --> GET http://127.0.0.1:1/v1/organizations"), std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("Authorization: ***"), std::string::npos);
  EXPECT_EQ(err_.str().find("TopSecretValue"), std::string::npos);
  EXPECT_EQ(err_.str().find("abcdefghijkl:"), std::string::npos);
}

TEST_F(RunTest, OrgShowReadsFiles) {
  EXPECT_EQ(Exec({"org", "show"}), 2);
  EXPECT_EQ(err_.str(), "Error: not authenticated yet. Please run 'pscale auth login'\n");
  std::string path = home_ + "/.config/planetscale/pscale.yml";
  fs::create_directories(home_ + "/.config/planetscale");
  std::ofstream(path) << "database: x\n";
  EXPECT_EQ(Exec({"org", "show"}), 2);
  EXPECT_EQ(err_.str(), "Error: config file exists, but organization is not set\n");
  std::ofstream(path) << "org: acme\n";
  EXPECT_EQ(Exec({"org", "show"}), 0);
  EXPECT_EQ(out_.str(), "acme (from file: " + path + ")\n");
  EXPECT_EQ(Exec({"org", "show", "-f", "json"}), 0);
  EXPECT_EQ(out_.str(), "{\n  \"org\": \"acme\"\n}\n");
  EXPECT_EQ(Exec({"org", "show", "-f", "csv"}), 0);
  EXPECT_EQ(out_.str(), "Org\nacme\n\n");
}

TEST_F(RunTest, UnknownCommand) {
  EXPECT_EQ(Exec({"database", "frobnicate"}), 2);
  EXPECT_EQ(err_.str().rfind("Error: unknown command \"frobnicate\" for \"pscale database\"", 0), 0u)
      << err_.str();
}

TEST_F(RunTest, HelpAndVersion) {
  EXPECT_EQ(Exec({}), 0);
  EXPECT_NE(out_.str().find("service-token"), std::string::npos);
  EXPECT_EQ(Exec({"--version"}), 0);
  EXPECT_NE(out_.str().find("version"), std::string::npos);
  EXPECT_EQ(Exec({"database", "show", "--help"}), 0);
  EXPECT_NE(out_.str().find("database"), std::string::npos);
}

TEST_F(RunTest, DbAlias) {
  EXPECT_EQ(Exec({"db", "show"}), 2);
  EXPECT_NE(err_.str().find("missing argument <database>"), std::string::npos);
}

}  // namespace
}  // namespace opscale::cli
