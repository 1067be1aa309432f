// SqliteStore: the embedded Store backend, one SQLite file in WAL mode.
//
// Opened through OpenStore("sqlite", data_dir); this header is for the
// factory and for backend-specific tests. The file is created with mode 0600
// (it holds password and token hashes). Connection settings: WAL journal,
// foreign_keys=ON, busy_timeout=5000 ms.
//
// Durability with group commit: a commit is on disk before it is reported
// (so a revoked token stays revoked even after a power cut), but SQLite
// does not flush it itself (synchronous=NORMAL): the store flushes the WAL
// file with fdatasync() after the commit, outside the connection's lock,
// and commits made by other threads while one flush runs share the next
// one. Checkpoints still flush the WAL and the database file (NORMAL does
// that), so what was checkpointed is durable before the log is reused.
//
// Thread-safety: every method is thread-safe. One connection is guarded by a
// recursive mutex; Transact() holds it for its whole duration, so other
// threads wait while a transaction runs, and `fn` may call Transact() again
// (the nested call becomes a SAVEPOINT: its failure undoes only its own
// writes). Several processes may share the file; SQLite's locks serialize
// their writes and busy_timeout makes a writer wait instead of failing.
//
// Updates (UpdateDatabase, UpdateBranch) change every column except id, the
// parent id (org_id / database_id), created_by and created_at.
#pragma once

#include <sqlite3.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "storage/sqlite/sqlite_statement.h"
#include "storage/store.h"

namespace opscale::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file at `path` (its directory must exist)
  // and applies pending migrations. Unavailable if the file cannot be opened,
  // is locked beyond the busy timeout, or has a schema newer than this build.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status Transact(const std::function<Status(Store& tx)>& fn) override;
  Result<CommitTicket> TransactNoWait(const std::function<Status(Store& tx)>& fn) override;
  Status WaitDurable(CommitTicket ticket) override;
  Result<int64_t> ExternalChangeVersion() override;
  Status CheckHealth() override;

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
  Result<std::vector<Password>> ListAllPasswordsForDatabase(const std::string& database_id) override;
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

  Status InsertAuditEvent(const AuditEvent& e) override;
  // limit <= 0 returns no events.
  Status InsertOAuthApplication(const OAuthApplication& a) override;
  Result<OAuthApplication> GetOAuthApplication(const std::string& org_id, const std::string& id) override;
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
  Result<std::vector<OAuthRefreshToken>> ListOAuthRefreshTokens(const std::string& chain_id) override;
  Status UpdateOAuthRefreshToken(const OAuthRefreshToken& t) override;
  Status DeleteOAuthRefreshToken(const std::string& id) override;

  Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& org_id, int64_t before_seq,
                                                  int limit) override;

 private:
  struct Closer {
    void operator()(sqlite3* db) const {
      ReleaseStatementCache(db);
      sqlite3_close_v2(db);
    }
  };

  SqliteStore(sqlite3* db, std::string path)
      : db_(db), path_(path), wal_path_(std::move(path) + "-wal") {}
  sqlite3* db() const { return db_.get(); }

  // sqlite3_wal_hook: runs after each commit that wrote, on the committing
  // thread (which holds mu_). Counts it, checkpoints like SQLite's default
  // hook would, and flushes at once a commit made outside Transact().
  static int OnWalCommit(void* self, sqlite3* db, const char* schema, int wal_pages);
  // fdatasync of the WAL file; only one thread at a time (syncing_).
  Status FlushWal();
  // WaitDurable, minus the wait for writers in progress (see there).
  Status WaitDurableFor(CommitTicket ticket, bool gather);

  std::recursive_mutex mu_;
  std::unique_ptr<sqlite3, Closer> db_;
  int tx_depth_ = 0;  // open Transact() levels; guarded by mu_

  // The file opened, by identity: CheckHealth() compares what is at path_.
  const std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;

  // Group commit (see the top). Commit n (counted from 1) is durable once
  // durable_ >= n.
  const std::string wal_path_;
  std::atomic<int64_t> commits_{0};  // commits written to the WAL file so far
  std::atomic<int> writers_{0};       // threads in (or waiting to begin) a TransactNoWait
  std::condition_variable writer_done_cv_;  // a writer left; with sync_mu_
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  int64_t durable_ = 0;   // guarded by sync_mu_
  bool syncing_ = false;  // a thread is flushing; guarded by sync_mu_
  Status sync_error_;     // the first failed flush; guarded by sync_mu_
  int wal_fd_ = -1;       // used by the flushing thread only
};

}  // namespace opscale::sqlite
