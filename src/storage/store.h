// Store: the one persistence interface of opscale (DESIGN rule 3).
//
// The store is the source of truth; opscaled keeps in-memory indexes built
// from it. Backends (sqlite/, postgres/) live behind this interface
// and are opened by OpenStore(). Every method is thread-safe.
//
// Conventions:
//  - Lookups of a missing row return Status::NotFound.
//  - Inserting a row whose unique key exists returns Status::Conflict.
//  - Deletes of a missing row return Status::NotFound.
//  - A store that cannot serve (I/O error, damaged or missing file, lost
//    connection) returns Unavailable; a bug-like failure returns Internal.
//  - Transact() runs `fn` atomically: all of its writes commit or none do.
//    Inside `fn`, use only the Store& passed to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit_event.h"
#include "domain/credentials.h"
#include "domain/database.h"
#include "domain/deploy_request.h"
#include "domain/oauth.h"
#include "domain/organization.h"
#include "domain/password.h"

namespace opscale {

// Receives the rows of Store::ScanCredentials(), one at a time.
class CredentialSink {
 public:
  virtual ~CredentialSink() = default;
  // Called first, with the number of service tokens that follow.
  virtual void ExpectServiceTokens(size_t count) = 0;
  // The object is valid only during the call (backends reuse it).
  virtual void OnServiceToken(const ServiceToken& t) = 0;
  // After every token; same validity.
  virtual void OnGrant(const Grant& g) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs fn inside one transaction. If fn returns non-Ok, or the commit
  // fails, nothing fn wrote is kept and that status is returned. On Ok the
  // writes are durable (they survive a crash and a power cut).
  virtual Status Transact(const std::function<Status(Store& tx)>& fn) = 0;

  // Transact() in two halves, for group commit. TransactNoWait() commits
  // like Transact() but may return before the commit is on disk; the
  // caller must then call WaitDurable() with the ticket before it reports
  // success. Meant for a caller that does more work right after the commit
  // under a lock of its own (ServiceCore: index updates, in commit order):
  // it waits after releasing that lock, so concurrent callers' commits share
  // one flush to disk. Until WaitDurable() returns, the writes are visible
  // to other readers and survive a crash of the process, but a power cut
  // may undo them. Inside a Transact() the ticket is 0 (the outer commit
  // decides). WaitDurable() fails with Unavailable if the flush failed; after
  // that every later one fails too (what is on disk is then unknown).
  using CommitTicket = int64_t;
  virtual Result<CommitTicket> TransactNoWait(const std::function<Status(Store& tx)>& fn) = 0;
  virtual Status WaitDurable(CommitTicket ticket) = 0;

  // A number that changes whenever another process or node has committed a
  // write (SQLite: PRAGMA data_version; PostgreSQL: a counter every write
  // transaction bumps; it may also change after this process's own writes).
  virtual Result<int64_t> ExternalChangeVersion() = 0;

  // Whether the store can be trusted right now: Ok, or Unavailable with the
  // reason (for the log, not for API callers). The fail-closed probe of a
  // serving node (service/store_health.h). By default one read on the
  // store; SqliteStore also checks that its path still holds the file it
  // opened, readable and writable, with SQLite's header: SQLite itself keeps
  // using a deleted or replaced file through its open descriptor.
  virtual Status CheckHealth() { return ExternalChangeVersion().status(); }

  // --- Organizations ---
  virtual Status InsertOrganization(const Organization& org) = 0;
  virtual Result<Organization> GetOrganizationByName(const std::string& name) = 0;
  virtual Result<Organization> GetOrganizationById(const std::string& id) = 0;
  virtual Result<std::vector<Organization>> ListOrganizations() = 0;  // by name

  // --- Users and memberships ---
  virtual Status InsertUser(const User& user) = 0;
  virtual Result<User> GetUserByEmail(const std::string& email) = 0;
  virtual Result<User> GetUserById(const std::string& id) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  // Inserts or replaces the role of (org_id, user_id).
  virtual Status UpsertMembership(const Membership& m) = 0;
  virtual Result<std::vector<Membership>> ListMemberships() = 0;  // all orgs

  // --- User API / OAuth bearer tokens ---
  virtual Status InsertApiToken(const ApiToken& t) = 0;
  virtual Status DeleteApiToken(const std::string& id) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokens() = 0;  // all
  virtual Status TouchApiToken(const std::string& id, TimeMs last_used_at) = 0;

  // --- Databases (names unique per org) ---
  virtual Status InsertDatabase(const Database& db) = 0;
  virtual Result<Database> GetDatabase(const std::string& org_id, const std::string& name) = 0;
  virtual Result<Database> GetDatabaseById(const std::string& id) = 0;
  virtual Result<std::vector<Database>> ListDatabases(const std::string& org_id) = 0;  // by name
  virtual Status UpdateDatabase(const Database& db) = 0;  // by id
  // Deletes the database, its branches, and every grant on it.
  virtual Status DeleteDatabase(const std::string& id) = 0;

  // --- Branches (names unique per database) ---
  virtual Status InsertBranch(const Branch& b) = 0;
  virtual Result<Branch> GetBranch(const std::string& database_id, const std::string& name) = 0;
  virtual Result<std::vector<Branch>> ListBranches(const std::string& database_id) = 0;  // by created_at
  virtual Status UpdateBranch(const Branch& b) = 0;  // by id
  virtual Status DeleteBranch(const std::string& id) = 0;

