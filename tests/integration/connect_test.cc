// `opscale connect` under a service token, with the real mariadb client:
// queries travel through the tunnel, and deleting the token (or removing its
// connect access) cuts the open session within one second.
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

class ConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>("acme");
    home_ = std::make_unique<TempDir>();
    admin_ = BearerHeader(server_->admin().api_token);
    const std::string dbs = server_->url() + "/v1/organizations/acme/databases";
    ASSERT_EQ(Curl("POST", dbs, {admin_}, R"({"name":"mydb","cluster_size":"PS-10"})").status, 201);
    HttpReply dev = Curl("POST", dbs + "/mydb/branches", {admin_}, R"({"name":"dev"})");
    ASSERT_EQ(dev.status, 201);
    std::string schema = "br_" + std::string(dev.Json().as_object()["id"].as_string());
    ASSERT_EQ(server_->Sql("CREATE TABLE " + schema + ".items (id INT PRIMARY KEY); INSERT INTO " +
                           schema + ".items VALUES (1),(2),(3)").exit_code, 0);
  }

  // A service token with `accesses` on mydb.
  std::pair<std::string, std::string> Token(const std::string& accesses) {
    HttpReply t = Curl("POST", server_->url() + "/v1/organizations/acme/service-tokens", {admin_}, "{}");
    json::object o = t.Json().as_object();
    std::string id = o["id"].as_string().c_str(), secret = o["token"].as_string().c_str();
    EXPECT_EQ(Curl("POST", server_->url() + "/v1/organizations/acme/service-tokens/" + id + "/access",
                   {admin_}, R"({"database":"mydb","access":)" + accesses + "}").status, 200);
    return {id, secret};
  }

  std::unique_ptr<Background> StartConnect(const std::pair<std::string, std::string>& tok,
                                           std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {OpscaleBin(), "connect", "mydb", "dev", "--org", "acme",
                                     "--port", "0", "--api-url", server_->url()};
    for (auto& e : extra) argv.push_back(e);
    return std::make_unique<Background>(
        argv, std::map<std::string, std::string>{{"HOME", home_->path()},
                                                 {"PLANETSCALE_SERVICE_TOKEN", tok.second},
                                                 {"PLANETSCALE_SERVICE_TOKEN_ID", tok.first}});
  }

  static int LocalPort(const std::string& out) {
    auto at = out.find("Local address to connect your application: ");
    if (at == std::string::npos) return 0;
    auto colon = out.find(':', at + 44);
    return std::atoi(out.c_str() + colon + 1);
  }

  std::vector<std::string> Client(int port, const std::string& sql) {
    return {"/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1", "-P" + std::to_string(port), "-uroot",
            "-N", "-B", "-e", sql};
  }

  // Holds a session open through the tunnel, deletes access with `revoke`,
  // and checks the session is cut within a second and a new one refused.
  void ExpectSevered(const std::function<void()>& revoke, const std::string& audit_action = "connect.severed") {
    auto tok = Token(R"(["read_branch","connect_branch"])");
    auto connect = StartConnect(tok);
    std::string out = connect->WaitForOutput("Local address", 15000);
    ASSERT_FALSE(out.empty()) << connect->Err();
    int port = LocalPort(out);
    ASSERT_GT(port, 0);
    RunResult q = RunProcess(Client(port, "SELECT COUNT(*) FROM items"));
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_EQ(q.out, "3\n");

    Background session(Client(port, "SELECT SLEEP(30)"));
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    ASSERT_EQ(session.Wait(0), -2) << "the session should be running";
    revoke_token_ = tok.first;
    auto start = Clock::now();
    revoke();
    int code = session.Wait(3000);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    EXPECT_NE(code, -2) << "session still open after 3 s";
    EXPECT_NE(code, 0);
    EXPECT_LE(took, 1000) << "cut after " << took << " ms";
    RunResult again = RunProcess(Client(port, "SELECT 1"), {}, "", 15);
    EXPECT_NE(again.exit_code, 0);
    std::string err = connect->Err();
    for (int i = 0; i < 50 && err.find("connection closed") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      err = connect->Err();
    }
    EXPECT_NE(err.find("connection closed"), std::string::npos) << Masked(err);
    // The audit log records the severing.
    HttpReply log = Curl("GET", server_->url() + "/v1/organizations/acme/audit-log?limit=50", {admin_});
    EXPECT_NE(log.body.find(audit_action), std::string::npos) << audit_action;
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<TempDir> home_;
  std::string admin_;
  std::string revoke_token_;
};

TEST_F(ConnectTest, DeletingTheTokenCutsTheSession) {
  ExpectSevered([&] {
    ASSERT_EQ(Curl("DELETE", server_->url() + "/v1/organizations/acme/service-tokens/" + revoke_token_,
                   {admin_}).status, 204);
  });
}

TEST_F(ConnectTest, RemovingConnectAccessCutsTheSession) {
  ExpectSevered([&] {
    ASSERT_EQ(Curl("DELETE", server_->url() + "/v1/organizations/acme/service-tokens/" + revoke_token_ + "/access",
                   {admin_}, R"({"database":"mydb","access":["connect_branch"]})").status, 204);
  });
}

TEST_F(ConnectTest, DeletingTheBranchCutsTheSession) {
  ExpectSevered([&] {
    ASSERT_EQ(Curl("DELETE", server_->url() + "/v1/organizations/acme/databases/mydb/branches/dev",
                   {admin_}).status, 204);
  }, "branch.deleted");  // the branch's accounts are dropped first, which ends the tunnel
}

TEST_F(ConnectTest, ExecuteRunsWithDatabaseUrlAndPassesItsExitCode) {
  auto tok = Token(R"(["read_branch","connect_branch"])");
  std::string file = home_->path() + "/url";
  auto connect = StartConnect(tok, {"--execute", "echo \"$DATABASE_URL\" > " + file +
                                                     " && mariadb --no-defaults -h127.0.0.1 -P\"${PLANETSCALE_DATABASE_HOST##*:}\" -uroot -N -B -e 'SELECT COUNT(*) FROM items' >> " +
                                                     file + "; exit 7"});
  EXPECT_EQ(connect->Wait(30000), 7) << connect->Err();
  std::ifstream in(file);
  std::string url, count;
  std::getline(in, url);
  std::getline(in, count);
  EXPECT_EQ(url.rfind("mysql2://root@127.0.0.1:", 0), 0u) << url;
  EXPECT_NE(url.find("/mydb"), std::string::npos);
  EXPECT_EQ(count, "3");
}

TEST_F(ConnectTest, NeedsConnectAccess) {
  auto tok = Token(R"(["read_branch"])");
  auto connect = StartConnect(tok);
  int code = connect->Wait(15000);
  EXPECT_NE(code, 0);
  EXPECT_NE(connect->Err().find("connect_branch"), std::string::npos) << connect->Err();
}

}  // namespace
}  // namespace opscale::testutil
