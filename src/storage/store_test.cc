// The Store contract, written against Store& from OpenStore() so every
// backend runs the same suite. OPSCALE_TEST_STORE selects the backend spec
// (default "sqlite"; for PostgreSQL see postgres/postgres_test_database.h);
// each test gets a fresh data directory and, on PostgreSQL, a fresh database.
#include "storage/store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/postgres_test_database.h"

namespace opscale {
namespace {

std::string Spec() {
  const char* s = std::getenv("OPSCALE_TEST_STORE");
  return s != nullptr ? s : "sqlite";
}

Organization MakeOrg(const std::string& id, const std::string& name) {
  return Organization{id, name, 1000, 2000};
}

User MakeUser(const std::string& id, const std::string& email) {
  return User{id, email, "Name " + id, "$argon2id$hash-" + id, 1000, 2000};
}

Database MakeDb(const std::string& id, const std::string& org_id, const std::string& name) {
  Database d;
  d.id = id;
  d.org_id = org_id;
  d.name = name;
  d.notes = "notes of " + name;
  d.created_by = Actor{ActorType::kUser, "u1", "Ada"};
  d.created_at = 1000;
  d.updated_at = 1000;
  return d;
}

Branch MakeBranch(const std::string& id, const std::string& db_id, const std::string& name,
                  TimeMs created_at) {
  Branch b;
  b.id = id;
  b.database_id = db_id;
  b.name = name;
  b.parent_branch = "main";
  b.created_by = Actor{ActorType::kServiceToken, "tok1", "ci"};
  b.created_at = created_at;
  b.updated_at = created_at;
  return b;
}

ServiceToken MakeToken(const std::string& id, const std::string& org_id, TimeMs created_at) {
  ServiceToken t;
  t.id = id;
  t.org_id = org_id;
  t.name = "token " + id;
  t.secret_hash = "hash-" + id;
  t.created_by = Actor{ActorType::kUser, "u1", "Ada"};
  t.created_at = created_at;
  t.updated_at = created_at;
  return t;
}

Grant MakeGrant(const std::string& id, const std::string& token_id, ResourceType type,
                const std::string& resource_id, const std::string& access, TimeMs created_at) {
  return Grant{id, token_id, type, resource_id, access, created_at};
}

AuditEvent MakeEvent(const std::string& id, const std::string& org_id) {
  AuditEvent e;
  e.id = id;
  e.org_id = org_id;
  e.actor = Actor{ActorType::kServiceToken, "tok1", "ci"};
  e.action = "branch.created";
  e.auditable_type = "Branch";
  e.auditable_id = "b-" + id;
  e.auditable_display_name = "dev";
  e.target_type = "Database";
  e.target_id = "db1";
  e.target_display_name = "shop";
  e.metadata_json = R"({"n":")" + id + R"("})";
  e.remote_ip = "10.0.0.1";
  e.created_at = 5000;
  return e;
}

// Runs step(id, i) for i in [0, per_thread) on each of `threads` threads at
// once (ids "t<thread>-<i>"); returns how many steps returned false.
int FailuresOnThreads(int threads, int per_thread,
                      const std::function<bool(const std::string& id, int i)>& step) {
  std::atomic<int> failures{0};
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!step("t" + std::to_string(t) + "-" + std::to_string(i), i)) ++failures;
      }
    });
  }
  for (auto& th : running) th.join();
  return failures.load();
}

