// PostgresStore: the Store backend for several opscaled nodes sharing one
// PostgreSQL database (12 or newer), through libpq with prepared statements.
//
// Opened through OpenStore("postgres://...", data_dir); this header is for
// the factory and for backend-specific tests. Opening applies pending
// migrations (postgres_migrations.h); the schema and every method's
// semantics are the SQLite store's: same error codes and messages, same list
// orders (text compared byte-wise, COLLATE "C", whatever the database's
// locale), same cascades. Updates change every column except id, the parent
// id, created_by and created_at.
//
// Transactions. The outermost Transact() runs
// BEGIN ISOLATION LEVEL SERIALIZABLE: whatever interleaving of nodes happens,
// the outcome is that of some serial order, so a grant racing the deletion of
// its token or database cannot leave a grant behind, and two nodes numbering
// deploy requests cannot both take the same number. When PostgreSQL aborts
// the transaction for a serialization failure or deadlock (SQLSTATE
// 40001/40P01), Transact rolls back, waits a few milliseconds (growing,
// jittered) and runs `fn` again, up to kMaxAttempts times in all; then it
// returns Unavailable. `fn` must therefore do store work only (no engine
// calls, no clocks it relies on being read once): all of it is undone
// before a retry, so running it again is safe. A nested Transact() is a
// SAVEPOINT: its failure undoes only its own writes. Unlike SQLite, a
// statement that fails inside a transaction aborts it: `fn` should return
// that error (every caller does); if `fn` returns Ok regardless, Transact
// rolls back and reports the failed statement rather than commit part of
// the work. A write outside Transact() is one autocommitted statement (run
// again, like a Transact(), if PostgreSQL aborts it for a deadlock).
//
// ExternalChangeVersion() is the version in the one-row table
// opscale_changes. Every write increments it in the same transaction as the
// write: a standalone write in the same statement (a data-modifying WITH),
// a Transact() that wrote anything once, just before COMMIT. So the number
// changes exactly when some node's write commits (this store's own writes
// included, which at worst costs one unneeded index reload). The price is
// that concurrent write transactions of different nodes conflict on that row
// and one of them retries; at control-plane write rates that is rare.
//
// Thread-safety: every method is thread-safe. One connection is guarded by a
// recursive mutex; Transact() holds it for its whole duration (except while
// waiting to retry), so other threads wait while a transaction runs.
//
// A connection the server dropped (restart, failover, idle timeout) is
// reopened by the next call outside a transaction: a read or a Transact()
// then simply runs on the new one, but a standalone write that finds it
// dropped returns Unavailable, since it cannot know whether it committed.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "storage/postgres/postgres_connection.h"
#include "storage/postgres/postgres_rows.h"
#include "storage/store.h"

namespace opscale::postgres {

class PostgresStore final : public Store {
 public:
  // Attempts of one outermost Transact() before it gives up with Unavailable.
  static constexpr int kMaxAttempts = 8;

  // Connects with a libpq connection string (postgres://user:pw@host:port/db
  // or key=value) and applies pending migrations. Unavailable if the server
  // cannot be reached or the schema is newer than this build; the message
  // never contains the password.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo);

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  Status Transact(const std::function<Status(Store& tx)>& fn) override;
  // PostgreSQL's own commit is durable (and groups concurrent flushes):
  // the ticket is always 0 and WaitDurable() returns at once.
  Result<CommitTicket> TransactNoWait(const std::function<Status(Store& tx)>& fn) override;
  Status WaitDurable(CommitTicket ticket) override;
  Result<int64_t> ExternalChangeVersion() override;

  Status InsertOrganization(const Organization& org) override;
  Result<Organization> GetOrganizationByName(const std::string& name) override;
  Result<Organization> GetOrganizationById(const std::string& id) override;
  Result<std::vector<Organization>> ListOrganizations() override;

  Status InsertUser(const User& user) override;
  Result<User> GetUserByEmail(const std::string& email) override;
  Result<User> GetUserById(const std::string& id) override;
  Result<std::vector<User>> ListUsers() override;              // by email
  Status UpsertMembership(const Membership& m) override;       // keeps the first created_at
  Result<std::vector<Membership>> ListMemberships() override;  // by org_id, user_id

  Status InsertApiToken(const ApiToken& t) override;
  Status DeleteApiToken(const std::string& id) override;
  Result<std::vector<ApiToken>> ListApiTokens() override;  // by created_at
  Status TouchApiToken(const std::string& id, TimeMs last_used_at) override;

  Status InsertDatabase(const Database& db) override;
  Result<Database> GetDatabase(const std::string& org_id, const std::string& name) override;
  Result<Database> GetDatabaseById(const std::string& id) override;
  Result<std::vector<Database>> ListDatabases(const std::string& org_id) override;
  Status UpdateDatabase(const Database& db) override;
  Status DeleteDatabase(const std::string& id) override;

