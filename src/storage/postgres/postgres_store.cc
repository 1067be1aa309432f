// PostgresStore: opening, transactions and their retries, the change version,
// and the organization / user / membership tables. The other tables are in
// postgres_store_*.cc.
#include "storage/postgres/postgres_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <utility>

#include "common/scope_exit.h"
#include "storage/postgres/postgres_migrations.h"

namespace opscale::postgres {
namespace {

// Prefixed to a standalone write: the write and the version bump are one
// statement, so they commit together. A data-modifying WITH runs exactly
// once whether or not the main statement reads it, and when the main
// statement does not read it, after it: like a Transact(), the statement
// locks the change row last, which keeps the two from deadlocking.
constexpr const char* kBumpWith =
    "WITH opscale_bump AS (UPDATE opscale_changes SET version = version + 1) ";
// Run once at the end of a Transact() that wrote: holding the row lock only
// from there to COMMIT keeps concurrent transactions overlapping on it short.
constexpr const char* kBump = "UPDATE opscale_changes SET version = version + 1";

// Wait before attempt `attempt` (>= 2): 2, 4, 8 ... ms, at most 200, each
// jittered down to as little as half so that two nodes that collided do not
// collide again in lockstep.
std::chrono::milliseconds RetryDelay(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  int ceiling = std::min(200, 2 << std::min(attempt - 2, 7));
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(ceiling / 2, ceiling)(rng));
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

constexpr const char* kOrgColumns = "id, name, created_at, updated_at";

Organization ReadOrganization(const Row& r) {
  return Organization{r.Text(0), r.Text(1), r.Int(2), r.Int(3)};
}

constexpr const char* kUserColumns =
    "id, email, display_name, password_hash, created_at, updated_at";

User ReadUser(const Row& r) {
  return User{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
}

Membership ReadMembership(const Row& r) {
  // Unknown roles cannot be stored (CHECK); if one appears, grant the least.
  return Membership{r.Text(0), r.Text(1), ParseRole(r.Text(2)).value_or(Role::kMember), r.Int(3)};
}

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo) {
  OPSCALE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(conninfo));
  OPSCALE_RETURN_IF_ERROR(Migrate(*conn));
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(conn)));
}

PostgresStore::PostgresStore(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

PostgresStore::~PostgresStore() = default;

Result<Rows> PostgresStore::Read(const std::string& sql, const Params& params) {
  std::lock_guard lock(mu_);
  if (tx_depth_ > 0) return conn_->Run(sql, params);
  OPSCALE_RETURN_IF_ERROR(conn_->EnsureOpen());
  Result<Rows> rows = conn_->Run(sql, params);
  // The server dropped the idle connection (restart, failover, idle
  // timeout): a read can simply run again on a new one.
  if (!rows.ok() && conn_->broken()) {
    OPSCALE_RETURN_IF_ERROR(conn_->EnsureOpen());
    rows = conn_->Run(sql, params);
  }
  return rows;
}

Result<Rows> PostgresStore::Write(const std::string& sql, const Params& params,
                                  const WriteErrors& errors) {
  std::lock_guard lock(mu_);
  Result<Rows> rows = Status::Internal("not run");
  if (tx_depth_ > 0) {
    tx_wrote_ = true;
    rows = conn_->Run(sql, params);
  } else {
    // One autocommitted statement: when PostgreSQL aborts it for a deadlock
    // nothing of it remains, so it runs again like a Transact(). A broken
    // connection is not retried: the write may have committed before it broke.
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      if (attempt > 1) std::this_thread::sleep_for(RetryDelay(attempt));
      OPSCALE_RETURN_IF_ERROR(conn_->EnsureOpen());
      conn_->ClearMustRetry();
      rows = conn_->Run(kBumpWith + sql, params);
      if (rows.ok() || !conn_->must_retry()) break;
    }
  }
  if (rows.ok()) return rows;
  const std::string* message = nullptr;
  if (conn_->last_sqlstate() == "23505") {
    // PostgreSQL names a primary key constraint <table>_pkey.
    message =
        EndsWith(conn_->last_constraint(), "_pkey") ? &errors.duplicate_id : &errors.duplicate_key;
  } else if (conn_->last_sqlstate() == "23503") {
    message = &errors.missing_parent;
  }
  if (message == nullptr || message->empty()) return rows.status();
  return Status(rows.status().code(), *message);
}

