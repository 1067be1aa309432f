// PostgreSQL-only checks: migrations across opens and racing nodes, the
// isolation of concurrent transactions from several stores (nodes) on one
// database, the change version seen across nodes, reconnection, and that no
// error message reveals the connection password. The backend-neutral
// contract is in storage/store_test.cc (run here too, as pg.StoreTest.*).
//
// Needs OPSCALE_TEST_STORE naming a server (see postgres_test_database.h);
// CTest sets it and starts the server (fixture "postgres"). Without it every
// test is skipped.
#include "storage/postgres/postgres_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/postgres_migrations.h"
#include "storage/postgres/postgres_test_database.h"

namespace opscale::postgres {
namespace {

using std::chrono::milliseconds;

ServiceToken MakeToken(const std::string& id, const std::string& org_id) {
  ServiceToken t;
  t.id = id;
  t.org_id = org_id;
  t.secret_hash = "hash-" + id;
  t.created_by = Actor{ActorType::kUser, "u1", "Ada"};
  t.created_at = t.updated_at = 1;
  return t;
}

Database MakeDb(const std::string& id, const std::string& org_id) {
  Database d;
  d.id = id;
  d.org_id = org_id;
  d.name = "db-" + id;
  d.created_by = Actor{ActorType::kUser, "u1", "Ada"};
  return d;
}

DeployRequest MakeDr(const std::string& id, const std::string& db_id, int64_t number) {
  DeployRequest d;
  d.id = id;
  d.number = number;
  d.database_id = db_id;
  d.org_id = "o1";
  d.branch = "dev";
  d.into_branch = "main";
  d.state = "open";
  d.deployment_state = "pending";
  d.created_by = Actor{ActorType::kUser, "u1", "Ada"};
  return d;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* spec = std::getenv("OPSCALE_TEST_STORE");
    if (spec == nullptr || !IsPostgresTestSpec(spec)) {
      GTEST_SKIP() << "OPSCALE_TEST_STORE does not name a PostgreSQL server";
    }
    auto server = ServerUrlFromTestSpec(spec);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_url_ = *server;
    auto db = TestDatabase::Create(server_url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  // A store on this test's database; each call is another "node".
  std::unique_ptr<PostgresStore> Open() {
    auto r = PostgresStore::Open(db_->url());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  std::string server_url_;
  std::unique_ptr<TestDatabase> db_;
};

TEST_F(PostgresStoreTest, MigrationsRunOnceWhenNodesStartTogether) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<PostgresStore>> stores(kNodes);
  std::latch start(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      stores[i] = Open();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : stores) ASSERT_NE(s, nullptr);

  auto count = db_->Query("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, std::to_string(Migrations().size()));
  EXPECT_EQ(*db_->Query("SELECT max(version) FROM schema_migrations"),
            std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(*db_->Query("SELECT name FROM schema_migrations WHERE version = 4"), "oauth");

  // Reopening applies nothing and keeps data.
  ASSERT_TRUE(stores[0]->InsertOrganization({"o1", "acme", 1, 1}).ok());
  stores.clear();
  auto again = Open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(*db_->Query("SELECT count(*) FROM schema_migrations"),
            std::to_string(Migrations().size()));
  EXPECT_TRUE(again->GetOrganizationByName("acme").ok());
}

TEST_F(PostgresStoreTest, RefusesASchemaNewerThanThisBuild) {
  ASSERT_NE(Open(), nullptr);
  ASSERT_TRUE(db_->Query("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)").ok());
  auto r = PostgresStore::Open(db_->url());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("999"), std::string::npos) << r.status().message();
  // The failed open left no migration lock behind: the next one does not hang.
  EXPECT_EQ(PostgresStore::Open(db_->url()).status().code(), Code::kUnavailable);
}

// Write skew: each transaction inserts a token only if the org has none. Run
// concurrently from two nodes, a weaker isolation would let both insert;
// serializable makes one of them retry, see the other's token, and insert
// nothing. Both report success.
TEST_F(PostgresStoreTest, ConcurrentTransactsFromTwoNodesAreSerializable) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  constexpr int kRounds = 5;
  for (int r = 0; r < kRounds; ++r) {
    ASSERT_TRUE(
        a->InsertOrganization({"o" + std::to_string(r), "org" + std::to_string(r), 1, 1}).ok());
  }
  std::atomic<int> runs{0};
  auto node = [&](PostgresStore* store, const std::string& who, std::latch* start) {
    start->arrive_and_wait();
    std::vector<Status> out;
    for (int r = 0; r < kRounds; ++r) {
      const std::string org = "o" + std::to_string(r);
      out.push_back(store->Transact([&](Store& tx) -> Status {
        ++runs;
        OPSCALE_ASSIGN_OR_RETURN(std::vector<ServiceToken> tokens, tx.ListServiceTokens(org));
        std::this_thread::sleep_for(milliseconds(30));  // let the other node read too
        if (!tokens.empty()) return Status::Ok();
        return tx.InsertServiceToken(MakeToken(org + "-" + who, org));
      }));
    }
    return out;
  };
  std::latch start(2);
  std::vector<Status> from_a, from_b;
  std::thread ta([&] { from_a = node(a.get(), "a", &start); });
  std::thread tb([&] { from_b = node(b.get(), "b", &start); });
  ta.join();
  tb.join();
  for (int r = 0; r < kRounds; ++r) {
    EXPECT_TRUE(from_a[r].ok()) << from_a[r].ToString();
    EXPECT_TRUE(from_b[r].ok()) << from_b[r].ToString();
    EXPECT_EQ(a->ListServiceTokens("o" + std::to_string(r))->size(), 1u) << "round " << r;
  }
  EXPECT_GT(runs.load(), 2 * kRounds) << "no transaction was retried";
}

// Read-then-insert numbering (as the deploy request service does) from two
// nodes at once: every transaction succeeds and the numbers are 1..N.
TEST_F(PostgresStoreTest, ConcurrentNumberingFromTwoNodesNeverCollides) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->InsertOrganization({"o1", "acme", 1, 1}).ok());
  ASSERT_TRUE(a->InsertDatabase(MakeDb("db1", "o1")).ok());
  constexpr int kPerNode = 10;
  std::atomic<int> failures{0};
  std::latch start(2);
  auto node = [&](PostgresStore* store, const std::string& who) {
    start.arrive_and_wait();
    for (int i = 0; i < kPerNode; ++i) {
      Status s = store->Transact([&](Store& tx) -> Status {
        OPSCALE_ASSIGN_OR_RETURN(int64_t max, tx.MaxDeployRequestNumber("db1"));
        return tx.InsertDeployRequest(MakeDr(who + std::to_string(i), "db1", max + 1));
      });
      if (!s.ok()) {
        ++failures;
        ADD_FAILURE() << s.ToString();
      }
    }
  };
  std::thread ta(node, a.get(), "a");
  std::thread tb(node, b.get(), "b");
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  auto drs = a->ListDeployRequests("db1");
  ASSERT_TRUE(drs.ok());
  ASSERT_EQ(drs->size(), size_t{2 * kPerNode});
  for (int i = 0; i < 2 * kPerNode; ++i) EXPECT_EQ((*drs)[i].number, i + 1);
}

// A grant written by one node while another deletes the database it names:
// either the grant was first (and the delete removed it) or the delete was
// first (and the grant's transaction, retried, sees no database). Never a
// grant on a database that is gone.
TEST_F(PostgresStoreTest, GrantRacingDatabaseDeletionLeavesNoStrayGrant) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->InsertOrganization({"o1", "acme", 1, 1}).ok());
  ASSERT_TRUE(a->InsertServiceToken(MakeToken("t1", "o1")).ok());
  constexpr int kRounds = 4;
  for (int r = 0; r < kRounds; ++r) {
    const std::string db = "db" + std::to_string(r);
    ASSERT_TRUE(a->InsertDatabase(MakeDb(db, "o1")).ok());
    std::latch start(2);
    std::thread granter([&] {
      start.arrive_and_wait();
      Status s = a->Transact([&](Store& tx) -> Status {
        OPSCALE_RETURN_IF_ERROR(tx.GetDatabaseById(db).status());
        std::this_thread::sleep_for(milliseconds(30));  // the delete lands here
        return tx.InsertGrant({"g" + db, "t1", ResourceType::kDatabase, db, "read_branch", 1});
      });
      EXPECT_TRUE(s.ok() || s.code() == Code::kNotFound) << s.ToString();
    });
    std::thread deleter([&] {
      start.arrive_and_wait();
      std::this_thread::sleep_for(milliseconds(10));
      EXPECT_TRUE(b->DeleteDatabase(db).ok());
    });
    granter.join();
    deleter.join();
    EXPECT_EQ(a->GetDatabaseById(db).status().code(), Code::kNotFound);
  }
  auto grants = a->ListGrants("t1");
  ASSERT_TRUE(grants.ok());
  for (const Grant& g : *grants) ADD_FAILURE() << "stray grant on deleted " << g.resource_id;
}

