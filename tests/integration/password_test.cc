// Branch passwords are real MariaDB accounts: each role's grants are proved with
// the real `mariadb` client; safe migrations take DDL away from admin passwords;
// deleting a password cuts its live session; a ttl password is dropped by the
// reaper; the password endpoints follow the 404/403 rule.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

struct Pw {
  std::string id, username, plain_text, host, database;
  int port = 0;
};

class PasswordTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server("acme");
    admin_ = BearerHeader(server_->admin().api_token);
    ASSERT_GT(server_->MariaDbPort(), 0) << server_->Log();
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/databases", admin_, R"({"name":"mydb"})").status, 201);
    std::string id = Api("GET", kDb + "/branches/main", admin_).Json().as_object()["id"].as_string().c_str();
    schema_ = "br_" + id;
    RunResult r = server_->Sql("CREATE TABLE " + schema_ + ".items (id INT PRIMARY KEY, v INT)");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static inline const std::string kDb = "/v1/organizations/acme/databases/mydb";

  static HttpReply Api(const std::string& method, const std::string& path, const std::string& auth,
                       const std::string& body = "") {
    std::vector<std::string> headers;
    if (!auth.empty()) headers.push_back(auth);
    return Curl(method, server_->url() + path, headers, body);
  }

  static RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), OpscaleBin());
    std::map<std::string, std::string> env{{"PLANETSCALE_API_URL", server_->url()},
                                           {"PLANETSCALE_API_TOKEN", server_->admin().api_token},
                                           {"PLANETSCALE_ORG", "acme"},
                                           {"PLANETSCALE_SERVICE_TOKEN", "\x01unset"},
                                           {"PLANETSCALE_SERVICE_TOKEN_ID", "\x01unset"}};
    TempDir home;
    env["HOME"] = home.path();
    return RunProcess(args, env);
  }

  // `password create` through the CLI (json), parsed.
  static Pw Create(const std::string& name, const std::string& role, const std::string& branch = "main",
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"password", "create", "mydb", branch, name, "--role", role, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err << Masked(r.out);
    Pw p;
    if (r.exit_code != 0) return p;
    json::object o = json::parse(r.out).as_object();
    p.id = o["id"].as_string().c_str();
    p.username = o["username"].as_string().c_str();
    p.plain_text = o["plain_text"].as_string().c_str();
    p.host = o["access_host_url"].as_string().c_str();
    p.database = o["database"].as_string().c_str();
    p.port = static_cast<int>(o["port"].as_int64());
    return p;
  }

  static std::vector<std::string> ClientArgs(const Pw& p) {
    return {"/usr/bin/mariadb", "--no-defaults", "-h" + p.host, "-P" + std::to_string(p.port), "-u" + p.username,
            "-p" + p.plain_text, p.database, "-N", "-B"};
  }

  // Runs SQL as the password with the real client.
  static RunResult As(const Pw& p, const std::string& sql) {
    std::vector<std::string> args = ClientArgs(p);
    args.push_back("-e");
    args.push_back(sql);
    return RunProcess(args, {}, "", 30);
  }

  static Server* server_;
  static std::string admin_;
  static std::string schema_;
};

Server* PasswordTest::server_ = nullptr;
std::string PasswordTest::admin_;
std::string PasswordTest::schema_;

bool Denied(const RunResult& r) {
  return r.exit_code != 0 && (r.err.find("denied") != std::string::npos);
}

