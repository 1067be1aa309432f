#include "storage/sqlite/sqlite_migrations.h"

#include <string>

#include "common/clock.h"
#include "storage/sqlite/sqlite_statement.h"

namespace opscale::sqlite {
namespace {

// Migration 1: the initial schema.
//
// Actors are stored as three columns (type, id, display name). Grants point at
// an organization or a database through (resource_type, resource_id), so they
// cannot have a foreign key on resource_id; DeleteDatabase removes a
// database's grants explicitly. The audit log has no foreign keys: it must
// outlive what it describes.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE organizations (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE memberships (
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id);

-- org_id is '' for a token valid in every org of its user, hence no foreign key.
CREATE TABLE api_tokens (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE databases (
  id TEXT NOT NULL PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  default_branch TEXT NOT NULL,
  notes TEXT NOT NULL,
  require_approval_for_deploy INTEGER NOT NULL CHECK (require_approval_for_deploy IN (0, 1)),
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE branches (
  id TEXT NOT NULL PRIMARY KEY,
  database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  parent_branch TEXT NOT NULL,
  region TEXT NOT NULL,
  production INTEGER NOT NULL CHECK (production IN (0, 1)),
  safe_migrations INTEGER NOT NULL CHECK (safe_migrations IN (0, 1)),
  ready INTEGER NOT NULL CHECK (ready IN (0, 1)),
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (database_id, name)
);

CREATE TABLE service_tokens (
  id TEXT NOT NULL PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT,
  secret_hash TEXT NOT NULL,
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX service_tokens_org_id ON service_tokens (org_id, created_at);

CREATE TABLE grants (
  id TEXT NOT NULL PRIMARY KEY,
  token_id TEXT NOT NULL REFERENCES service_tokens (id) ON DELETE CASCADE,
  resource_type TEXT NOT NULL CHECK (resource_type IN ('Organization', 'Database')),
  resource_id TEXT NOT NULL,
  access TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (token_id, resource_type, resource_id, access)
);
CREATE INDEX grants_resource ON grants (resource_type, resource_id);

-- PostgreSQL: seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY.
-- AUTOINCREMENT keeps seq strictly increasing, never reused.
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_display_name TEXT NOT NULL,
  action TEXT NOT NULL,
  auditable_type TEXT NOT NULL,
  auditable_id TEXT NOT NULL,
  auditable_display_name TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  target_display_name TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  remote_ip TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_org_seq ON audit_events (org_id, seq);
)sql";

// Migration 2: branch passwords (one MariaDB account each). org_id and
// database_id are denormalized for listing and cleanup; the branch foreign key
// removes a branch's rows with it (its accounts are dropped by the service
// before the branch row goes).
constexpr const char* kPasswords = R"sql(
CREATE TABLE passwords (
  id TEXT NOT NULL PRIMARY KEY,
  branch_id TEXT NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  database_id TEXT NOT NULL,
  org_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('reader', 'writer', 'readwriter', 'admin')),
  username TEXT NOT NULL UNIQUE,
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT,
  ttl_seconds BIGINT,
  last_used_at BIGINT,
  connect_session INTEGER NOT NULL CHECK (connect_session IN (0, 1))
);
CREATE INDEX passwords_branch ON passwords (branch_id, created_at);
CREATE INDEX passwords_database ON passwords (database_id);
CREATE INDEX passwords_expires_at ON passwords (expires_at);
)sql";

// Migration 3: deploy requests and their reviews. number is 1, 2, 3... per
// database; ddl_json holds the diff statements computed at creation.
constexpr const char* kDeployRequests = R"sql(
CREATE TABLE deploy_requests (
  id TEXT NOT NULL PRIMARY KEY,
  number BIGINT NOT NULL,
  database_id TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
  org_id TEXT NOT NULL,
  branch TEXT NOT NULL,
  into_branch TEXT NOT NULL,
  notes TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  deployment_state TEXT NOT NULL,
  approved INTEGER NOT NULL CHECK (approved IN (0, 1)),
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_by_token_owner TEXT NOT NULL,
  ddl_json TEXT NOT NULL,
  error TEXT NOT NULL,
  closed_by_type TEXT,
  closed_by_id TEXT,
  closed_by_name TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT,
  deployed_at BIGINT,
  started_at BIGINT,
  finished_at BIGINT,
  queued_at BIGINT,
  UNIQUE (database_id, number)
);

CREATE TABLE deploy_request_reviews (
  id TEXT NOT NULL PRIMARY KEY,
  deploy_request_id TEXT NOT NULL REFERENCES deploy_requests (id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('approved', 'commented')),
  body TEXT NOT NULL,
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX deploy_request_reviews_dr ON deploy_request_reviews (deploy_request_id, created_at);
)sql";

// Migration 4: OAuth. Access tokens are api_tokens rows of kind 'oauth' with
// their scopes, application and refresh chain; codes and device
// authorizations share oauth_grants; refresh tokens rotate within a chain.
constexpr const char* kOAuth = R"sql(
ALTER TABLE api_tokens ADD COLUMN scopes TEXT;
ALTER TABLE api_tokens ADD COLUMN application_id TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN chain_id TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_chain ON api_tokens (chain_id);

CREATE TABLE oauth_applications (
  id TEXT NOT NULL PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  domain TEXT NOT NULL,
  scopes TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  client_secret_hash TEXT NOT NULL,
  created_by_type TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX oauth_applications_org ON oauth_applications (org_id, created_at);

CREATE TABLE oauth_grants (
  id TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('code', 'device')),
  secret_hash TEXT NOT NULL UNIQUE,
  user_code TEXT NOT NULL,
  application_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  org_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  code_challenge_method TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'used')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_poll_at BIGINT
);
CREATE INDEX oauth_grants_user_code ON oauth_grants (user_code);