std::vector<std::string> Names(const std::vector<Branch>& bs) {
  std::vector<std::string> out;
  for (const auto& b : bs) out.push_back(b.name);
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscale-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    spec_ = Spec();
    if (postgres::IsPostgresTestSpec(spec_)) {
      auto server = postgres::ServerUrlFromTestSpec(spec_);
      ASSERT_TRUE(server.ok()) << server.status().ToString();
      auto db = postgres::TestDatabase::Create(*server);
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      pg_ = std::move(db).value();
      spec_ = pg_->url();
    }
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  void TearDown() override {
    store_.reset();
    pg_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> Open() {
    auto r = OpenStore(spec_, dir_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // An org "acme" (o1) with database "shop" (db1).
  void SeedOrgAndDb() {
    ASSERT_TRUE(store_->InsertOrganization(MakeOrg("o1", "acme")).ok());
    ASSERT_TRUE(store_->InsertDatabase(MakeDb("db1", "o1", "shop")).ok());
  }

  Store& store() { return *store_; }

  std::string dir_;
  std::string spec_;
  std::unique_ptr<postgres::TestDatabase> pg_;  // PostgreSQL runs only
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, OrganizationsCrud) {
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o2", "zeta")).ok());
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o1", "acme")).ok());

  auto by_name = store().GetOrganizationByName("acme");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->id, "o1");
  EXPECT_EQ(by_name->created_at, 1000);
  EXPECT_EQ(by_name->updated_at, 2000);
  EXPECT_EQ(store().GetOrganizationById("o2")->name, "zeta");

  auto all = store().ListOrganizations();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "acme");
  EXPECT_EQ((*all)[1].name, "zeta");

  EXPECT_EQ(store().GetOrganizationByName("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(store().GetOrganizationById("nope").status().code(), Code::kNotFound);
  Status dup_name = store().InsertOrganization(MakeOrg("o3", "acme"));
  EXPECT_EQ(dup_name.code(), Code::kConflict);
  EXPECT_NE(dup_name.message().find("acme"), std::string::npos) << dup_name.message();
  EXPECT_EQ(store().InsertOrganization(MakeOrg("o1", "other")).code(), Code::kConflict);
}

TEST_F(StoreTest, UsersAndMemberships) {
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o1", "acme")).ok());
  ASSERT_TRUE(store().InsertUser(MakeUser("u2", "zed@example.com")).ok());
  ASSERT_TRUE(store().InsertUser(MakeUser("u1", "ada@example.com")).ok());

  auto u = store().GetUserByEmail("ada@example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->id, "u1");
  EXPECT_EQ(u->display_name, "Name u1");
  EXPECT_EQ(u->password_hash, "$argon2id$hash-u1");
  EXPECT_EQ(store().GetUserById("u2")->email, "zed@example.com");
  EXPECT_EQ(store().ListUsers()->size(), 2u);
  EXPECT_EQ(store().ListUsers()->front().email, "ada@example.com");
  EXPECT_EQ(store().GetUserByEmail("x@y.z").status().code(), Code::kNotFound);
  EXPECT_EQ(store().GetUserById("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(store().InsertUser(MakeUser("u3", "ada@example.com")).code(), Code::kConflict);

  ASSERT_TRUE(store().UpsertMembership({"o1", "u1", Role::kMember, 10}).ok());
  ASSERT_TRUE(store().UpsertMembership({"o1", "u2", Role::kAdmin, 20}).ok());
  ASSERT_TRUE(store().UpsertMembership({"o1", "u1", Role::kAdmin, 30}).ok());  // replaces role
  auto ms = store().ListMemberships();
  ASSERT_TRUE(ms.ok());
  ASSERT_EQ(ms->size(), 2u);
  for (const Membership& m : *ms) EXPECT_EQ(m.role, Role::kAdmin) << m.user_id;
  EXPECT_EQ(store().UpsertMembership({"o1", "ghost", Role::kAdmin, 1}).code(), Code::kNotFound);
  EXPECT_EQ(store().UpsertMembership({"ghost", "u1", Role::kAdmin, 1}).code(), Code::kNotFound);
}

TEST_F(StoreTest, ApiTokensCrudAndTouch) {
  ASSERT_TRUE(store().InsertUser(MakeUser("u1", "ada@example.com")).ok());
  ApiToken a{"at1", "u1", "", "api", "admin", "hash-a", 100, std::nullopt, std::nullopt};
  ApiToken b{"at2", "u1", "o1", "oauth", "cli", "hash-b", 200, 9999, 150};
  ASSERT_TRUE(store().InsertApiToken(a).ok());
  ASSERT_TRUE(store().InsertApiToken(b).ok());
  EXPECT_EQ(store().InsertApiToken(a).code(), Code::kConflict);
  ApiToken orphan = a;
  orphan.id = "at3";
  orphan.user_id = "ghost";
  EXPECT_EQ(store().InsertApiToken(orphan).code(), Code::kNotFound);

  auto all = store().ListApiTokens();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "at1");
  EXPECT_EQ((*all)[0].org_id, "");
  EXPECT_FALSE((*all)[0].expires_at.has_value());
  EXPECT_FALSE((*all)[0].last_used_at.has_value());
  EXPECT_EQ((*all)[1].kind, "oauth");
  EXPECT_EQ((*all)[1].secret_hash, "hash-b");
  EXPECT_EQ((*all)[1].expires_at, std::optional<TimeMs>(9999));
  EXPECT_EQ((*all)[1].last_used_at, std::optional<TimeMs>(150));

  ASSERT_TRUE(store().TouchApiToken("at1", 777).ok());
  EXPECT_EQ(store().ListApiTokens()->front().last_used_at, std::optional<TimeMs>(777));
  EXPECT_EQ(store().TouchApiToken("nope", 1).code(), Code::kNotFound);

  ASSERT_TRUE(store().DeleteApiToken("at1").ok());
  EXPECT_EQ(store().DeleteApiToken("at1").code(), Code::kNotFound);
  EXPECT_EQ(store().ListApiTokens()->size(), 1u);
}

TEST_F(StoreTest, DatabasesCrud) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o2", "beta")).ok());
  ASSERT_TRUE(store().InsertDatabase(MakeDb("db2", "o1", "analytics")).ok());
  ASSERT_TRUE(store().InsertDatabase(MakeDb("db3", "o2", "shop")).ok());  // same name, other org

  auto d = store().GetDatabase("o1", "shop");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->id, "db1");
  EXPECT_EQ(d->region, "us-east");
  EXPECT_EQ(d->notes, "notes of shop");
  EXPECT_FALSE(d->require_approval_for_deploy);
  EXPECT_EQ(d->created_by.type, ActorType::kUser);
  EXPECT_EQ(d->created_by.id, "u1");
  EXPECT_EQ(d->created_by.display_name, "Ada");
  EXPECT_EQ(store().GetDatabaseById("db3")->org_id, "o2");

  auto list = store().ListDatabases("o1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "analytics");
  EXPECT_EQ((*list)[1].name, "shop");

  EXPECT_EQ(store().InsertDatabase(MakeDb("db9", "o1", "shop")).code(), Code::kConflict);
  EXPECT_EQ(store().InsertDatabase(MakeDb("db9", "ghost", "x")).code(), Code::kNotFound);
  EXPECT_EQ(store().GetDatabase("o1", "nope").status().code(), Code::kNotFound);
  EXPECT_EQ(store().GetDatabase("o2", "analytics").status().code(), Code::kNotFound);
  EXPECT_EQ(store().GetDatabaseById("nope").status().code(), Code::kNotFound);

  Database changed = *d;
  changed.notes = "new notes";
  changed.state = "sleeping";
  changed.require_approval_for_deploy = true;
  changed.updated_at = 3000;
  ASSERT_TRUE(store().UpdateDatabase(changed).ok());
  auto after = store().GetDatabaseById("db1");
  EXPECT_EQ(after->notes, "new notes");
  EXPECT_EQ(after->state, "sleeping");
  EXPECT_TRUE(after->require_approval_for_deploy);
  EXPECT_EQ(after->updated_at, 3000);
  EXPECT_EQ(after->created_at, 1000);

  changed.name = "analytics";  // rename onto a taken name
  EXPECT_EQ(store().UpdateDatabase(changed).code(), Code::kConflict);
  changed.id = "nope";
  changed.name = "fresh";
  EXPECT_EQ(store().UpdateDatabase(changed).code(), Code::kNotFound);
  EXPECT_EQ(store().DeleteDatabase("nope").code(), Code::kNotFound);
}

TEST_F(StoreTest, BranchesCrud) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertDatabase(MakeDb("db2", "o1", "other")).ok());
  Branch main = MakeBranch("b1", "db1", "main", 100);
  main.production = true;
  main.parent_branch = "";
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b2", "db1", "dev", 200)).ok());
  ASSERT_TRUE(store().InsertBranch(main).ok());
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b3", "db2", "dev", 50)).ok());

  auto b = store().GetBranch("db1", "main");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->id, "b1");
  EXPECT_TRUE(b->production);
  EXPECT_FALSE(b->safe_migrations);
  EXPECT_TRUE(b->ready);
  EXPECT_EQ(b->parent_branch, "");
  EXPECT_EQ(b->created_by.type, ActorType::kServiceToken);
  EXPECT_EQ(Names(*store().ListBranches("db1")), (std::vector<std::string>{"main", "dev"}));

  EXPECT_EQ(store().InsertBranch(MakeBranch("b9", "db1", "dev", 1)).code(), Code::kConflict);
  EXPECT_EQ(store().InsertBranch(MakeBranch("b9", "ghost", "dev", 1)).code(), Code::kNotFound);
  EXPECT_EQ(store().GetBranch("db1", "nope").status().code(), Code::kNotFound);

  Branch dev = *store().GetBranch("db1", "dev");
  dev.safe_migrations = true;
  dev.ready = false;
  dev.updated_at = 999;
  ASSERT_TRUE(store().UpdateBranch(dev).ok());
  auto dev2 = store().GetBranch("db1", "dev");
  EXPECT_TRUE(dev2->safe_migrations);
  EXPECT_FALSE(dev2->ready);
  EXPECT_EQ(dev2->updated_at, 999);
  dev.name = "main";
  EXPECT_EQ(store().UpdateBranch(dev).code(), Code::kConflict);
  dev.id = "nope";
  dev.name = "x";
  EXPECT_EQ(store().UpdateBranch(dev).code(), Code::kNotFound);

  ASSERT_TRUE(store().DeleteBranch("b2").ok());
  EXPECT_EQ(store().DeleteBranch("b2").code(), Code::kNotFound);
  EXPECT_EQ(Names(*store().ListBranches("db1")), (std::vector<std::string>{"main"}));
}

TEST_F(StoreTest, ServiceTokensCrud) {
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o1", "acme")).ok());
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o2", "beta")).ok());
  ServiceToken unnamed = MakeToken("t2", "o1", 100);
  unnamed.name = std::nullopt;
  unnamed.expires_at = 5000;
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t1", "o1", 200)).ok());
  ASSERT_TRUE(store().InsertServiceToken(unnamed).ok());
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t3", "o2", 50)).ok());
  EXPECT_EQ(store().InsertServiceToken(MakeToken("t1", "o2", 1)).code(), Code::kConflict);
  EXPECT_EQ(store().InsertServiceToken(MakeToken("t9", "ghost", 1)).code(), Code::kNotFound);

  auto t = store().GetServiceToken("o1", "t2");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->name.has_value());
  EXPECT_EQ(t->secret_hash, "hash-t2");
  EXPECT_EQ(t->expires_at, std::optional<TimeMs>(5000));
  EXPECT_FALSE(t->last_used_at.has_value());
  EXPECT_EQ(t->created_by.display_name, "Ada");
  EXPECT_EQ(store().GetServiceToken("o1", "t1")->name, std::optional<std::string>("token t1"));
  // A token is invisible from another org.
  EXPECT_EQ(store().GetServiceToken("o2", "t1").status().code(), Code::kNotFound);

  auto in_o1 = store().ListServiceTokens("o1");
  ASSERT_EQ(in_o1->size(), 2u);
  EXPECT_EQ((*in_o1)[0].id, "t2");  // by created_at
  EXPECT_EQ((*in_o1)[1].id, "t1");
  EXPECT_EQ(store().ListAllServiceTokens()->size(), 3u);
  EXPECT_EQ(store().ListAllServiceTokens()->front().id, "t3");

  ASSERT_TRUE(store().TouchServiceToken("t1", 4242).ok());
  EXPECT_EQ(store().GetServiceToken("o1", "t1")->last_used_at, std::optional<TimeMs>(4242));
  EXPECT_EQ(store().TouchServiceToken("nope", 1).code(), Code::kNotFound);

  ASSERT_TRUE(store().DeleteServiceToken("t1").ok());
  EXPECT_EQ(store().DeleteServiceToken("t1").code(), Code::kNotFound);
  EXPECT_EQ(store().GetServiceToken("o1", "t1").status().code(), Code::kNotFound);
}

