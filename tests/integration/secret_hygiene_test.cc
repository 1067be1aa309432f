// Secret hygiene (issue 9 item 8, docs/security.md): the data dir's secrets
// are private to the server's user after `opscaled init` and while serving,
// and the real CLI's --debug trace shows every exchange with its secrets
// masked (Authorization headers, token and password create answers). The
// scan of every test log is the `logs_scan` ctest test (tests/logscan/).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 0777;
}

bool PostgresPass() {
  const char* f = std::getenv("OPSCALE_TEST_PG_URL_FILE");
  return f && *f;
}

TEST(SecretHygieneTest, DataDirSecretsAreOwnerOnlyAfterInitAndServe) {
  if (PostgresPass()) GTEST_SKIP() << "the SQLite data dir";
  // Under the usual umask 022, which would make new files 0644.
  const mode_t old_umask = ::umask(022);
  TempDir dir;
  const std::string data = dir.path() + "/data";
  RunResult init = RunProcess({OpscaledBin(), "init", "--data-dir", data, "--org", "acme", "--admin-email",
                               "admin@example.com", "--format", "json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(Mode(data), 0700);
  EXPECT_EQ(Mode(data + "/token.key"), 0600);
  EXPECT_EQ(Mode(data + "/opscale.db"), 0600);
  for (const char* f : {"/opscale.db-wal", "/opscale.db-shm"}) {
    if (fs::exists(data + f)) {
      EXPECT_EQ(Mode(data + f), 0600) << f;
    }
  }

  Server server;  // init and serve in a data dir of its own
  ::umask(old_umask);
  const std::string served = server.data_dir() + "/data";
  ASSERT_EQ(CallApi(server.url(), "GET", "/v1/organizations", BearerHeader(server.admin().api_token)).status,
            200);
  EXPECT_EQ(Mode(served), 0700);
  for (const char* f : {"/token.key", "/opscale.db", "/opscale.db-wal", "/opscale.db-shm"}) {
    ASSERT_TRUE(fs::exists(served + f)) << f;
    EXPECT_EQ(Mode(served + f), 0600) << f;
  }
  // The private MariaDB's admin password.
  EXPECT_EQ(Mode(served + "/mariadb/admin.cnf"), 0600);
}

class DebugTraceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new Server("acme"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { home_ = std::make_unique<TempDir>(); }

  RunResult Cli(std::vector<std::string> args, std::map<std::string, std::string> env) {
    args.insert(args.begin(), OpscaleBin());
    env.emplace("HOME", home_->path());
    env.emplace("PLANETSCALE_API_URL", server_->url());
    for (const char* v : {"PLANETSCALE_SERVICE_TOKEN", "PLANETSCALE_SERVICE_TOKEN_ID", "PLANETSCALE_API_TOKEN",
                          "PLANETSCALE_ORG"})
      env.emplace(v, "\x01unset");
    return RunProcess(args, env);
  }
  RunResult AsAdmin(std::vector<std::string> args) {
    return Cli(std::move(args), {{"PLANETSCALE_API_TOKEN", server_->admin().api_token}});
  }

  // The trace is there, and none of `secrets` (nor any secret shape) is in it.
  static void ExpectMasked(const RunResult& r, const std::vector<std::string>& secrets) {
    EXPECT_NE(r.err.find("[debug] -->"), std::string::npos) << Masked(r.err);
    EXPECT_NE(r.err.find("[debug] <--"), std::string::npos) << Masked(r.err);
    for (const auto& s : secrets) {
      ASSERT_FALSE(s.empty());
      EXPECT_EQ(r.err.find(s), std::string::npos) << "a secret in the --debug trace: " << Masked(r.err);
    }
    EXPECT_EQ(Masked(r.err), r.err) << "a secret shape in the --debug trace: " << Masked(r.err);
  }

  static Server* server_;
  std::unique_ptr<TempDir> home_;
};

Server* DebugTraceTest::server_ = nullptr;

TEST_F(DebugTraceTest, ServiceTokenCreateAndUseAreMasked) {
  RunResult create = AsAdmin({"service-token", "create", "--org", "acme", "--debug", "-f", "json"});
  ASSERT_EQ(create.exit_code, 0) << Masked(create.err);
  json::object tok = json::parse(create.out).as_object();
  const std::string id(tok["id"].as_string()), secret(tok["token"].as_string());
  ExpectMasked(create, {secret, server_->admin().api_token});
  EXPECT_NE(create.err.find("Authorization: ***"), std::string::npos) << Masked(create.err);
  EXPECT_NE(create.err.find("\"token\":\"***\""), std::string::npos) << Masked(create.err);

  // The same token as the credential: its <id>:<secret> header is masked.
  RunResult use = Cli({"org", "list", "--debug"},
                      {{"PLANETSCALE_SERVICE_TOKEN_ID", id}, {"PLANETSCALE_SERVICE_TOKEN", secret}});
  ASSERT_EQ(use.exit_code, 0) << Masked(use.err);
  ExpectMasked(use, {secret});
  EXPECT_NE(use.err.find("Authorization: ***"), std::string::npos) << Masked(use.err);
}

TEST_F(DebugTraceTest, PasswordCreateIsMasked) {
  ASSERT_EQ(AsAdmin({"database", "create", "shop", "--org", "acme"}).exit_code, 0);
  RunResult pw =
      AsAdmin({"password", "create", "shop", "main", "ci", "--org", "acme", "--debug", "--format", "json"});
  ASSERT_EQ(pw.exit_code, 0) << Masked(pw.err);
  json::object p = json::parse(pw.out).as_object();
  const std::string plain(p["plain_text"].as_string());
  ASSERT_EQ(plain.rfind("pscale_pw_", 0), 0u);
  ExpectMasked(pw, {plain, server_->admin().api_token});
}

TEST_F(DebugTraceTest, FailedRequestsAreMaskedToo) {
  // A wrong secret of the right shape: the trace of a refused request.
  const std::string wrong = "pscale_tkn_" + std::string(50, 'x');
  RunResult r = Cli({"org", "list", "--debug"},
                    {{"PLANETSCALE_SERVICE_TOKEN_ID", "abcdefghijkl"}, {"PLANETSCALE_SERVICE_TOKEN", wrong}});
  EXPECT_NE(r.exit_code, 0);
  ExpectMasked(r, {wrong});
  EXPECT_EQ(r.out.find(wrong), std::string::npos);
}

}  // namespace
}  // namespace opscale::testutil
