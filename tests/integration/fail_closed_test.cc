// Fail closed (issue 9 item 9, docs/security.md): a store that is missing,
// replaced, damaged, unreadable or unreachable under a running server gets
// every request that could grant access a 503 with the API's error body and
// Retry-After, never a 200 from what the server remembers; it heals by
// itself when the store is back; a damaged store at start-up stops the
// server with a clear message.
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const std::string kOrg = "/v1/organizations/acme";
const std::string kBranch = kOrg + "/databases/mydb/branches/main";

bool PostgresPass() {
  const char* f = std::getenv("OPSCALE_TEST_PG_URL_FILE");
  return f && *f;
}

class FailClosedTest : public ::testing::Test {
 protected:
  // A server with a database (its main branch is answered from memory on
  // SQLite) and a service token, all answering 200.
  void Start(ServerOptions o = {}) {
    server_ = std::make_unique<Server>(o);
    admin_ = BearerHeader(server_->admin().api_token);
    ASSERT_EQ(Call("POST", kOrg + "/databases", admin_, R"({"name":"mydb"})").status, 201);
    HttpReply tok = Call("POST", kOrg + "/service-tokens", admin_, R"({"name":"ci"})");
    ASSERT_EQ(tok.status, 200);
    token_ = TokenHeader(std::string(tok.Json().at("id").as_string()),
                         std::string(tok.Json().at("token").as_string()));
    ASSERT_EQ(Call("GET", kBranch, admin_).status, 200);
    ASSERT_EQ(Call("GET", "/v1/organizations", token_).status, 200);
  }

  HttpReply Call(const std::string& method, const std::string& path, const std::string& auth,
                 const std::string& body = "") {
    return CallApi(server_->url(), method, path, auth, body);
  }