TEST_F(StoreTest, GrantsAreIdempotent) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t1", "o1", 1)).ok());
  auto org = ResourceType::kOrganization;
  auto dbt = ResourceType::kDatabase;
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g2", "t1", dbt, "db1", "read_branch", 20)).ok());
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g1", "t1", org, "o1", "create_databases", 10)).ok());
  // Same access again, under a new id: Ok, and still one grant.
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g3", "t1", dbt, "db1", "read_branch", 30)).ok());
  // Exactly the same grant again (a retry): Ok.
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g2", "t1", dbt, "db1", "read_branch", 20)).ok());
  EXPECT_EQ(store().InsertGrant(MakeGrant("g4", "ghost", org, "o1", "x", 1)).code(),
            Code::kNotFound);

  auto gs = store().ListGrants("t1");
  ASSERT_TRUE(gs.ok());
  ASSERT_EQ(gs->size(), 2u);
  EXPECT_EQ((*gs)[0].id, "g1");
  EXPECT_EQ((*gs)[0].resource_type, org);
  EXPECT_EQ((*gs)[0].resource_id, "o1");
  EXPECT_EQ((*gs)[0].access, "create_databases");
  EXPECT_EQ((*gs)[0].created_at, 10);
  EXPECT_EQ((*gs)[1].id, "g2");
  EXPECT_EQ((*gs)[1].resource_type, dbt);
  EXPECT_EQ(store().ListAllGrants()->size(), 2u);

  ASSERT_TRUE(store().DeleteGrant("t1", dbt, "db1", "read_branch").ok());
  ASSERT_TRUE(store().DeleteGrant("t1", dbt, "db1", "read_branch").ok());       // already gone
  ASSERT_TRUE(store().DeleteGrant("t1", org, "db1", "create_databases").ok());  // type differs
  EXPECT_EQ(store().ListGrants("t1")->size(), 1u);
  EXPECT_TRUE(store().ListGrants("ghost")->empty());
}