Status PostgresStore::WriteOne(const std::string& sql, const Params& params,
                               const std::string& missing, const WriteErrors& errors) {
  OPSCALE_ASSIGN_OR_RETURN(Rows rows, Write(sql, params, errors));
  if (rows.affected() == 0) return Status::NotFound(missing);
  return Status::Ok();
}

Status PostgresStore::Transact(const std::function<Status(Store& tx)>& fn) {
  std::unique_lock lock(mu_);
  if (tx_depth_ > 0) return TransactNested(fn);
  Status s;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (attempt > 1) {
      // Other threads may use the store meanwhile; nothing is open now.
      lock.unlock();
      std::this_thread::sleep_for(RetryDelay(attempt));
      lock.lock();
    }
    conn_->ClearMustRetry();
    s = TransactOnce(fn);
    if (!conn_->must_retry()) return s;
  }
  return Status::Unavailable("a transaction conflicted with concurrent writers " +
                             std::to_string(kMaxAttempts) + " times in a row; try again (" +
                             s.message() + ")");
}

Result<Store::CommitTicket> PostgresStore::TransactNoWait(
    const std::function<Status(Store& tx)>& fn) {
  OPSCALE_RETURN_IF_ERROR(Transact(fn));
  return CommitTicket{0};
}

Status PostgresStore::WaitDurable(CommitTicket) { return Status::Ok(); }

Status PostgresStore::TransactOnce(const std::function<Status(Store& tx)>& fn) {
  constexpr const char* kBegin = "BEGIN ISOLATION LEVEL SERIALIZABLE";
  OPSCALE_RETURN_IF_ERROR(conn_->EnsureOpen());
  Status begun = conn_->Exec(kBegin);
  if (!begun.ok() && conn_->broken()) {  // dropped while idle: nothing was sent
    OPSCALE_RETURN_IF_ERROR(conn_->EnsureOpen());
    begun = conn_->Exec(kBegin);
  }
  OPSCALE_RETURN_IF_ERROR(begun);
  tx_depth_ = 1;
  tx_wrote_ = false;
  bool ended = false;
  // Also undoes the transaction if fn throws, so the connection stays usable.
  ScopeExit finish([&] {
    tx_depth_ = 0;
    if (!ended) (void)conn_->Exec("ROLLBACK");
  });
  Status s = fn(*this);
  if (s.ok() && conn_->must_retry()) {
    s = Status::Unavailable("a concurrent transaction interfered; retrying");
  }
  if (s.ok() && conn_->InFailedTransaction()) {
    s = Status::Internal("a statement failed inside a transaction that then tried to commit: " +
                         conn_->last_error().message());
  }
  if (!s.ok()) return s;
  if (tx_wrote_) OPSCALE_RETURN_IF_ERROR(conn_->Run(kBump, Params()).status());
  ended = true;  // a COMMIT that fails ends the transaction as well
  return conn_->Exec("COMMIT");
}

Status PostgresStore::TransactNested(const std::function<Status(Store& tx)>& fn) {
  const std::string savepoint = "opscale_tx_" + std::to_string(tx_depth_);
  OPSCALE_RETURN_IF_ERROR(conn_->Exec("SAVEPOINT " + savepoint));
  ++tx_depth_;
  bool released = false;
  ScopeExit finish([&] {
    --tx_depth_;
    if (released) return;
    (void)conn_->Exec("ROLLBACK TO SAVEPOINT " + savepoint + "; RELEASE SAVEPOINT " + savepoint);
  });
  Status s = fn(*this);
  if (s.ok() && conn_->InFailedTransaction()) {
    s = Status::Internal("a statement failed inside a transaction that then tried to commit: " +
                         conn_->last_error().message());
  }
  if (!s.ok()) return s;
  s = conn_->Exec("RELEASE SAVEPOINT " + savepoint);
  released = s.ok();
  return s;
}