  // --- Service tokens and grants ---
  virtual Status InsertServiceToken(const ServiceToken& t) = 0;
  // NotFound unless the token exists *in that org*.
  virtual Result<ServiceToken> GetServiceToken(const std::string& org_id, const std::string& id) = 0;
  virtual Result<std::vector<ServiceToken>> ListServiceTokens(const std::string& org_id) = 0;  // by created_at
  virtual Result<std::vector<ServiceToken>> ListAllServiceTokens() = 0;
  // Deletes the token and its grants.
  virtual Status DeleteServiceToken(const std::string& id) = 0;
  virtual Status TouchServiceToken(const std::string& id, TimeMs last_used_at) = 0;

  // Idempotent: granting an access the token already has on that resource is Ok.
  virtual Status InsertGrant(const Grant& g) = 0;
  // Idempotent: removing an access the token does not have is Ok.
  virtual Status DeleteGrant(const std::string& token_id, ResourceType type,
                             const std::string& resource_id, const std::string& access) = 0;
  virtual Result<std::vector<Grant>> ListGrants(const std::string& token_id) = 0;  // by created_at
  virtual Result<std::vector<Grant>> ListAllGrants() = 0;
  // Every service token, then every grant, in no particular order, streamed
  // into `sink` (an index rebuild at start-up: with 1M tokens, materializing
  // both lists would take a gigabyte and most of the time). Only what a
  // credential check needs is read: tokens carry id, org_id, name,
  // secret_hash, expires_at and last_used_at; grants token_id,
  // resource_type, resource_id and access (other fields are left empty).
  // For a view consistent with other reads, call it inside Transact().
  virtual Status ScanCredentials(CredentialSink& sink) = 0;

  // --- Branch passwords (usernames unique; rows go with their branch) ---
  virtual Status InsertPassword(const Password& p) = 0;
  // NotFound unless the password exists *on that branch*.
  virtual Result<Password> GetPassword(const std::string& branch_id, const std::string& id) = 0;
  virtual Result<std::vector<Password>> ListPasswords(const std::string& branch_id) = 0;  // by created_at
  // Every password of every branch of the database (for cleanup on delete).
  virtual Result<std::vector<Password>> ListAllPasswordsForDatabase(const std::string& database_id) = 0;
  // Changes name, expires_at, ttl_seconds, last_used_at and updated_at (by id).
  virtual Status UpdatePassword(const Password& p) = 0;
  virtual Status DeletePassword(const std::string& id) = 0;
  // Passwords whose expires_at <= now, oldest expiry first.
  virtual Result<std::vector<Password>> ListExpiredPasswords(TimeMs now) = 0;

  // --- Deploy requests (numbers unique per database; rows go with their database) ---
  virtual Status InsertDeployRequest(const DeployRequest& dr) = 0;
  // The highest number used in the database, 0 if none.
  virtual Result<int64_t> MaxDeployRequestNumber(const std::string& database_id) = 0;
  virtual Result<DeployRequest> GetDeployRequest(const std::string& database_id, int64_t number) = 0;
  virtual Result<std::vector<DeployRequest>> ListDeployRequests(const std::string& database_id) = 0;  // by number
  // Every field but id, number, database_id, org_id and created_* (by id).
  virtual Status UpdateDeployRequest(const DeployRequest& dr) = 0;
  virtual Status InsertDeployRequestReview(const DeployRequestReview& r) = 0;
  virtual Result<std::vector<DeployRequestReview>> ListDeployRequestReviews(
      const std::string& deploy_request_id) = 0;  // by created_at

  // --- OAuth (applications go with their organization; client ids unique) ---
  virtual Status InsertOAuthApplication(const OAuthApplication& a) = 0;
  virtual Result<OAuthApplication> GetOAuthApplication(const std::string& org_id,
                                                       const std::string& id) = 0;
  virtual Result<OAuthApplication> GetOAuthApplicationByClientId(const std::string& client_id) = 0;
  virtual Result<std::vector<OAuthApplication>> ListOAuthApplications(const std::string& org_id) = 0;  // by created_at
  // Changes name, redirect_uri, domain, scopes and updated_at (by id).
  virtual Status UpdateOAuthApplication(const OAuthApplication& a) = 0;
  virtual Status DeleteOAuthApplication(const std::string& id) = 0;
  virtual Status InsertOAuthGrant(const OAuthGrant& g) = 0;
  virtual Result<OAuthGrant> GetOAuthGrantByHash(const std::string& secret_hash) = 0;
  virtual Result<OAuthGrant> GetOAuthGrantByUserCode(const std::string& user_code) = 0;
  // Changes user_id, org_id, state and last_poll_at (by id).
  virtual Status UpdateOAuthGrant(const OAuthGrant& g) = 0;
  virtual Status InsertOAuthRefreshToken(const OAuthRefreshToken& t) = 0;
  virtual Result<OAuthRefreshToken> GetOAuthRefreshTokenByHash(const std::string& secret_hash) = 0;
  // Refresh tokens of one authorization chain (to revoke it whole).
  virtual Result<std::vector<OAuthRefreshToken>> ListOAuthRefreshTokens(const std::string& chain_id) = 0;
  // Changes used_at (by id).
  virtual Status UpdateOAuthRefreshToken(const OAuthRefreshToken& t) = 0;
  virtual Status DeleteOAuthRefreshToken(const std::string& id) = 0;

  // --- Audit log ---
  // Assigns seq; the stored event keeps the caller's id and times.
  virtual Status InsertAuditEvent(const AuditEvent& e) = 0;
  // Newest first. before_seq <= 0 means from the newest; at most `limit`.
  virtual Result<std::vector<AuditEvent>> ListAuditEvents(const std::string& org_id,
                                                          int64_t before_seq, int limit) = 0;
};

// Opens a store. `spec` is "sqlite" (file opscale.db in data_dir) or a
// postgres:// (or postgresql://) URL. Creates and migrates the schema as needed.
Result<std::unique_ptr<Store>> OpenStore(const std::string& spec, const std::string& data_dir);

}  // namespace opscale