TEST_F(StoreTest, DeleteDatabaseRemovesBranchesAndGrants) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertDatabase(MakeDb("db2", "o1", "other")).ok());
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b1", "db1", "main", 1)).ok());
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b2", "db1", "dev", 2)).ok());
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b3", "db2", "main", 3)).ok());
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t1", "o1", 1)).ok());
  auto dbt = ResourceType::kDatabase;
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g1", "t1", dbt, "db1", "read_branch", 1)).ok());
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g2", "t1", dbt, "db1", "delete_branch", 2)).ok());
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g3", "t1", dbt, "db2", "read_branch", 3)).ok());
  ASSERT_TRUE(store()
                  .InsertGrant(
                      MakeGrant("g4", "t1", ResourceType::kOrganization, "o1", "read_databases", 4))
                  .ok());

  ASSERT_TRUE(store().DeleteDatabase("db1").ok());
  EXPECT_EQ(store().GetDatabaseById("db1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store().ListBranches("db1")->empty());
  EXPECT_EQ(store().ListBranches("db2")->size(), 1u);
  auto gs = store().ListGrants("t1");
  ASSERT_EQ(gs->size(), 2u);
  EXPECT_EQ((*gs)[0].id, "g3");
  EXPECT_EQ((*gs)[1].id, "g4");
}

TEST_F(StoreTest, DeleteServiceTokenRemovesItsGrants) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t1", "o1", 1)).ok());
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t2", "o1", 2)).ok());
  auto dbt = ResourceType::kDatabase;
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g1", "t1", dbt, "db1", "read_branch", 1)).ok());
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g2", "t2", dbt, "db1", "read_branch", 2)).ok());
  ASSERT_TRUE(store().DeleteServiceToken("t1").ok());
  EXPECT_TRUE(store().ListGrants("t1")->empty());
  auto all = store().ListAllGrants();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().token_id, "t2");
}

