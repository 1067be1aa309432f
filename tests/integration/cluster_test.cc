// Three `opscaled serve` nodes on one PostgreSQL (and one MariaDB): a token
// created on node 1 works on nodes 2 and 3; deleted on node 3 it is refused
// by the very next request on nodes 1 and 2, and a connect tunnel through
// node 2 is cut within a second. A restarted node loses nothing; a node cut
// off from PostgreSQL refuses what it cannot confirm instead of trusting its
// cache. Needs the private PostgreSQL of the test run (CTest fixture
// "postgres"; its URL is in the file named by OPSCALE_TEST_PG_URL_FILE).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string BaseUrl() {
  const char* file = std::getenv("OPSCALE_TEST_PG_URL_FILE");
  if (!file) return "";
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

// postgres://user@host:port/db -> the same server, database `db`.
std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t slash = url.find('/', url.find("://") + 3);
  return url.substr(0, slash) + "/" + db;
}

RunResult Psql(const std::string& url, const std::string& sql) {
  return RunProcess({"/usr/bin/psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql});
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = BaseUrl();
    ASSERT_FALSE(base_.empty()) << "OPSCALE_TEST_PG_URL_FILE is not set (run through ctest)";
    db_ = "cluster_" + std::to_string(::getpid()) + "_" + std::to_string(Clock::now().time_since_epoch().count() % 100000);
    ASSERT_EQ(Psql(WithDatabase(base_, "postgres"), "CREATE DATABASE " + db_).exit_code, 0);
    url_ = WithDatabase(base_, db_);
    key_ = keys_.path() + "/token.key";
    ServerOptions first;
    first.store = url_;
    first.token_key_file = key_;
    nodes_.push_back(std::make_unique<Server>(first));
    for (int i = 0; i < 2; ++i) nodes_.push_back(std::make_unique<Server>(JoinOptions()));
    admin_ = BearerHeader(nodes_[0]->admin().api_token);
    // Every node hears the others before the test starts.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }

  void TearDown() override {
    nodes_.clear();
    (void)Psql(WithDatabase(base_, "postgres"), "DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
  }

  ServerOptions JoinOptions() {
    ServerOptions o;
    o.store = url_;
    o.token_key_file = key_;
    o.init = false;
    o.private_mariadb = false;
    o.serve_args = {"--mysql-dsn", nodes_[0]->MysqlDsn()};
    return o;
  }

  int Status(int node, const std::string& method, const std::string& path, const std::string& auth,
             const std::string& body = "") {
    return CallApi(nodes_[node]->url(), method, path, auth, body).status;
  }

  std::string base_, db_, url_, key_, admin_;
  TempDir keys_;
  std::vector<std::unique_ptr<Server>> nodes_;
};

TEST_F(ClusterTest, ATokenDeletedOnOneNodeIsRefusedEverywhereAndItsTunnelIsCut) {
  const std::string dbs = "/v1/organizations/acme/databases";
  ASSERT_EQ(Status(0, "POST", dbs, admin_, R"({"name":"mydb"})"), 201);
  HttpReply dev = CallApi(nodes_[0]->url(), "POST", dbs + "/mydb/branches", admin_, R"({"name":"dev"})");
  ASSERT_EQ(dev.status, 201);
  std::string schema = "br_" + std::string(dev.Json().at("id").as_string());
  ASSERT_EQ(nodes_[0]->Sql("CREATE TABLE " + schema + ".items (id INT PRIMARY KEY)").exit_code, 0);

  HttpReply t = CallApi(nodes_[0]->url(), "POST", "/v1/organizations/acme/service-tokens", admin_,
                        R"({"name":"ci"})");
  ASSERT_EQ(t.status, 200);
  std::string id(t.Json().at("id").as_string()), secret(t.Json().at("token").as_string());
  const std::string token = TokenHeader(id, secret);
  ASSERT_EQ(Status(0, "POST", "/v1/organizations/acme/service-tokens/" + id + "/access", admin_,
                   R"({"database":"mydb","access":["read_branch","connect_branch"]})"), 200);
  // Created on node 1, good at once on nodes 2 and 3.
  for (int n : {1, 2})
    EXPECT_EQ(Status(n, "GET", dbs + "/mydb/branches", token), 200) << "node " << n + 1;

  // A connect tunnel through node 2 holding a session open.
  TempDir home;
  Background connect({OpscaleBin(), "connect", "mydb", "dev", "--org", "acme", "--port", "0",
                      "--api-url", nodes_[1]->url()},
                     {{"HOME", home.path()}, {"PLANETSCALE_SERVICE_TOKEN", secret},
                      {"PLANETSCALE_SERVICE_TOKEN_ID", id}});
  std::string out = connect.WaitForOutput("Local address", 15000);
  ASSERT_FALSE(out.empty()) << Masked(connect.Err());
  auto at = out.find("Local address to connect your application: ");
  int port = std::atoi(out.c_str() + out.find(':', at + 44) + 1);
  Background session({"/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1", "-P" + std::to_string(port),
                      "-uroot", "-N", "-B", "-e", "SELECT SLEEP(30)"});
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_EQ(session.Wait(0), -2) << "the session should be running";

  // Deleted on node 3: the very next request on nodes 1 and 2 is refused.
  auto start = Clock::now();
  ASSERT_EQ(Status(2, "DELETE", "/v1/organizations/acme/service-tokens/" + id, admin_), 204);
  EXPECT_EQ(Status(0, "GET", dbs + "/mydb/branches", token), 401) << "node 1";
  EXPECT_EQ(Status(1, "GET", dbs + "/mydb/branches", token), 401) << "node 2";
  int code = session.Wait(3000);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_NE(code, -2) << "session through node 2 still open after 3 s";
  EXPECT_LE(took, 1000) << "cut after " << took << " ms";

  // A restarted node loses nothing.
  HttpReply before = CallApi(nodes_[1]->url(), "GET", "/v1/organizations/acme/audit-log?limit=100", admin_);
  nodes_[1]->Restart();
  HttpReply after = CallApi(nodes_[1]->url(), "GET", "/v1/organizations/acme/audit-log?limit=100", admin_);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.Json().at("data").as_array().size(), before.Json().at("data").as_array().size());
  EXPECT_EQ(Status(1, "GET", dbs + "/mydb/branches", token), 401);
  EXPECT_EQ(Status(1, "GET", dbs + "/mydb", admin_), 200);
}

TEST_F(ClusterTest, ANodeCutOffFromPostgresRefusesWhatItCannotConfirm) {
  HttpReply t = CallApi(nodes_[0]->url(), "POST", "/v1/organizations/acme/service-tokens", admin_,
                        R"({"name":"ci"})");
  ASSERT_EQ(t.status, 200);
  std::string id(t.Json().at("id").as_string());
  const std::string token = TokenHeader(id, std::string(t.Json().at("token").as_string()));
  ASSERT_EQ(Status(0, "POST", "/v1/organizations/acme/service-tokens/" + id + "/access", admin_,
                   R"({"access":["read_organization"]})"), 200);
  ASSERT_EQ(Status(1, "GET", "/v1/organizations/acme", token), 200);

  // Cut every node off: no new connections, existing ones terminated.
  const std::string admin_db = WithDatabase(base_, "postgres");
  ASSERT_EQ(Psql(admin_db, "ALTER DATABASE " + db_ + " ALLOW_CONNECTIONS false").exit_code, 0);
  ASSERT_EQ(Psql(admin_db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                               db_ + "'").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpReply blind = CallApi(nodes_[1]->url(), "GET", "/v1/organizations/acme", token);
  EXPECT_EQ(blind.status, 503) << "a cached token must not be trusted without the feed: " << blind.body;

  // Back: the nodes catch up and serve again.
  ASSERT_EQ(Psql(admin_db, "ALTER DATABASE " + db_ + " ALLOW_CONNECTIONS true").exit_code, 0);
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = Status(1, "GET", "/v1/organizations/acme", token);
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace opscale::testutil