Result<int64_t> PostgresStore::ExternalChangeVersion() {
  OPSCALE_ASSIGN_OR_RETURN(Rows rows, Read("SELECT version FROM opscale_changes", Params()));
  if (rows.size() != 1) return Status::Internal("opscale_changes does not hold exactly one row");
  return rows[0].Int(0);
}

// --- Organizations ---

Status PostgresStore::InsertOrganization(const Organization& org) {
  return Write(InsertSql("organizations", kOrgColumns),
               Params().Text(org.id).Text(org.name).Int(org.created_at).Int(org.updated_at),
               {.duplicate_id = "an organization with id " + Quoted(org.id) + " already exists",
                .duplicate_key = "an organization named " + Quoted(org.name) + " already exists",
                .missing_parent = ""})
      .status();
}

Result<Organization> PostgresStore::GetOrganizationByName(const std::string& name) {
  return OneRow<Organization>(
      Read(SelectSql(kOrgColumns, "FROM organizations WHERE name = $1"), Params().Text(name)),
      ReadOrganization, "organization " + Quoted(name) + " not found");
}

Result<Organization> PostgresStore::GetOrganizationById(const std::string& id) {
  return OneRow<Organization>(
      Read(SelectSql(kOrgColumns, "FROM organizations WHERE id = $1"), Params().Text(id)),
      ReadOrganization, "organization with id " + Quoted(id) + " not found");
}

Result<std::vector<Organization>> PostgresStore::ListOrganizations() {
  return CollectRows<Organization>(
      Read(SelectSql(kOrgColumns, R"(FROM organizations ORDER BY name COLLATE "C")"), Params()),
      ReadOrganization);
}

// --- Users and memberships ---

Status PostgresStore::InsertUser(const User& user) {
  return Write(InsertSql("users", kUserColumns),
               Params()
                   .Text(user.id)
                   .Text(user.email)
                   .Text(user.display_name)
                   .Text(user.password_hash)
                   .Int(user.created_at)
                   .Int(user.updated_at),
               {.duplicate_id = "a user with id " + Quoted(user.id) + " already exists",
                .duplicate_key = "a user with email " + Quoted(user.email) + " already exists",
                .missing_parent = ""})
      .status();
}

Result<User> PostgresStore::GetUserByEmail(const std::string& email) {
  return OneRow<User>(
      Read(SelectSql(kUserColumns, "FROM users WHERE email = $1"), Params().Text(email)), ReadUser,
      "user with email " + Quoted(email) + " not found");
}

Result<User> PostgresStore::GetUserById(const std::string& id) {
  return OneRow<User>(Read(SelectSql(kUserColumns, "FROM users WHERE id = $1"), Params().Text(id)),
                      ReadUser, "user with id " + Quoted(id) + " not found");
}

Result<std::vector<User>> PostgresStore::ListUsers() {
  return CollectRows<User>(
      Read(SelectSql(kUserColumns, R"(FROM users ORDER BY email COLLATE "C")"), Params()),
      ReadUser);
}

Status PostgresStore::UpsertMembership(const Membership& m) {
  return Write(
             "INSERT INTO memberships (org_id, user_id, role, created_at) "
             "VALUES ($1, $2, $3, $4) "
             "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
             Params().Text(m.org_id).Text(m.user_id).Text(RoleName(m.role)).Int(m.created_at),
             {.duplicate_id = "",
              .duplicate_key = "",
              .missing_parent = "organization " + Quoted(m.org_id) + " or user " +
                                Quoted(m.user_id) + " not found"})
      .status();
}

Result<std::vector<Membership>> PostgresStore::ListMemberships() {
  return CollectRows<Membership>(
      Read(R"(SELECT org_id, user_id, role, created_at FROM memberships )"
           R"(ORDER BY org_id COLLATE "C", user_id COLLATE "C")",
           Params()),
      ReadMembership);
}

}  // namespace opscale::postgres