TEST_F(StoreTest, TransactCommits) {
  Status s = store().Transact([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(MakeOrg("o1", "acme")));
    return tx.InsertDatabase(MakeDb("db1", "o1", "shop"));
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(store().GetDatabase("o1", "shop").ok());
}

TEST_F(StoreTest, TransactRollsBackOnError) {
  Status s = store().Transact([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(MakeOrg("o1", "acme")));
    OPSCALE_RETURN_IF_ERROR(tx.InsertUser(MakeUser("u1", "ada@example.com")));
    return Status::Unprocessable("changed my mind");
  });
  EXPECT_EQ(s.code(), Code::kUnprocessable);
  EXPECT_EQ(s.message(), "changed my mind");
  EXPECT_TRUE(store().ListOrganizations()->empty());
  EXPECT_TRUE(store().ListUsers()->empty());

  // A failing write inside: its status comes out and earlier writes are undone.
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o1", "acme")).ok());
  s = store().Transact([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(MakeOrg("o2", "beta")));
    return tx.InsertOrganization(MakeOrg("o3", "acme"));
  });
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(store().ListOrganizations()->size(), 1u);
  // The store is usable afterwards.
  EXPECT_TRUE(store().InsertOrganization(MakeOrg("o2", "beta")).ok());
}

TEST_F(StoreTest, NestedTransact) {
  // Inner failure undoes only the inner writes when the outer carries on.
  Status s = store().Transact([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(MakeOrg("o1", "acme")));
    Status inner = tx.Transact([](Store& tx2) -> Status {
      OPSCALE_RETURN_IF_ERROR(tx2.InsertOrganization(MakeOrg("o2", "beta")));
      return Status::InvalidArgument("inner fails");
    });
    EXPECT_EQ(inner.code(), Code::kInvalidArgument);
    return tx.Transact([](Store& tx2) { return tx2.InsertOrganization(MakeOrg("o3", "gamma")); });
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto orgs = store().ListOrganizations();
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].name, "acme");
  EXPECT_EQ((*orgs)[1].name, "gamma");

  // Outer failure undoes inner writes that had succeeded, including the
  // multi-row DeleteDatabase (itself transactional).
  ASSERT_TRUE(store().InsertDatabase(MakeDb("db1", "o1", "shop")).ok());
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b1", "db1", "main", 1)).ok());
  s = store().Transact([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(
        tx.Transact([](Store& tx2) { return tx2.InsertOrganization(MakeOrg("o4", "delta")); }));
    OPSCALE_RETURN_IF_ERROR(tx.DeleteDatabase("db1"));
    return Status::Internal("boom");
  });
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(store().GetOrganizationByName("delta").status().code(), Code::kNotFound);
  EXPECT_TRUE(store().GetDatabaseById("db1").ok());
  EXPECT_EQ(store().ListBranches("db1")->size(), 1u);
}

TEST_F(StoreTest, AuditEventsPageNewestFirst) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store().InsertAuditEvent(MakeEvent("a" + std::to_string(i), "o1")).ok());
    ASSERT_TRUE(store().InsertAuditEvent(MakeEvent("b" + std::to_string(i), "o2")).ok());
  }
  EXPECT_EQ(store().InsertAuditEvent(MakeEvent("a1", "o1")).code(), Code::kConflict);

  auto page1 = store().ListAuditEvents("o1", 0, 3);
  ASSERT_TRUE(page1.ok()) << page1.status().ToString();
  ASSERT_EQ(page1->size(), 3u);
  EXPECT_EQ((*page1)[0].id, "a5");
  EXPECT_EQ((*page1)[1].id, "a4");
  EXPECT_EQ((*page1)[2].id, "a3");
  EXPECT_GT((*page1)[0].seq, (*page1)[1].seq);
  EXPECT_GT((*page1)[1].seq, (*page1)[2].seq);

  const AuditEvent& e = (*page1)[0];
  EXPECT_EQ(e.org_id, "o1");
  EXPECT_EQ(e.actor.type, ActorType::kServiceToken);
  EXPECT_EQ(e.actor.id, "tok1");
  EXPECT_EQ(e.actor.display_name, "ci");
  EXPECT_EQ(e.action, "branch.created");
  EXPECT_EQ(e.auditable_type, "Branch");
  EXPECT_EQ(e.auditable_id, "b-a5");
  EXPECT_EQ(e.auditable_display_name, "dev");
  EXPECT_EQ(e.target_type, "Database");
  EXPECT_EQ(e.target_id, "db1");
  EXPECT_EQ(e.target_display_name, "shop");
  EXPECT_EQ(e.metadata_json, R"({"n":"a5"})");
  EXPECT_EQ(e.remote_ip, "10.0.0.1");
  EXPECT_EQ(e.created_at, 5000);

  auto page2 = store().ListAuditEvents("o1", page1->back().seq, 3);
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page2)[0].id, "a2");
  EXPECT_EQ((*page2)[1].id, "a1");
  EXPECT_TRUE(store().ListAuditEvents("o1", page2->back().seq, 3)->empty());
  EXPECT_EQ(store().ListAuditEvents("o2", -1, 100)->size(), 5u);
  EXPECT_TRUE(store().ListAuditEvents("o3", 0, 10)->empty());
}

TEST_F(StoreTest, ExternalChangeVersionSeesOtherWriters) {
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  auto v1 = store().ExternalChangeVersion();
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(*store().ExternalChangeVersion(), *v1);  // nothing happened
  ASSERT_TRUE(other->InsertOrganization(MakeOrg("o1", "acme")).ok());
  auto v2 = store().ExternalChangeVersion();
  ASSERT_TRUE(v2.ok());
  EXPECT_NE(*v2, *v1);
  // And the write is visible through the first store.
  EXPECT_TRUE(store().GetOrganizationByName("acme").ok());
}

