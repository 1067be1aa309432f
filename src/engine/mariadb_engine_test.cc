// Runs MariaDbEngine against a real private mariadbd, started once for the
// suite in a temporary directory and stopped (by pid) when the suite ends.
// ctest runs every test in its own process, so the installed (stopped)
// instance is kept as a template next to the test binary and copied: one
// mariadb-install-db (~4 s) per build instead of one per test.
#include "engine/mariadb_engine.h"

#include <errmsg.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mysqld_error.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "engine/mariadb_connection.h"
#include "engine/private_mariadb.h"

namespace opscale::engine {
namespace {

namespace fs = std::filesystem;
constexpr unsigned kOk = 0;

// <dir of this binary>/engine_test_template_<mariadbd mtime>: a data dir
// holding an installed, cleanly stopped private instance. Built once under
// a file lock (ctest -j runs several of us at once), then copied into `to`.
Status CopyTemplateInstance(const std::string& to) {
  std::error_code ec;
  fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  struct stat st {};
  if (ec || stat("/usr/sbin/mariadbd", &st) != 0) return Status::Ok();  // fresh install instead
  std::string tmpl = (exe_dir / ("engine_test_template_" + std::to_string(st.st_mtime))).string();
  int lock = open((tmpl + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) close(lock);
    return Status::Ok();
  }
  Status result = Status::Ok();
  if (!fs::exists(tmpl + "/mariadb/installed") || !fs::exists(tmpl + "/mariadb/admin.cnf")) {
    fs::remove_all(tmpl, ec);
    PrivateMariaDbOptions options;
    options.data_dir = tmpl;
    Result<std::unique_ptr<PrivateMariaDb>> built = PrivateMariaDb::Start(options);
    result = built.ok() ? (*built)->Stop() : built.status();
    if (built.ok()) {
      std::cerr << "[ engine   ] template: mariadb-install-db " << (*built)->install_time().count()
                << " ms, mariadbd start " << (*built)->start_time().count() << " ms\n";
    }
  }
  if (result.ok()) {
    fs::copy(tmpl + "/mariadb", to + "/mariadb", fs::copy_options::recursive, ec);
    if (ec) result = Status::Internal("copying the template: " + ec.message());
  }
  close(lock);
  return result;
}

class MariaDbEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/opscale-engine-test-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    Status copied = CopyTemplateInstance(*dir_);
    if (!copied.ok()) {
      start_error_ = new std::string(copied.ToString());
      return;
    }
    PrivateMariaDbOptions options;
    options.data_dir = *dir_;
    Result<std::unique_ptr<PrivateMariaDb>> started = PrivateMariaDb::Start(options);
    if (!started.ok()) {
      start_error_ = new std::string(started.status().ToString());
      return;
    }
    instance_ = std::move(started).value().release();
    std::cerr << "[ engine   ] mariadb-install-db " << instance_->install_time().count()
              << " ms, mariadbd start " << instance_->start_time().count() << " ms\n";
    MariaDbEngineOptions engine_options;
    engine_options.dsn = instance_->admin_dsn();
    engine_options.label = "private";
    Result<std::unique_ptr<Engine>> engine = ConnectMariaDb(engine_options);
    if (!engine.ok()) {
      start_error_ = new std::string(engine.status().ToString());
      return;
    }
    engine_ = std::move(engine).value().release();
  }

  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
    if (instance_ != nullptr) {
      auto start = std::chrono::steady_clock::now();
      EXPECT_TRUE(instance_->Stop().ok());
      std::cerr << "[ engine   ] mariadbd stop "
                << std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count()
                << " ms\n";
      delete instance_;  // stops by pid if Stop() was not reached
      instance_ = nullptr;
    }
    std::error_code ec;
    fs::remove_all(*dir_, ec);
  }

  void SetUp() override {
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    admin_ = Login(instance_->admin_dsn().user, instance_->admin_dsn().password);
    ASSERT_NE(admin_, nullptr);
  }

  static std::unique_ptr<MariaDbConnection> Login(const std::string& user,
                                                  const std::string& password) {
    DsnSpec dsn{user, password, "127.0.0.1", instance_->port()};
    Result<std::unique_ptr<MariaDbConnection>> conn = MariaDbConnection::Open(dsn);
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  // Error number of running `sql` (0 when it succeeded).
  static unsigned Try(MariaDbConnection& conn, const std::string& sql) {
    (void)conn.Exec(sql);
    return conn.last_errno();
  }

  std::string One(const std::string& sql) {
    Result<std::vector<Row>> rows = admin_->Query(sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    return rows.ok() && !rows->empty() ? (*rows)[0][0] : "";
  }

  void Exec(const std::string& sql) { ASSERT_TRUE(admin_->Exec(sql).ok()) << sql; }

  static inline std::string* dir_ = nullptr;
  static inline std::string* start_error_ = nullptr;
  static inline PrivateMariaDb* instance_ = nullptr;
  static inline Engine* engine_ = nullptr;
  std::unique_ptr<MariaDbConnection> admin_;
};

TEST_F(MariaDbEngineTest, CreatesCopiesListsAndDropsSchemas) {
  Engine& e = *engine_;
  ASSERT_TRUE(e.CreateSchema("shop_main").ok());
  EXPECT_EQ(e.CreateSchema("shop_main").code(), Code::kConflict);
  EXPECT_EQ(One("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA "
                "WHERE SCHEMA_NAME = 'shop_main'"),
            "utf8mb4");
  Exec(
      "CREATE TABLE shop_main.users (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
      "email VARCHAR(255) NOT NULL, name VARCHAR(100), created_at DATETIME DEFAULT "
      "CURRENT_TIMESTAMP, UNIQUE KEY uk_email (email), KEY idx_name (name))");
  Exec(
      "CREATE TABLE shop_main.orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
      "user_id BIGINT NOT NULL, total DECIMAL(10,2) NOT NULL DEFAULT 0, "
      "KEY idx_user_total (user_id, total), "
      "CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id))");
  Exec(
      "CREATE TABLE shop_main.`audit-log` (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft (body))");
  Exec("CREATE VIEW shop_main.big_orders AS SELECT id FROM shop_main.orders WHERE total > 100");
  Exec("INSERT INTO shop_main.users (email, name) VALUES ('a@x', 'A'), ('b@x', 'B')");
  Exec("INSERT INTO shop_main.orders (user_id, total) VALUES (1, 150), (2, 20)");

  Result<std::vector<TableDdl>> tables = e.ListTables("shop_main");
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 3u);  // the view is not a base table
  EXPECT_EQ((*tables)[0].name, "audit-log");
  EXPECT_EQ((*tables)[1].name, "orders");
  EXPECT_EQ((*tables)[2].name, "users");
  EXPECT_NE((*tables)[2].ddl.find("CREATE TABLE `users`"), std::string::npos);
  EXPECT_NE((*tables)[2].ddl.find("UNIQUE KEY `uk_email`"), std::string::npos);
  EXPECT_NE((*tables)[1].ddl.find("FOREIGN KEY (`user_id`) REFERENCES `users`"), std::string::npos);
  for (const TableDdl& t : *tables) EXPECT_EQ(t.ddl.find("AUTO_INCREMENT="), std::string::npos);

  ASSERT_TRUE(e.CopySchema("shop_main", "shop_dev-1").ok());
  Result<std::vector<TableDdl>> copied = e.ListTables("shop_dev-1");
  ASSERT_TRUE(copied.ok());
  ASSERT_EQ(copied->size(), tables->size());
  for (size_t i = 0; i < tables->size(); ++i) {
    EXPECT_EQ((*copied)[i].name, (*tables)[i].name);
    EXPECT_EQ((*copied)[i].ddl, (*tables)[i].ddl);
  }
  EXPECT_EQ(One("SELECT COUNT(*) FROM `shop_dev-1`.users"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM `shop_dev-1`.orders"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                "'shop_dev-1'"),
            One("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                "'shop_main'"));
  // The copy's foreign key points inside the copy.
  EXPECT_EQ(One("SELECT REFERENCED_TABLE_SCHEMA FROM information_schema.KEY_COLUMN_USAGE "
                "WHERE TABLE_SCHEMA = 'shop_dev-1' AND REFERENCED_TABLE_NAME = 'users'"),
            "shop_dev-1");
  // The copy starts its counters afresh.
  Exec("INSERT INTO `shop_dev-1`.users (email) VALUES ('c@x')");
  EXPECT_EQ(One("SELECT MAX(id) FROM `shop_dev-1`.users"), "1");

  EXPECT_EQ(e.CopySchema("shop_main", "shop_dev-1").code(), Code::kConflict);
  EXPECT_EQ(e.CopySchema("nope", "shop_x").code(), Code::kNotFound);
  EXPECT_EQ(One("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'shop_x'"),
            "0");
  EXPECT_EQ(e.CopySchema("shop_main", "shop_main").code(), Code::kInvalidArgument);
  EXPECT_EQ(e.ListTables("nope").status().code(), Code::kNotFound);

  ASSERT_TRUE(e.CreateSchema("empty").ok());
  Result<std::vector<TableDdl>> none = e.ListTables("empty");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  for (const char* s : {"shop_dev-1", "shop_dev-1", "empty", "shop_main", "never-existed"}) {
    EXPECT_TRUE(e.DropSchema(s).ok()) << s;
  }
  EXPECT_EQ(One("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'shop%'"),
            "0");
}

TEST_F(MariaDbEngineTest, RejectsInjectionBeforeAnySql) {
  Engine& e = *engine_;
  ASSERT_TRUE(e.CreateSchema("victim").ok());
  const std::string evil = "a`; DROP DATABASE victim; --";
  EXPECT_EQ(e.CreateSchema(evil).code(), Code::kInvalidArgument);
  EXPECT_EQ(e.DropSchema(evil).code(), Code::kInvalidArgument);
  EXPECT_EQ(e.CopySchema("victim", evil).code(), Code::kInvalidArgument);
  EXPECT_EQ(e.ListTables(evil).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(e.DropSchema("mysql").code(), Code::kInvalidArgument);
  EXPECT_EQ(e.CreateAccount({"u' IDENTIFIED BY 'x", "pw", "victim", Role::kAdmin, true, {}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(e.CreateAccount({"eviluser", "pw", "victim", Role::kAdmin, true, {"%' OR '1"}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(e.DropAccount("root").code(), Code::kInvalidArgument);
  EXPECT_EQ(e.DropAccount("opscale_admin").code(), Code::kInvalidArgument);
  EXPECT_EQ(e.KillSessions("x' OR '1'='1").code(), Code::kInvalidArgument);
  EXPECT_EQ(One("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'victim'"),
            "1");
  // Quotes and backslashes in a password are data, not SQL.
  const std::string password = "p'w\"\\'; DROP DATABASE victim; --";
  ASSERT_TRUE(e.CreateAccount({"quoted", password, "victim", Role::kReader, true, {}}).ok());
  EXPECT_NE(Login("quoted", password), nullptr);
  EXPECT_EQ(Login("quoted", "p'w"), nullptr);
  EXPECT_TRUE(e.DropAccount("quoted").ok());
  EXPECT_TRUE(e.DropSchema("victim").ok());
}

TEST_F(MariaDbEngineTest, EachRoleGetsExactlyItsGrants) {
  Engine& e = *engine_;
  // "app_main" also matches "appxmain" if '_' were left unescaped in GRANT.
  for (const char* s : {"app_main", "appxmain"}) {
    ASSERT_TRUE(e.CreateSchema(s).ok());
    Exec(std::string("CREATE TABLE `") + s + "`.items (id INT PRIMARY KEY, v INT)");
    Exec(std::string("INSERT INTO `") + s + "`.items VALUES (1, 1), (2, 2)");
  }
  struct Case {
    Role role;
    unsigned select, insert, update_all, update_where, delete_where, create;
  };
  const unsigned kDenied = ER_TABLEACCESS_DENIED_ERROR, kColumn = ER_COLUMNACCESS_DENIED_ERROR;
  const Case cases[] = {
      {Role::kReader, kOk, kDenied, kDenied, kDenied, kDenied, kDenied},
      {Role::kWriter, kDenied, kOk, kOk, kColumn, kColumn, kDenied},
      {Role::kReadWriter, kOk, kOk, kOk, kOk, kOk, kDenied},
      {Role::kAdmin, kOk, kOk, kOk, kOk, kOk, kOk},
  };
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(RoleName(c.role)));
    std::string user = "role" + std::to_string(n), password = "pscale_pw_" + std::to_string(n);
    std::string id = std::to_string(100 + n++);
    ASSERT_TRUE(e.CreateAccount({user, password, "app_main", c.role, true, {}}).ok());
    EXPECT_EQ(e.CreateAccount({user, password, "app_main", c.role, true, {}}).code(),
              Code::kConflict);
    std::unique_ptr<MariaDbConnection> conn = Login(user, password);
    ASSERT_NE(conn, nullptr);
    ASSERT_TRUE(conn->SelectDb("app_main").ok());
    EXPECT_EQ(Try(*conn, "SELECT * FROM items"), c.select);
    EXPECT_EQ(Try(*conn, "INSERT INTO items VALUES (" + id + ", 0)"), c.insert);
    EXPECT_EQ(Try(*conn, "UPDATE items SET v = 5"), c.update_all);
    EXPECT_EQ(Try(*conn, "UPDATE items SET v = 6 WHERE id = 1"), c.update_where);
    EXPECT_EQ(Try(*conn, "DELETE FROM items WHERE id = " + id), c.delete_where);
    EXPECT_EQ(Try(*conn, "CREATE TABLE t" + id + " (id INT PRIMARY KEY)"), c.create);
    if (c.create == kOk) {
      EXPECT_EQ(Try(*conn, "ALTER TABLE t" + id + " ADD COLUMN x INT"), kOk);
      EXPECT_EQ(Try(*conn, "CREATE INDEX ix ON t" + id + " (x)"), kOk);
      EXPECT_EQ(Try(*conn, "DROP TABLE t" + id), kOk);
    } else {
      EXPECT_NE(Try(*conn, "ALTER TABLE items ADD COLUMN x INT"), kOk);
      EXPECT_NE(Try(*conn, "DROP TABLE items"), kOk);
    }
    // Nothing outside its schema, no GRANT OPTION, no new schemas.
    EXPECT_NE(Try(*conn, "SELECT * FROM appxmain.items"), kOk);
    EXPECT_NE(Try(*conn, "INSERT INTO appxmain.items VALUES (" + id + ", 0)"), kOk);
    EXPECT_NE(Try(*conn, "SELECT * FROM mysql.user"), kOk);
    EXPECT_NE(Try(*conn, "GRANT SELECT ON `app\\_main`.* TO 'role0'@'127.0.0.1'"), kOk);
    EXPECT_NE(Try(*conn, "CREATE DATABASE other_db"), kOk);
  }
  EXPECT_EQ(One("SELECT COUNT(*) FROM appxmain.items"), "2");
  EXPECT_EQ(e.CreateAccount({"nobranch", "pw", "missing", Role::kReader, true, {}}).code(),
            Code::kNotFound);
  for (int i = 0; i < n; ++i) {
    Status dropped = e.DropAccount("role" + std::to_string(i));
    EXPECT_TRUE(dropped.ok()) << dropped.ToString();
  }
  EXPECT_TRUE(e.DropSchema("app_main").ok());
  EXPECT_TRUE(e.DropSchema("appxmain").ok());
}

TEST_F(MariaDbEngineTest, SafeMigrationsToggleAdminDdl) {
  Engine& e = *engine_;
  ASSERT_TRUE(e.CreateSchema("prod").ok());
  Exec("CREATE TABLE prod.items (id INT PRIMARY KEY, v INT)");
  ASSERT_TRUE(e.CreateAccount({"safeadmin", "pw1", "prod", Role::kAdmin, false, {}}).ok());
  {
    std::unique_ptr<MariaDbConnection> conn = Login("safeadmin", "pw1");
    ASSERT_NE(conn, nullptr);
    ASSERT_TRUE(conn->SelectDb("prod").ok());
    EXPECT_EQ(Try(*conn, "INSERT INTO items VALUES (1, 1)"), kOk);
    EXPECT_EQ(Try(*conn, "UPDATE items SET v = 2 WHERE id = 1"), kOk);
    EXPECT_EQ(Try(*conn, "SELECT * FROM items"), kOk);
    EXPECT_EQ(Try(*conn, "CREATE TABLE t (id INT PRIMARY KEY)"), ER_TABLEACCESS_DENIED_ERROR);
    EXPECT_EQ(Try(*conn, "ALTER TABLE items ADD COLUMN x INT"), ER_TABLEACCESS_DENIED_ERROR);
    EXPECT_EQ(Try(*conn, "DROP TABLE items"), ER_TABLEACCESS_DENIED_ERROR);
    EXPECT_EQ(Try(*conn, "TRUNCATE TABLE items"), ER_TABLEACCESS_DENIED_ERROR);
  }
  ASSERT_TRUE(e.SetDdlAllowed("safeadmin", "prod", Role::kAdmin, true).ok());
  std::unique_ptr<MariaDbConnection> open = Login("safeadmin", "pw1");
  ASSERT_NE(open, nullptr);
  ASSERT_TRUE(open->SelectDb("prod").ok());
  EXPECT_EQ(Try(*open, "CREATE TABLE t (id INT PRIMARY KEY)"), kOk);

  // Turning DDL off ends the sessions that cached the old privileges.
  ASSERT_TRUE(e.SetDdlAllowed("safeadmin", "prod", Role::kAdmin, false).ok());
  EXPECT_NE(Try(*open, "SELECT 1"), kOk);
  std::unique_ptr<MariaDbConnection> fresh = Login("safeadmin", "pw1");
  ASSERT_NE(fresh, nullptr);
  ASSERT_TRUE(fresh->SelectDb("prod").ok());
  EXPECT_EQ(Try(*fresh, "DROP TABLE t"), ER_TABLEACCESS_DENIED_ERROR);
  EXPECT_EQ(Try(*fresh, "SELECT * FROM items"), kOk);
  // Revoking twice is fine; other roles are untouched.
  EXPECT_TRUE(e.SetDdlAllowed("safeadmin", "prod", Role::kAdmin, false).ok());
  ASSERT_TRUE(e.CreateAccount({"safereader", "pw2", "prod", Role::kReader, true, {}}).ok());
  EXPECT_TRUE(e.SetDdlAllowed("safereader", "prod", Role::kReader, true).ok());
  std::unique_ptr<MariaDbConnection> reader = Login("safereader", "pw2");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(Try(*reader, "CREATE TABLE prod.r (id INT PRIMARY KEY)"), ER_TABLEACCESS_DENIED_ERROR);
  EXPECT_EQ(e.SetDdlAllowed("ghost", "prod", Role::kAdmin, true).code(), Code::kNotFound);

  EXPECT_TRUE(e.DropAccount("safeadmin").ok());
  EXPECT_TRUE(e.DropAccount("safereader").ok());
  EXPECT_TRUE(e.DropSchema("prod").ok());
}

TEST_F(MariaDbEngineTest, DropAccountKillsSessionsAndRefusesLogins) {
  Engine& e = *engine_;
  ASSERT_TRUE(e.CreateSchema("live").ok());
  ASSERT_TRUE(e.CreateAccount({"liveuser", "pw", "live", Role::kReadWriter, true, {}}).ok());
  std::unique_ptr<MariaDbConnection> a = Login("liveuser", "pw");
  std::unique_ptr<MariaDbConnection> b = Login("liveuser", "pw");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Result<int> count = e.CountSessions("liveuser");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);

  // KillSessions keeps the account.
  ASSERT_TRUE(e.KillSessions("liveuser").ok());
  EXPECT_NE(Try(*a, "SELECT 1"), kOk);
  EXPECT_TRUE(a->broken());
  a = Login("liveuser", "pw");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(Try(*a, "SELECT 1"), kOk);

  ASSERT_TRUE(e.DropAccount("liveuser").ok());
  unsigned after_drop = Try(*a, "SELECT 1");
  EXPECT_TRUE(after_drop == CR_SERVER_LOST || after_drop == CR_SERVER_GONE_ERROR ||
              after_drop == ER_CONNECTION_KILLED)
      << after_drop;
  EXPECT_EQ(Login("liveuser", "pw"), nullptr);
  for (int i = 0; i < 100; ++i) {
    count = e.CountSessions("liveuser");
    if (count.ok() && *count == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
  EXPECT_EQ(One("SELECT COUNT(*) FROM mysql.user WHERE User = 'liveuser'"), "0");
  EXPECT_TRUE(e.DropAccount("liveuser").ok());  // idempotent
  EXPECT_TRUE(e.KillSessions("nobody").ok());
  EXPECT_TRUE(e.DropSchema("live").ok());
}

TEST_F(MariaDbEngineTest, ConcurrentCallsAndDescription) {
  Engine& e = *engine_;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string s = "conc" + std::to_string(t) + "_" + std::to_string(i);
        if (!e.CreateSchema(s).ok() || !e.Ping().ok() || !e.ListTables(s).ok() ||
            !e.DropSchema(s).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(e.host(), "127.0.0.1");
  EXPECT_EQ(e.port(), instance_->port());
  std::string describe = e.Describe();
  EXPECT_NE(describe.find("MariaDB 10."), std::string::npos) << describe;
  EXPECT_NE(describe.find("(private)"), std::string::npos) << describe;
  EXPECT_EQ(describe.find(instance_->admin_dsn().password), std::string::npos);
}

}  // namespace
}  // namespace opscale::engine
