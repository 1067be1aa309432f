// SQLite-only checks: file mode, journal mode, the migrations table, lock
// waiting, and that a committed write survives kill -9. The backend-neutral
// contract is in storage/store_test.cc.
#include "storage/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_migrations.h"

namespace opscale::sqlite {
namespace {

// A second, plain connection for looking at the file from outside the store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err != nullptr ? err : "");
    sqlite3_free(err);
  }

  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

int FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscale-sqlite-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/opscale.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteStore> Open() {
    auto r = SqliteStore::Open(path_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, FilesArePrivateAndInWalMode) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertOrganization({"o1", "acme", 1, 1}).ok());
  EXPECT_EQ(FileMode(path_), 0600);
  EXPECT_EQ(FileMode(path_ + "-wal"), 0600);
  EXPECT_EQ(FileMode(path_ + "-shm"), 0600);
  EXPECT_EQ(RawDb(path_).QueryText("PRAGMA journal_mode"), "wal");

  // A file loosened by hand is tightened on the next open.
  store.reset();
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  store = Open();
  EXPECT_EQ(FileMode(path_), 0600);
}

// SQLite keeps using a file that was moved, replaced or overwritten through
// its open descriptor: CheckHealth() is what notices (fail closed).
TEST_F(SqliteStoreTest, CheckHealthNoticesTheFileGoneReplacedOrDamaged) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertOrganization({"o1", "acme", 1, 1}).ok());
  EXPECT_TRUE(store->CheckHealth().ok());
  // The probe keeps this process's locks on the file (a descriptor opened and
  // closed beside SQLite's would drop them): another connection closing must
  // still find us there and leave the write-ahead log alone.
  RawDb(path_).QueryText("SELECT count(*) FROM organizations");
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_TRUE(store->InsertOrganization({"o2", "beta", 1, 1}).ok());
  std::filesystem::rename(path_, path_ + ".aside");
  EXPECT_TRUE(store->GetOrganizationByName("acme").ok());  // SQLite alone sees nothing wrong
  Status gone = store->CheckHealth();
  EXPECT_EQ(gone.code(), Code::kUnavailable);
  EXPECT_NE(gone.message().find("is gone"), std::string::npos) << gone.message();
  {
    std::ofstream garbage(path_);
    garbage << std::string(4096, 'G');
  }
  EXPECT_NE(store->CheckHealth().message().find("no longer the file"), std::string::npos);
  std::filesystem::remove(path_);
  std::filesystem::rename(path_ + ".aside", path_);
  EXPECT_TRUE(store->CheckHealth().ok());
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f << "not SQLite at all";
  }
  Status damaged = store->CheckHealth();
  EXPECT_NE(damaged.message().find("damaged"), std::string::npos) << damaged.message();
}

TEST_F(SqliteStoreTest, RefusesADamagedFileWithAClearMessage) {
  {
    std::ofstream garbage(path_);
    garbage << std::string(8192, 'G');
  }
  auto r = SqliteStore::Open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot use the store " + path_), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("restore it from a backup"), std::string::npos);
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedOnce) {
  ASSERT_NE(Open(), nullptr);
  std::string first_applied;
  {
    RawDb raw(path_);
    EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_migrations"),
              std::to_string(Migrations().size()));
    EXPECT_EQ(raw.QueryText("SELECT MAX(version) FROM schema_migrations"),
              std::to_string(LatestSchemaVersion()));
    first_applied = raw.QueryText("SELECT applied_at FROM schema_migrations WHERE version = 1");
  }
  ASSERT_NE(Open(), nullptr);
  ASSERT_NE(Open(), nullptr);
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryText("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(Migrations().size()));
  EXPECT_EQ(raw.QueryText("SELECT applied_at FROM schema_migrations WHERE version = 1"),
            first_applied);
}

TEST_F(SqliteStoreTest, RefusesASchemaFromANewerBuild) {
  ASSERT_NE(Open(), nullptr);
  RawDb(path_).Exec("INSERT INTO schema_migrations VALUES (999, 'future', 0)");
  auto r = SqliteStore::Open(path_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("upgrade opscale"), std::string::npos)
      << r.status().message();
}

TEST_F(SqliteStoreTest, WaitsForAnotherWritersLock) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  RawDb raw(path_);
  raw.Exec("BEGIN IMMEDIATE");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    raw.Exec("COMMIT");
  });
  // Blocks on the lock (busy_timeout) instead of failing with "database is locked".
  Status s = store->InsertOrganization({"o1", "acme", 1, 1});
  release.join();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(SqliteStoreTest, TwoConnectionsWriteConcurrently) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->InsertOrganization({"o1", "acme", 1, 1}).ok());
  auto writer = [](SqliteStore* s, const std::string& prefix, int* failures) {
    for (int i = 0; i < 40; ++i) {
      std::string id = prefix + std::to_string(i);
      // Read, then write: with a deferred BEGIN the two connections would
      // deadlock on the lock upgrade and one would fail with SQLITE_BUSY.
      Status st = s->Transact([&](Store& tx) -> Status {
        auto existing = tx.ListDatabases("o1");
        if (!existing.ok()) return existing.status();
        Database d;
        d.id = id;
        d.org_id = "o1";
        d.name = id;
        return tx.InsertDatabase(d);
      });
      if (!st.ok()) ++*failures;
    }
  };
  int fa = 0, fb = 0;
  std::thread ta(writer, a.get(), "a", &fa);
  std::thread tb(writer, b.get(), "b", &fb);
  ta.join();
  tb.join();
  EXPECT_EQ(fa + fb, 0);
  EXPECT_EQ(a->ListDatabases("o1")->size(), 80u);
}

TEST_F(SqliteStoreTest, TransactUndoesWhenFnThrows) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_THROW((void)store->Transact([](Store& tx) -> Status {
    (void)tx.InsertOrganization({"o1", "acme", 1, 1});
    throw std::runtime_error("bug");
  }),
               std::runtime_error);
  EXPECT_TRUE(store->ListOrganizations()->empty());
  EXPECT_TRUE(store->Transact([](Store& tx) {
                     return tx.InsertOrganization({"o1", "acme", 1, 1});
                   })
                  .ok());
}

TEST_F(SqliteStoreTest, CommittedWriteSurvivesKill9) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: commit, then die without closing anything.
    auto r = SqliteStore::Open(path_);
    if (!r.ok()) _exit(2);
    Store& s = **r;
    if (!s.InsertOrganization({"o1", "acme", 1, 1}).ok()) _exit(3);
    Status st = s.Transact([](Store& tx) -> Status {
      Database d;
      d.id = "db1";
      d.org_id = "o1";
      d.name = "shop";
      return tx.InsertDatabase(d);
    });
    if (!st.ok()) _exit(4);
    ::kill(::getpid(), SIGKILL);
    _exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetOrganizationByName("acme").ok());
  EXPECT_TRUE(store->GetDatabase("o1", "shop").ok());
}

}  // namespace
}  // namespace opscale::sqlite