  Status InsertBranch(const Branch& b) override;
  Result<Branch> GetBranch(const std::string& database_id, const std::string& name) override;
  Result<std::vector<Branch>> ListBranches(const std::string& database_id) override;
  Status UpdateBranch(const Branch& b) override;
  Status DeleteBranch(const std::string& id) override;

  Status InsertServiceToken(const ServiceToken& t) override;
  Result<ServiceToken> GetServiceToken(const std::string& org_id, const std::string& id) override;
  Result<std::vector<ServiceToken>> ListServiceTokens(const std::string& org_id) override;
  Result<std::vector<ServiceToken>> ListAllServiceTokens() override;  // by created_at
  Status DeleteServiceToken(const std::string& id) override;
  Status TouchServiceToken(const std::string& id, TimeMs last_used_at) override;

  Status InsertGrant(const Grant& g) override;
  Status DeleteGrant(const std::string& token_id, ResourceType type, const std::string& resource_id,
                     const std::string& access) override;
  Result<std::vector<Grant>> ListGrants(const std::string& token_id) override;
  Result<std::vector<Grant>> ListAllGrants() override;  // by created_at
  Status ScanCredentials(CredentialSink& sink) override;

  Status InsertPassword(const Password& p) override;
  Result<Password> GetPassword(const std::string& branch_id, const std::string& id) override;
  Result<std::vector<Password>> ListPasswords(const std::string& branch_id) override;
  Result<std::vector<Password>> ListAllPasswordsForDatabase(
      const std::string& database_id) override;
  Status UpdatePassword(const Password& p) override;
  Status DeletePassword(const std::string& id) override;
  Result<std::vector<Password>> ListExpiredPasswords(TimeMs now) override;

  Status InsertDeployRequest(const DeployRequest& dr) override;
  Result<int64_t> MaxDeployRequestNumber(const std::string& database_id) override;
  Result<DeployRequest> GetDeployRequest(const std::string& database_id, int64_t number) override;
  Result<std::vector<DeployRequest>> ListDeployRequests(const std::string& database_id) override;
  Status UpdateDeployRequest(const DeployRequest& dr) override;
  Status InsertDeployRequestReview(const DeployRequestReview& r) override;
  Result<std::vector<DeployRequestReview>> ListDeployRequestReviews(
      const std::string& deploy_request_id) override;

  Status InsertOAuthApplication(const OAuthApplication& a) override;
  Result<OAuthApplication> GetOAuthApplication(const std::string& org_id,
                                               const std::string& id) override;
  Result<OAuthApplication> GetOAuthApplicationByClientId(const std::string& client_id) override;
  Result<std::vector<OAuthApplication>> ListOAuthApplications(const std::string& org_id) override;
  Status UpdateOAuthApplication(const OAuthApplication& a) override;
  Status DeleteOAuthApplication(const std::string& id) override;
  Status InsertOAuthGrant(const OAuthGrant& g) override;
  Result<OAuthGrant> GetOAuthGrantByHash(const std::string& secret_hash) override;
  Result<OAuthGrant> GetOAuthGrantByUserCode(const std::string& user_code) override;
  Status UpdateOAuthGrant(const OAuthGrant& g) override;
  Status InsertOAuthRefreshToken(const OAuthRefreshToken& t) override;
  Result<OAuthRefreshToken> GetOAuthRefreshTokenByHash(const std::string& secret_hash) override;
  Result<std::vector<OAuthRefreshToken>> ListOAuthRefreshTokens(
      const std::string& chain_id) override;
  Status UpdateOAuthRefreshToken(const OAuthRefreshToken& t) override;
  Status DeleteOAuthRefreshToken(const std::string& id) override;

  Status InsertAuditEvent(const AuditEvent& e) override;
  // limit <= 0 returns no events.
  Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& org_id, int64_t before_seq,
                                                  int limit) override;

 private:
  explicit PostgresStore(std::unique_ptr<Connection> conn);

  // Runs a read.
  Result<Rows> Read(const std::string& sql, const Params& params);
  // Runs a write and rewrites constraint failures with `errors`' messages.
  // Outside Transact() the statement also increments the change version.
  Result<Rows> Write(const std::string& sql, const Params& params, const WriteErrors& errors);
  // Write() of one row by key: NotFound(`missing`) if no row matched.
  Status WriteOne(const std::string& sql, const Params& params, const std::string& missing,
                  const WriteErrors& errors = {});

  // One attempt of an outermost Transact(); mu_ held.
  Status TransactOnce(const std::function<Status(Store& tx)>& fn);
  // A nested Transact() (a savepoint); mu_ held.
  Status TransactNested(const std::function<Status(Store& tx)>& fn);

  std::recursive_mutex mu_;
  std::unique_ptr<Connection> conn_;  // guarded by mu_
  int tx_depth_ = 0;                  // open Transact() levels; guarded by mu_
  bool tx_wrote_ = false;             // the open transaction wrote; guarded by mu_
};

}  // namespace opscale::postgres