TEST_F(PostgresStoreTest, ExternalChangeVersionSeesAnotherNodesWrites) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  auto v0 = a->ExternalChangeVersion();
  ASSERT_TRUE(v0.ok()) << v0.status().ToString();
  EXPECT_EQ(*a->ExternalChangeVersion(), *v0);

  ASSERT_TRUE(b->InsertOrganization({"o1", "acme", 1, 1}).ok());  // standalone write
  int64_t v1 = *a->ExternalChangeVersion();
  EXPECT_NE(v1, *v0);

  // Reads, failed writes and rolled-back transactions change nothing.
  ASSERT_TRUE(b->Transact([](Store& tx) { return tx.ListOrganizations().status(); }).ok());
  EXPECT_EQ(b->InsertOrganization({"o1", "dup", 1, 1}).code(), Code::kConflict);
  EXPECT_FALSE(b->Transact([](Store& tx) -> Status {
                  OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization({"o2", "beta", 1, 1}));
                  return Status::Unprocessable("no");
                }).ok());
  EXPECT_EQ(*a->ExternalChangeVersion(), v1);

  ASSERT_TRUE(b->Transact([](Store& tx) -> Status {
                 OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization({"o2", "beta", 1, 1}));
                 return tx.InsertOrganization({"o3", "gamma", 1, 1});
               }).ok());
  int64_t v2 = *a->ExternalChangeVersion();
  EXPECT_NE(v2, v1);
  EXPECT_EQ(a->ListOrganizations()->size(), 3u);
}