CREATE TABLE oauth_refresh_tokens (
  id TEXT NOT NULL PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  application_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  org_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  chain_id TEXT NOT NULL,
  access_token_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX oauth_refresh_tokens_chain ON oauth_refresh_tokens (chain_id);
)sql";

// Migration 5: audit_events.seq without AUTOINCREMENT. AUTOINCREMENT
// rewrites the sqlite_sequence row in every transaction that audits (one
// page of the ~10 each such commit writes to the log; bench row 5). Plain
// INTEGER PRIMARY KEY takes max(seq) + 1, which is as strictly increasing
// and never reused, because audit events are never deleted.
constexpr const char* kAuditSeqWithoutAutoincrement = R"sql(
CREATE TABLE audit_events_new (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  org_id TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_display_name TEXT NOT NULL,
  action TEXT NOT NULL,
  auditable_type TEXT NOT NULL,
  auditable_id TEXT NOT NULL,
  auditable_display_name TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  target_display_name TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  remote_ip TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
INSERT INTO audit_events_new SELECT * FROM audit_events ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_org_seq ON audit_events (org_id, seq);
)sql";

constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version BIGINT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
))sql";

Result<int64_t> AppliedVersion(sqlite3* db) {
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  OPSCALE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Status ApplyLocked(sqlite3* db, const Migration& m) {
  // Another process may have applied it between our check and our lock.
  OPSCALE_ASSIGN_OR_RETURN(
      Statement check,
      Statement::Prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?1"));
  check.BindInt(m.version);
  OPSCALE_ASSIGN_OR_RETURN(bool applied, check.Step());
  if (applied) return Status::Ok();
  OPSCALE_RETURN_IF_ERROR(Exec(db, m.sql));
  OPSCALE_ASSIGN_OR_RETURN(
      Statement record,
      Statement::Prepare(
          db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"));
  record.BindInt(m.version).BindText(m.name).BindInt(NowMs());
  return record.Run();
}

Status Apply(sqlite3* db, const Migration& m) {
  OPSCALE_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Status s = ApplyLocked(db, m);
  if (s.ok()) s = Exec(db, "COMMIT");
  if (!s.ok()) {
    if (!sqlite3_get_autocommit(db)) (void)Exec(db, "ROLLBACK");
    return Status(s.code() == Code::kUnavailable ? Code::kUnavailable : Code::kInternal,
                  "schema migration " + std::to_string(m.version) + " (" + m.name +
                      ") failed: " + s.message());
  }
  return Status::Ok();
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "initial schema", kInitialSchema},
      {2, "passwords", kPasswords},
      {3, "deploy requests", kDeployRequests},
      {4, "oauth", kOAuth},
      {5, "audit seq without autoincrement", kAuditSeqWithoutAutoincrement},
  };
  return kMigrations;
}

int64_t LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(sqlite3* db) {
  OPSCALE_RETURN_IF_ERROR(Exec(db, kCreateMigrationsTable));
  OPSCALE_ASSIGN_OR_RETURN(int64_t current, AppliedVersion(db));
  if (current > LatestSchemaVersion()) {
    return Status::Unavailable("the database schema is at version " + std::to_string(current) +
                               " but this opscale build knows only up to " +
                               std::to_string(LatestSchemaVersion()) +
                               "; upgrade opscale to open this data directory");
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    OPSCALE_RETURN_IF_ERROR(Apply(db, m));
  }
  return Status::Ok();
}

}  // namespace opscale::sqlite