  // Polls GET `path` until it answers `want` (at most 20 s); the last status.
  int WaitFor(const std::string& path, int want) {
    int got = 0;
    for (int i = 0; i < 400; ++i) {
      got = Call("GET", path, admin_).status;
      if (got == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return got;
  }

  // Every kind of request is refused with 503, the error body and Retry-After.
  void ExpectEverythingRefused() {
    struct Req {
      std::string method, path, auth, body;
    };
    const std::vector<Req> reqs = {
        {"GET", kBranch, admin_, ""},                  // answered from memory when healthy
        {"GET", "/v1/organizations", token_, ""},      // service token, index only
        {"GET", kOrg + "/databases", admin_, ""},
        {"POST", kOrg + "/service-tokens", admin_, R"({"name":"x"})"},
        {"GET", "/v1/organizations", "", ""},          // no credential: still 503, not 401
        {"GET", "/healthz", "", ""},
    };
    for (const Req& r : reqs) {
      std::vector<std::string> headers;
      if (!r.auth.empty()) headers.push_back(r.auth);
      if (!r.body.empty()) headers.push_back("Content-Type: application/json");
      HttpExchange e = Http(r.method, server_->url() + r.path, headers, r.body);
      EXPECT_EQ(e.status, 503) << r.method << " " << r.path;
      EXPECT_EQ(e.Header("retry-after"), "1") << r.method << " " << r.path;
      json::value v = e.Json();
      ASSERT_TRUE(v.is_object()) << r.method << " " << r.path << ": " << Masked(e.body);
      EXPECT_EQ(v.at("code").as_string(), "unavailable") << r.path;
    }
  }

  std::string DbPath() const { return server_->data_dir() + "/data/opscale.db"; }

  std::unique_ptr<Server> server_;
  std::string admin_, token_;
};

TEST_F(FailClosedTest, StoreFileDeletedThenBack) {
  if (PostgresPass()) GTEST_SKIP() << "SQLite file test";
  ASSERT_NO_FATAL_FAILURE(Start());
  // Gone from its path (kept aside so it can come back): SQLite alone would
  // keep using the open file.
  fs::rename(DbPath(), DbPath() + ".aside");
  ASSERT_EQ(WaitFor(kBranch, 503), 503) << server_->Log();
  ExpectEverythingRefused();
  EXPECT_NE(server_->Log().find("the store is unavailable"), std::string::npos);
  fs::rename(DbPath() + ".aside", DbPath());
  ASSERT_EQ(WaitFor(kBranch, 200), 200) << server_->Log();
  EXPECT_EQ(Call("GET", "/v1/organizations", token_).status, 200);
  EXPECT_EQ(Call("POST", kOrg + "/service-tokens", admin_, R"({"name":"after"})").status, 200);
}

TEST_F(FailClosedTest, StoreFileReplacedByGarbageThenBack) {
  if (PostgresPass()) GTEST_SKIP() << "SQLite file test";
  ASSERT_NO_FATAL_FAILURE(Start());
  fs::rename(DbPath(), DbPath() + ".aside");
  std::ofstream(DbPath()) << std::string(8192, 'G');
  ASSERT_EQ(WaitFor(kBranch, 503), 503) << server_->Log();
  ExpectEverythingRefused();
  fs::remove(DbPath());
  fs::rename(DbPath() + ".aside", DbPath());
  ASSERT_EQ(WaitFor(kBranch, 200), 200) << server_->Log();
  EXPECT_EQ(Call("GET", "/v1/organizations", token_).status, 200);
}

TEST_F(FailClosedTest, StoreFileOverwrittenInPlace) {
  if (PostgresPass()) GTEST_SKIP() << "SQLite file test";
  ASSERT_NO_FATAL_FAILURE(Start());
  {
    std::fstream f(DbPath(), std::ios::in | std::ios::out | std::ios::binary);
    f << std::string(4096, 'G');
  }
  ASSERT_EQ(WaitFor(kBranch, 503), 503) << server_->Log();
  ExpectEverythingRefused();
}

TEST_F(FailClosedTest, StoreFileUnreadable) {
  if (PostgresPass()) GTEST_SKIP() << "SQLite file test";
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file: run as another user to check this case";
  ASSERT_NO_FATAL_FAILURE(Start());
  fs::permissions(DbPath(), fs::perms::none);
  ASSERT_EQ(WaitFor(kBranch, 503), 503) << server_->Log();
  ExpectEverythingRefused();
  fs::permissions(DbPath(), fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_EQ(WaitFor(kBranch, 200), 200) << server_->Log();
}

TEST_F(FailClosedTest, DamagedStoreAtStartUpStopsTheServer) {
  if (PostgresPass()) GTEST_SKIP() << "SQLite file test";
  ASSERT_NO_FATAL_FAILURE(Start());
  server_->Stop();
  const std::string data = server_->data_dir() + "/data";
  for (const char* f : {"/opscale.db-wal", "/opscale.db-shm"}) fs::remove(data + f);
  auto size = fs::file_size(DbPath());
  std::ofstream(DbPath(), std::ios::trunc | std::ios::binary) << std::string(size, 'G');
  RunResult r = RunProcess({OpscaledBin(), "serve", "--data-dir", data, "--listen", "127.0.0.1:0"}, {}, "", 60);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out.find("listening on"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("cannot use the store " + DbPath()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the file is damaged: restore it from a backup"), std::string::npos) << r.err;
}

// The PostgreSQL pass: the database refuses connections and its sessions are
// cut (as the test server's superuser), then it takes them again.
std::string PostgresAdminUrl() {
  std::ifstream in(std::getenv("OPSCALE_TEST_PG_URL_FILE"));
  std::string base;
  std::getline(in, base);
  return base.substr(0, base.find('/', base.find("://") + 3)) + "/postgres";
}

RunResult AdminSql(const std::string& sql) {
  return RunProcess({"/usr/bin/psql", PostgresAdminUrl(), "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql});
}

TEST_F(FailClosedTest, PostgresUnreachableThenBack) {
  if (!PostgresPass()) GTEST_SKIP() << "runs in the PostgreSQL pass (pg.*)";
  std::string db;
  ServerOptions o;
  o.store = FreshPostgresDatabase(&db);
  struct Drop {  // also after a failed assertion
    std::unique_ptr<Server>& server;
    std::string db;
    ~Drop() {
      server.reset();
      DropPostgresDatabase(db);
    }
  } drop{server_, db};
  ASSERT_NO_FATAL_FAILURE(Start(o));
  RunResult off = AdminSql("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
  ASSERT_EQ(off.exit_code, 0) << off.err;
  RunResult cut = AdminSql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" +
                           db + "'");
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  ASSERT_EQ(WaitFor(kBranch, 503), 503) << server_->Log();
  ExpectEverythingRefused();
  RunResult on = AdminSql("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
  ASSERT_EQ(on.exit_code, 0) << on.err;
  ASSERT_EQ(WaitFor(kBranch, 200), 200) << server_->Log();
  EXPECT_EQ(Call("GET", "/v1/organizations", token_).status, 200);
  EXPECT_EQ(Call("POST", kOrg + "/service-tokens", admin_, R"({"name":"after"})").status, 200);
}

}  // namespace
}  // namespace opscale::testutil