TEST_F(PostgresStoreTest, ConnectionErrorsAreUnavailableAndHideThePassword) {
  const std::string secret = "hunter2-Sekr3t";
  // A live server, so the login gets as far as the missing database.
  std::string live = server_url_;
  live.replace(live.find("opscale@"), 8, "opscale:" + secret + "@");
  const std::vector<std::string> specs = {
      "postgres://opscale:" + secret + "@127.0.0.1:1/postgres",
      "postgresql://opscale:hunter2%2DSekr3t@127.0.0.1:1/postgres",
      "postgres://opscale@127.0.0.1:1/postgres?password=" + secret,
      "host=127.0.0.1 port=1 user=opscale password=" + secret + " dbname=postgres",
      "postgresql://opscale:" + secret + "@[::1/postgres",  // malformed: libpq echoes it
      UrlWithDatabase(live, "no_such_database"),
  };
  for (const std::string& spec : specs) {
    auto r = PostgresStore::Open(spec);
    ASSERT_FALSE(r.ok()) << spec;
    EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
    const std::string& m = r.status().message();
    EXPECT_EQ(m.find("Sekr3t"), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
    EXPECT_NE(m.find("PostgreSQL"), std::string::npos) << m;
  }
  // Through the factory, as opscaled --store does.
  auto r = OpenStore("postgres://opscale:" + secret + "@127.0.0.1:1/postgres", "");
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message().find(secret), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos) << r.status().message();
}

TEST_F(PostgresStoreTest, ReconnectsAfterTheServerDropsTheConnection) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertOrganization({"o1", "acme", 1, 1}).ok());
  auto kill_store_connection = [&] {
    // With a timeout, pg_terminate_backend waits until the backend is gone.
    ASSERT_TRUE(db_->Query("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                    .ok());
  };
  // A read, and a Transact(), find the dead connection and run on a new one.
  kill_store_connection();
  auto orgs = store->ListOrganizations();
  ASSERT_TRUE(orgs.ok()) << orgs.status().ToString();
  EXPECT_EQ(orgs->size(), 1u);
  kill_store_connection();
  EXPECT_TRUE(store->Transact([](Store& tx) {
                     return tx.InsertOrganization({"o2", "beta", 1, 1});
                   })
                  .ok());
  // A standalone write does not guess whether it committed: Unavailable
  // once, then the next call reconnects.
  kill_store_connection();
  Status s = store->InsertOrganization({"o3", "gamma", 1, 1});
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_TRUE(store->InsertOrganization({"o3", "gamma", 1, 1}).ok());
  EXPECT_EQ(store->ListOrganizations()->size(), 3u);
}

// Unlike SQLite, a failed statement aborts the PostgreSQL transaction; if fn
// ignores the error and returns Ok, nothing may be committed.
TEST_F(PostgresStoreTest, TransactIgnoringAFailedStatementCommitsNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertOrganization({"o1", "acme", 1, 1}).ok());
  Status s = store->Transact([](Store& tx) -> Status {
    EXPECT_TRUE(tx.InsertOrganization({"o2", "beta", 1, 1}).ok());
    EXPECT_EQ(tx.InsertOrganization({"o3", "acme", 1, 1}).code(), Code::kConflict);
    return Status::Ok();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(store->ListOrganizations()->size(), 1u);
  // A nested Transact contains its failure: the outer one commits.
  s = store->Transact([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization({"o2", "beta", 1, 1}));
    EXPECT_EQ(tx.Transact([](Store& t2) {
                  return t2.InsertOrganization({"o3", "acme", 1, 1});
                }).code(),
              Code::kConflict);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->ListOrganizations()->size(), 2u);
}

}  // namespace
}  // namespace opscale::postgres