TEST_F(StoreTest, ReopenKeepsDataAndMigrationsAreIdempotent) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b1", "db1", "main", 1)).ok());
  ASSERT_TRUE(store().InsertAuditEvent(MakeEvent("a1", "o1")).ok());
  for (int i = 0; i < 3; ++i) {
    store_.reset();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  EXPECT_EQ(store().GetDatabase("o1", "shop")->notes, "notes of shop");
  EXPECT_EQ(store().ListBranches("db1")->size(), 1u);
  EXPECT_EQ(store().ListAuditEvents("o1", 0, 10)->size(), 1u);
  // Unique constraints survived too, and new writes work.
  EXPECT_EQ(store().InsertOrganization(MakeOrg("o9", "acme")).code(), Code::kConflict);
  ASSERT_TRUE(store().InsertAuditEvent(MakeEvent("a2", "o1")).ok());
  auto events = store().ListAuditEvents("o1", 0, 10);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].id, "a2");
}

TEST_F(StoreTest, ConcurrentWritersOnOneStore) {
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o1", "acme")).ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  int failures = FailuresOnThreads(kThreads, kPerThread, [&](const std::string& id, int i) {
    Status s = store().Transact([&](Store& tx) -> Status {
      OPSCALE_RETURN_IF_ERROR(tx.InsertServiceToken(MakeToken(id, "o1", i)));
      return tx.InsertGrant(
          MakeGrant("g" + id, id, ResourceType::kOrganization, "o1", "read_databases", i));
    });
    return s.ok() && store().ListServiceTokens("o1").ok();
  });
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store().ListAllServiceTokens()->size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(store().ListAllGrants()->size(), size_t{kThreads * kPerThread});
}

TEST_F(StoreTest, ScanCredentialsStreamsWhatACheckNeeds) {
  SeedOrgAndDb();
  ServiceToken unnamed = MakeToken("t2", "o1", 100);
  unnamed.name.reset();
  unnamed.expires_at = 5000;
  ASSERT_TRUE(store().InsertServiceToken(MakeToken("t1", "o1", 200)).ok());
  ASSERT_TRUE(store().InsertServiceToken(unnamed).ok());
  ASSERT_TRUE(store().TouchServiceToken("t1", 4242).ok());
  auto dbt = ResourceType::kDatabase;
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g1", "t1", dbt, "db1", "read_branch", 1)).ok());
  ASSERT_TRUE(
      store().InsertGrant(MakeGrant("g2", "t1", ResourceType::kOrganization, "o1", "read_databases", 2))
          .ok());
  ASSERT_TRUE(store().InsertGrant(MakeGrant("g3", "t2", dbt, "db1", "connect_branch", 3)).ok());

  struct Sink : CredentialSink {
    void ExpectServiceTokens(size_t n) override {
      EXPECT_TRUE(tokens.empty() && grants.empty());  // first
      expected = n;
    }
    void OnServiceToken(const ServiceToken& t) override {
      EXPECT_TRUE(grants.empty());  // every token before any grant
      tokens.push_back(t);
    }
    void OnGrant(const Grant& g) override { grants.push_back(g); }
    size_t expected = 99;
    std::vector<ServiceToken> tokens;
    std::vector<Grant> grants;
  } sink;
  ASSERT_TRUE(store().ScanCredentials(sink).ok());
  EXPECT_EQ(sink.expected, 2u);
  ASSERT_EQ(sink.tokens.size(), 2u);
  std::sort(sink.tokens.begin(), sink.tokens.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  EXPECT_EQ(sink.tokens[0].id, "t1");
  EXPECT_EQ(sink.tokens[0].org_id, "o1");
  EXPECT_EQ(sink.tokens[0].name, std::optional<std::string>("token t1"));
  EXPECT_EQ(sink.tokens[0].secret_hash, "hash-t1");
  EXPECT_EQ(sink.tokens[0].last_used_at, std::optional<TimeMs>(4242));
  EXPECT_FALSE(sink.tokens[0].expires_at.has_value());
  EXPECT_FALSE(sink.tokens[1].name.has_value());  // not the previous row's name
  EXPECT_EQ(sink.tokens[1].expires_at, std::optional<TimeMs>(5000));
  EXPECT_FALSE(sink.tokens[1].last_used_at.has_value());
  ASSERT_EQ(sink.grants.size(), 3u);
  std::vector<std::string> seen;
  for (const auto& g : sink.grants)
    seen.push_back(g.token_id + " " + ResourceTypeName(g.resource_type) + " " + g.resource_id +
                   " " + g.access);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"t1 Database db1 read_branch",
                                            "t1 Organization o1 read_databases",
                                            "t2 Database db1 connect_branch"}));
}