TEST_F(PasswordTest, EachRoleGetsItsGrants) {
  Pw reader = Create("ro", "reader");
  Pw writer = Create("wo", "writer");
  Pw rw = Create("rw", "readwriter");
  Pw admin = Create("adm", "admin");
  ASSERT_FALSE(admin.id.empty());
  EXPECT_EQ(reader.plain_text.rfind("pscale_pw_", 0), 0u);
  EXPECT_EQ(reader.username.size(), 20u);
  EXPECT_EQ(reader.database, schema_);

  RunResult w = As(writer, "INSERT INTO items VALUES (1, 10)");
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_TRUE(Denied(As(writer, "SELECT * FROM items")));

  RunResult r = As(reader, "SELECT v FROM items WHERE id = 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "10\n");
  EXPECT_TRUE(Denied(As(reader, "INSERT INTO items VALUES (2, 20)")));

  RunResult both = As(rw, "INSERT INTO items VALUES (3, 30); SELECT COUNT(*) FROM items");
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_EQ(both.out, "2\n");
  EXPECT_TRUE(Denied(As(rw, "CREATE TABLE nope (id INT)")));

  RunResult ddl = As(admin, "CREATE TABLE admin_made (id INT PRIMARY KEY); SELECT COUNT(*) FROM items");
  EXPECT_EQ(ddl.exit_code, 0) << ddl.err;
  // No password reaches another schema.
  EXPECT_TRUE(Denied(As(admin, "SELECT * FROM mysql.user")));

  // The secret is shown once: list/get never carry it.
  HttpReply got = Api("GET", kDb + "/branches/main/passwords/" + admin.id, admin_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_TRUE(got.Json().as_object()["plain_text"].is_null());
  EXPECT_EQ(got.body.find(admin.plain_text), std::string::npos);
  RunResult list = Cli({"password", "list", "mydb", "main"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("Can Read & Write"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(reader.username), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("pscale_pw_"), std::string::npos);
}

TEST_F(PasswordTest, HumanCreatePrintsTableAndClientCommand) {
  RunResult r = Cli({"password", "create", "mydb", "main", "human-one"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Password human-one was successfully created in mydb/main."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Please save the values below as they will not be shown again"), std::string::npos);
  EXPECT_NE(r.out.find("Can Read, Write & Administer"), std::string::npos);
  EXPECT_NE(r.out.find("mariadb -h 127.0.0.1 -P " + std::to_string(server_->MariaDbPort()) + " -u "),
            std::string::npos)
      << Masked(r.out);
}

TEST_F(PasswordTest, SafeMigrationsTakeDdlFromAdminPasswords) {
  Pw admin = Create("sm-admin", "admin");
  ASSERT_EQ(As(admin, "CREATE TABLE sm1 (id INT)").exit_code, 0);
  HttpReply on = Api("POST", kDb + "/branches/main/safe-migrations", admin_);
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_TRUE(on.Json().as_object()["safe_migrations"].as_bool());
  RunResult ddl = As(admin, "CREATE TABLE sm2 (id INT)");
  EXPECT_TRUE(Denied(ddl)) << ddl.exit_code << ddl.err;
  RunResult dml = As(admin, "INSERT INTO items VALUES (100, 1); SELECT v FROM items WHERE id = 100");
  EXPECT_EQ(dml.exit_code, 0) << dml.err;
  // A password made while safe migrations are on has no DDL either.
  Pw later = Create("sm-later", "admin");
  EXPECT_TRUE(Denied(As(later, "DROP TABLE sm1")));

  HttpReply off = Api("DELETE", kDb + "/branches/main/safe-migrations", admin_);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(off.Json().as_object()["safe_migrations"].as_bool());
  RunResult again = As(later, "CREATE TABLE sm3 (id INT)");
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(PasswordTest, PromoteAndDemote) {
  ASSERT_EQ(Api("POST", kDb + "/branches", admin_, R"({"name":"dev"})").status, 201);
  HttpReply demote_main = Api("POST", kDb + "/branches/main/demote", admin_);
  EXPECT_EQ(demote_main.status, 422) << demote_main.body;  // the only production branch
  HttpReply promoted = Api("POST", kDb + "/branches/dev/promote", admin_);
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_TRUE(promoted.Json().as_object()["production"].as_bool());
  HttpReply demoted = Api("POST", kDb + "/branches/dev/demote", admin_);
  ASSERT_EQ(demoted.status, 200) << demoted.body;
  EXPECT_FALSE(demoted.Json().as_object()["production"].as_bool());
  // Deleting the branch drops its passwords' accounts.
  Pw dev = Create("dev-pw", "admin", "dev");
  ASSERT_EQ(As(dev, "SELECT 1").exit_code, 0);
  ASSERT_EQ(Api("DELETE", kDb + "/branches/dev", admin_).status, 204);
  EXPECT_EQ(server_->Sql("SELECT COUNT(*) FROM mysql.user WHERE user = '" + dev.username + "'").out, "0\n");
}

TEST_F(PasswordTest, DeleteCutsLiveSessionAndRefusesLogin) {
  Pw p = Create("doomed", "reader");
  ASSERT_EQ(As(p, "SELECT 1").exit_code, 0);
  std::vector<std::string> args = ClientArgs(p);
  args.push_back("-e");
  args.push_back("SELECT SLEEP(20)");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Wait until the session is live.
  std::string count_sql =
      "SELECT COUNT(*) FROM information_schema.processlist WHERE user = '" + p.username + "'";
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (server_->Sql(count_sql).out != "1\n" && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(server_->Sql(count_sql).out, "1\n");

  RunResult del = Cli({"password", "delete", "mydb", "main", p.id, "--force"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("Password " + p.id + " was successfully deleted from main."), std::string::npos) << del.out;
  auto start = Clock::now();
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(child, &status, WNOHANG)) == 0 && Clock::now() - start < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (done == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL() << "the live session survived the delete";
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  RunResult login = As(p, "SELECT 1");
  EXPECT_NE(login.exit_code, 0);
  EXPECT_NE(login.err.find("Access denied"), std::string::npos) << login.err;
  EXPECT_EQ(Api("GET", kDb + "/branches/main/passwords/" + p.id, admin_).status, 404);
}

TEST_F(PasswordTest, TtlPasswordIsDroppedByTheReaper) {
  Pw p = Create("short", "reader", "main", {"--ttl", "2"});
  ASSERT_EQ(As(p, "SELECT 1").exit_code, 0);
  HttpReply got = Api("GET", kDb + "/branches/main/passwords/" + p.id, admin_);
  EXPECT_EQ(got.Json().as_object()["ttl_seconds"].as_int64(), 2);
  EXPECT_TRUE(got.Json().as_object()["renewable"].as_bool());
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  RunResult login = As(p, "SELECT 1");
  EXPECT_NE(login.exit_code, 0);
  EXPECT_NE(login.err.find("Access denied"), std::string::npos) << login.err;
  EXPECT_EQ(Api("GET", kDb + "/branches/main/passwords/" + p.id, admin_).status, 404);
  HttpReply audit = Api("GET", "/v1/organizations/acme/audit-log", admin_);
  EXPECT_NE(audit.body.find("database_branch_password.expired"), std::string::npos);

  // Renew: only passwords with a ttl.
  Pw renewable = Create("renewable", "reader", "main", {"--ttl", "1h"});
  RunResult renew = Cli({"password", "renew", "mydb", "main", renewable.id});
  EXPECT_EQ(renew.exit_code, 0) << renew.err;
  Pw forever = Create("forever", "reader");
  HttpReply no = Api("POST", kDb + "/branches/main/passwords/" + forever.id + "/renew", admin_);
  EXPECT_EQ(no.status, 422) << no.body;
}

TEST_F(PasswordTest, AccessRules) {
  HttpReply t = Api("POST", "/v1/organizations/acme/service-tokens", admin_, "{}");
  ASSERT_EQ(t.status, 200);
  json::object tok = t.Json().as_object();
  std::string id = tok["id"].as_string().c_str();
  std::string h = TokenHeader(id, tok["token"].as_string().c_str());
  const std::string pws = kDb + "/branches/main/passwords";
  EXPECT_EQ(Api("GET", pws, h).status, 404);  // no access on the database: not visible
  ASSERT_EQ(Api("POST", "/v1/organizations/acme/service-tokens/" + id + "/access", admin_,
                R"({"database":"mydb","access":["read_branch"]})").status, 200);
  EXPECT_EQ(Api("GET", pws, h).status, 200);
  HttpReply denied = Api("POST", pws, h, R"({"name":"x"})");
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_NE(denied.body.find("connect_production_branch"), std::string::npos) << denied.body;  // main is production
  ASSERT_EQ(Api("POST", kDb + "/branches", admin_, R"({"name":"feat"})").status, 201);
  HttpReply dev_denied = Api("POST", kDb + "/branches/feat/passwords", h, R"({"name":"x"})");
  EXPECT_EQ(dev_denied.status, 403);
  EXPECT_NE(dev_denied.body.find("'connect_branch'"), std::string::npos) << dev_denied.body;
  // The CLI shows the same refusal.
  RunResult cli = RunProcess({OpscaleBin(), "password", "create", "mydb", "feat", "x", "--org", "acme"},
                             {{"PLANETSCALE_API_URL", server_->url()},
                              {"PLANETSCALE_SERVICE_TOKEN_ID", id},
                              {"PLANETSCALE_SERVICE_TOKEN", tok["token"].as_string().c_str()},
                              {"PLANETSCALE_API_TOKEN", "\x01unset"},
                              {"PLANETSCALE_ORG", "\x01unset"}});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE((cli.out + cli.err).find("connect_branch"), std::string::npos) << cli.out << cli.err;
  // With connect_branch it can create on the dev branch but not delete.
  ASSERT_EQ(Api("POST", "/v1/organizations/acme/service-tokens/" + id + "/access", admin_,
                R"({"database":"mydb","access":["connect_branch"]})").status, 200);
  HttpReply made = Api("POST", kDb + "/branches/feat/passwords", h, R"({"name":"x","role":"reader"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string pw_id = made.Json().as_object()["id"].as_string().c_str();
  HttpReply del = Api("DELETE", kDb + "/branches/feat/passwords/" + pw_id, h);
  EXPECT_EQ(del.status, 403);
  EXPECT_NE(del.body.find("delete_branch_password"), std::string::npos) << del.body;
  EXPECT_EQ(Api("POST", kDb + "/branches/feat/passwords", h, R"({"name":"x","role":"boss"})").status, 422);

  // Another organization's admin sees nothing.
  RunResult other = RunProcess({OpscaledBin(), "org", "create", "--data-dir", server_->data_dir() + "/data",
                                "--org", "globex", "--admin-email", "boss@globex.test", "--format", "json"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  std::string globex = BearerHeader(json::parse(other.out).as_object()["api_token"].as_string().c_str());
  EXPECT_EQ(Api("GET", pws, globex).status, 404);
  EXPECT_EQ(Api("POST", pws, globex, R"({"name":"x"})").status, 404);
  EXPECT_EQ(Api("DELETE", kDb + "/branches/feat/passwords/" + pw_id, globex).status, 404);
  EXPECT_EQ(Api("POST", kDb + "/branches/main/safe-migrations", globex).status, 404);
}

}  // namespace
}  // namespace opscale::testutil