TEST_F(StoreTest, TransactNoWaitThenWaitDurable) {
  auto ticket = store().TransactNoWait(
      [](Store& tx) -> Status { return tx.InsertOrganization(MakeOrg("o1", "acme")); });
  ASSERT_TRUE(ticket.ok()) << ticket.status().ToString();
  // Committed: visible before it is waited for.
  EXPECT_TRUE(store().GetOrganizationById("o1").ok());
  EXPECT_TRUE(store().WaitDurable(*ticket).ok());
  EXPECT_TRUE(store().WaitDurable(*ticket).ok());  // again: at once
  // A failed fn keeps nothing and gives no ticket.
  auto failed = store().TransactNoWait([](Store& tx) -> Status {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(MakeOrg("o2", "other")));
    return Status::Conflict("no");
  });
  EXPECT_EQ(failed.status().code(), Code::kConflict);
  EXPECT_EQ(store().GetOrganizationById("o2").status().code(), Code::kNotFound);
  // Read-only and nested transactions need no flush of their own.
  auto read_only = store().TransactNoWait(
      [](Store& tx) -> Status { return tx.GetOrganizationById("o1").status(); });
  ASSERT_TRUE(read_only.ok());
  EXPECT_EQ(*read_only, 0);
  Status outer = store().Transact([](Store& tx) -> Status {
    auto inner = tx.TransactNoWait(
        [](Store& t) -> Status { return t.InsertOrganization(MakeOrg("o3", "third")); });
    if (!inner.ok()) return inner.status();
    EXPECT_EQ(*inner, 0);
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_TRUE(store().GetOrganizationById("o3").ok());
}

TEST_F(StoreTest, ConcurrentNoWaitWritersAllBecomeDurable) {
  ASSERT_TRUE(store().InsertOrganization(MakeOrg("o1", "acme")).ok());
  constexpr int kThreads = 4, kPerThread = 20;
  int failures = FailuresOnThreads(kThreads, kPerThread, [&](const std::string& id, int i) {
    auto ticket = store().TransactNoWait(
        [&](Store& tx) -> Status { return tx.InsertServiceToken(MakeToken(id, "o1", i)); });
    return ticket.ok() && store().WaitDurable(*ticket).ok();
  });
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(store().ListAllServiceTokens()->size(), size_t{kThreads * kPerThread});
}

TEST_F(StoreTest, PasswordsCrudExpiryAndCascade) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b1", "db1", "main", 100)).ok());
  ASSERT_TRUE(store().InsertBranch(MakeBranch("b2", "db1", "dev", 200)).ok());
  auto make = [](const std::string& id, const std::string& branch, const std::string& user,
                 TimeMs created_at) {
    Password p;
    p.id = id;
    p.branch_id = branch;
    p.database_id = "db1";
    p.org_id = "o1";
    p.name = "pw " + id;
    p.role = "reader";
    p.username = user;
    p.created_by = Actor{ActorType::kUser, "u1", "Ada"};
    p.created_at = p.updated_at = created_at;
    return p;
  };
  Password a = make("p1", "b1", "user1", 300);
  a.ttl_seconds = 60;
  a.expires_at = 1000;
  ASSERT_TRUE(store().InsertPassword(a).ok());
  ASSERT_TRUE(store().InsertPassword(make("p2", "b1", "user2", 100)).ok());
  ASSERT_TRUE(store().InsertPassword(make("p3", "b2", "user3", 100)).ok());
  EXPECT_EQ(store().InsertPassword(make("p4", "b1", "user1", 1)).code(), Code::kConflict);
  EXPECT_EQ(store().InsertPassword(make("p5", "ghost", "user5", 1)).code(), Code::kNotFound);

  auto got = store().GetPassword("b1", "p1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->username, "user1");
  EXPECT_EQ(got->ttl_seconds, 60);
  EXPECT_EQ(got->expires_at, 1000);
  EXPECT_FALSE(got->last_used_at.has_value());
  EXPECT_EQ(store().GetPassword("b2", "p1").status().code(), Code::kNotFound);
  auto listed = store().ListPasswords("b1");
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "p2");
  EXPECT_EQ(store().ListAllPasswordsForDatabase("db1")->size(), 3u);

  EXPECT_TRUE(store().ListExpiredPasswords(999)->empty());
  ASSERT_EQ(store().ListExpiredPasswords(1000)->size(), 1u);
  a.name = "renamed";
  a.expires_at = 5000;
  a.updated_at = 400;
  ASSERT_TRUE(store().UpdatePassword(a).ok());
  EXPECT_EQ(store().GetPassword("b1", "p1")->name, "renamed");
  EXPECT_TRUE(store().ListExpiredPasswords(1000)->empty());

  ASSERT_TRUE(store().DeletePassword("p2").ok());
  EXPECT_EQ(store().DeletePassword("p2").code(), Code::kNotFound);
  ASSERT_TRUE(store().DeleteBranch("b2").ok());  // its passwords go with it
  EXPECT_EQ(store().ListAllPasswordsForDatabase("db1")->size(), 1u);
  ASSERT_TRUE(store().DeleteDatabase("db1").ok());
  EXPECT_TRUE(store().ListAllPasswordsForDatabase("db1")->empty());
}

TEST_F(StoreTest, OAuthApplicationsGrantsAndRefreshTokens) {
  SeedOrgAndDb();
  ASSERT_TRUE(store().InsertUser(MakeUser("u1", "ada@example.com")).ok());
  OAuthApplication app;
  app.id = "app1";
  app.org_id = "o1";
  app.name = "Deploy bot";
  app.redirect_uri = "https://bot.example.com/cb";
  app.domain = "bot.example.com";
  app.scopes = "read_databases read_branches";
  app.client_id = "pscale_app_abc";
  app.client_secret_hash = "secret-hash";
  app.created_by = Actor{ActorType::kUser, "u1", "ada@example.com"};
  app.created_at = app.updated_at = 1000;
  ASSERT_TRUE(store().InsertOAuthApplication(app).ok());
  OAuthApplication same_client = app;
  same_client.id = "app2";
  EXPECT_EQ(store().InsertOAuthApplication(same_client).code(), Code::kConflict);
  auto got = store().GetOAuthApplicationByClientId("pscale_app_abc");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Deploy bot");
  EXPECT_EQ(got->created_by.display_name, "ada@example.com");
  EXPECT_EQ(store().GetOAuthApplication("other-org", "app1").status().code(), Code::kNotFound);
  app.name = "Renamed";
  app.scopes = "read_databases";
  app.updated_at = 2000;
  ASSERT_TRUE(store().UpdateOAuthApplication(app).ok());
  EXPECT_EQ(store().GetOAuthApplication("o1", "app1")->scopes, "read_databases");
  EXPECT_EQ(store().ListOAuthApplications("o1")->size(), 1u);

  OAuthGrant g;
  g.id = "g1";
  g.kind = "device";
  g.secret_hash = "device-hash";
  g.user_code = "BCDF-GHJK";
  g.client_id = "pscale_app_opscale_cli";
  g.scopes = "read_databases";
  g.state = "pending";
  g.created_at = 100;
  g.expires_at = 200;
  ASSERT_TRUE(store().InsertOAuthGrant(g).ok());
  EXPECT_EQ(store().InsertOAuthGrant(g).code(), Code::kConflict);
  EXPECT_EQ(store().GetOAuthGrantByUserCode("BCDF-GHJK")->id, "g1");
  g.state = "approved";
  g.user_id = "u1";
  g.last_poll_at = 150;
  ASSERT_TRUE(store().UpdateOAuthGrant(g).ok());
  auto polled = store().GetOAuthGrantByHash("device-hash");
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->state, "approved");
  EXPECT_EQ(polled->user_id, "u1");
  EXPECT_EQ(polled->last_poll_at, std::optional<TimeMs>(150));
  EXPECT_EQ(store().GetOAuthGrantByHash("nope").status().code(), Code::kNotFound);

  OAuthRefreshToken rt;
  rt.id = "rt1";
  rt.secret_hash = "refresh-hash";
  rt.application_id = "app1";
  rt.user_id = "u1";
  rt.org_id = "o1";
  rt.scopes = "read_databases";
  rt.chain_id = "chain1";
  rt.access_token_id = "at1";
  rt.created_at = 100;
  rt.expires_at = 10000;
  ASSERT_TRUE(store().InsertOAuthRefreshToken(rt).ok());
  rt.used_at = 500;
  ASSERT_TRUE(store().UpdateOAuthRefreshToken(rt).ok());
  EXPECT_EQ(store().GetOAuthRefreshTokenByHash("refresh-hash")->used_at, std::optional<TimeMs>(500));
  EXPECT_EQ(store().ListOAuthRefreshTokens("chain1")->size(), 1u);
  ASSERT_TRUE(store().DeleteOAuthRefreshToken("rt1").ok());
  EXPECT_TRUE(store().ListOAuthRefreshTokens("chain1")->empty());

  // OAuth access tokens keep their scopes, application and chain.
  ApiToken at{"at1", "u1", "o1", "oauth", "OAuth", "access-hash", 100, 9999, std::nullopt,
              std::string("read_databases"), "app1", "chain1"};
  ASSERT_TRUE(store().InsertApiToken(at).ok());
  auto tokens = store().ListApiTokens();
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ(tokens->front().scopes, std::optional<std::string>("read_databases"));
  EXPECT_EQ(tokens->front().application_id, "app1");
  EXPECT_EQ(tokens->front().chain_id, "chain1");

  ASSERT_TRUE(store().DeleteOAuthApplication("app1").ok());
  EXPECT_EQ(store().DeleteOAuthApplication("app1").code(), Code::kNotFound);
}

TEST(OpenStoreTest, SpecSelectsBackend) {
  // Port 1 on loopback refuses at once: the postgres backend is chosen and
  // reports the unreachable server.
  EXPECT_EQ(OpenStore("postgres://u@127.0.0.1:1/db", "/tmp").status().code(), Code::kUnavailable);
  EXPECT_EQ(OpenStore("postgresql://u@127.0.0.1:1/db", "").status().code(), Code::kUnavailable);
  EXPECT_EQ(OpenStore("mysql://x", "/tmp").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenStore("sqlite", "").status().code(), Code::kInvalidArgument);

  char tmpl[] = "/tmp/opscale-store-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string nested = std::string(tmpl) + "/a/b";  // created on demand
  {
    auto r = OpenStore("", nested);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(std::filesystem::exists(nested + "/opscale.db"));
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace opscale
