// SqliteStore: user API tokens, service tokens and their grants.
#include "storage/sqlite/sqlite_rows.h"
#include "storage/sqlite/sqlite_store.h"

namespace opscale::sqlite {
namespace {

constexpr const char* kApiTokenColumns =
    "id, user_id, org_id, kind, name, secret_hash, created_at, expires_at, last_used_at, scopes, "
    "application_id, chain_id";

ApiToken ReadApiToken(const Statement& st) {
  ApiToken t;
  t.id = st.Text(0);
  t.user_id = st.Text(1);
  t.org_id = st.Text(2);
  t.kind = st.Text(3);
  t.name = st.Text(4);
  t.secret_hash = st.Text(5);
  t.created_at = st.Int(6);
  t.expires_at = st.OptInt(7);
  t.last_used_at = st.OptInt(8);
  t.scopes = st.OptText(9);
  t.application_id = st.Text(10);
  t.chain_id = st.Text(11);
  return t;
}

constexpr const char* kServiceTokenColumns =
    "id, org_id, name, secret_hash, created_by_type, created_by_id, created_by_name, "
    "created_at, updated_at, expires_at, last_used_at";

ServiceToken ReadServiceToken(const Statement& st) {
  ServiceToken t;
  t.id = st.Text(0);
  t.org_id = st.Text(1);
  t.name = st.OptText(2);
  t.secret_hash = st.Text(3);
  t.created_by = ReadActor(st, 4);
  t.created_at = st.Int(7);
  t.updated_at = st.Int(8);
  t.expires_at = st.OptInt(9);
  t.last_used_at = st.OptInt(10);
  return t;
}

// What ScanCredentials reads: a check's fields only.
constexpr const char* kCheckedTokenColumns =
    "id, org_id, name, secret_hash, expires_at, last_used_at";

// Into an existing token, reusing its strings' capacity.
void ReadCheckedTokenInto(const Statement& st, ServiceToken& t) {
  st.TextInto(0, t.id);
  st.TextInto(1, t.org_id);
  st.OptTextInto(2, t.name);
  st.TextInto(3, t.secret_hash);
  t.expires_at = st.OptInt(4);
  t.last_used_at = st.OptInt(5);
}

constexpr const char* kGrantColumns =
    "id, token_id, resource_type, resource_id, access, created_at";

Grant ReadGrant(const Statement& st) {
  Grant g;
  g.id = st.Text(0);
  g.token_id = st.Text(1);
  g.resource_type = ParseResourceType(st.Text(2));
  g.resource_id = st.Text(3);
  g.access = st.Text(4);
  g.created_at = st.Int(5);
  return g;
}

// ScanCredentials: SQLite reads these from the unique index on them (a
// covering index: smaller than the table, a token's grants side by side).
constexpr const char* kCheckedGrantColumns = "token_id, resource_type, resource_id, access";

void ReadCheckedGrantInto(const Statement& st, Grant& g) {
  st.TextInto(0, g.token_id);
  g.resource_type = ParseResourceType(st.TextView(1));
  st.TextInto(2, g.resource_id);
  st.TextInto(3, g.access);
}

}  // namespace

// --- User API / OAuth bearer tokens ---

Status SqliteStore::InsertApiToken(const ApiToken& t) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "api_tokens", kApiTokenColumns));
  st.BindText(t.id)
      .BindText(t.user_id)
      .BindText(t.org_id)
      .BindText(t.kind)
      .BindText(t.name)
      .BindText(t.secret_hash)
      .BindInt(t.created_at)
      .BindOptInt(t.expires_at)
      .BindOptInt(t.last_used_at)
      .BindOptText(t.scopes)
      .BindText(t.application_id)
      .BindText(t.chain_id);
  return RunWrite(st, {.duplicate_id = "an API token with id " + Quoted(t.id) + " already exists",
                       .duplicate_key = "",
                       .missing_parent = "user with id " + Quoted(t.user_id) + " not found"});
}

Status SqliteStore::DeleteApiToken(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Statement::Prepare(db(), "DELETE FROM api_tokens WHERE id = ?1"));
  st.BindText(id);
  return RunOne(st, {}, "API token " + Quoted(id) + " not found");
}

Result<std::vector<ApiToken>> SqliteStore::ListApiTokens() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kApiTokenColumns, "FROM api_tokens ORDER BY created_at, id"));
  return CollectRows<ApiToken>(st, ReadApiToken);
}

Status SqliteStore::TouchApiToken(const std::string& id, TimeMs last_used_at) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(), "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1"));
  st.BindText(id).BindInt(last_used_at);
  return RunOne(st, {}, "API token " + Quoted(id) + " not found");
}

// --- Service tokens ---

Status SqliteStore::InsertServiceToken(const ServiceToken& t) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "service_tokens", kServiceTokenColumns));
  st.BindText(t.id).BindText(t.org_id).BindOptText(t.name).BindText(t.secret_hash);
  BindActor(st, t.created_by);
  st.BindInt(t.created_at)
      .BindInt(t.updated_at)
      .BindOptInt(t.expires_at)
      .BindOptInt(t.last_used_at);
  return RunWrite(st,
                  {.duplicate_id = "a service token with id " + Quoted(t.id) + " already exists",
                   .duplicate_key = "",
                   .missing_parent = "organization with id " + Quoted(t.org_id) + " not found"});
}

Result<ServiceToken> SqliteStore::GetServiceToken(const std::string& org_id,
                                                  const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kServiceTokenColumns, "FROM service_tokens WHERE org_id = ?1 AND id = ?2"));
  st.BindText(org_id).BindText(id);
  return OneRow<ServiceToken>(st, ReadServiceToken, "service token " + Quoted(id) + " not found");
}

Result<std::vector<ServiceToken>> SqliteStore::ListServiceTokens(const std::string& org_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kServiceTokenColumns,
                                  "FROM service_tokens WHERE org_id = ?1 ORDER BY created_at, id"));
  st.BindText(org_id);
  return CollectRows<ServiceToken>(st, ReadServiceToken);
}

Result<std::vector<ServiceToken>> SqliteStore::ListAllServiceTokens() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Select(db(), kServiceTokenColumns,
                                                "FROM service_tokens ORDER BY created_at, id"));
  return CollectRows<ServiceToken>(st, ReadServiceToken);
}

Status SqliteStore::DeleteServiceToken(const std::string& id) {
  // The grants would go by ON DELETE CASCADE alone; deleting them explicitly
  // keeps this correct on a backend or connection without foreign keys.
  return Transact([&](Store&) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(Statement grants,
                             Statement::Prepare(db(), "DELETE FROM grants WHERE token_id = ?1"));
    grants.BindText(id);
    OPSCALE_RETURN_IF_ERROR(grants.Run());
    OPSCALE_ASSIGN_OR_RETURN(Statement token,
                             Statement::Prepare(db(), "DELETE FROM service_tokens WHERE id = ?1"));
    token.BindText(id);
    return RunOne(token, {}, "service token " + Quoted(id) + " not found");
  });
}

Status SqliteStore::TouchServiceToken(const std::string& id, TimeMs last_used_at) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(), "UPDATE service_tokens SET last_used_at = ?2 WHERE id = ?1"));
  st.BindText(id).BindInt(last_used_at);
  return RunOne(st, {}, "service token " + Quoted(id) + " not found");
}

// --- Grants ---

Status SqliteStore::InsertGrant(const Grant& g) {
  std::lock_guard lock(mu_);
  // Granting what is already granted is Ok and keeps the first grant's id.
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Insert(db(), "grants", kGrantColumns,
             "ON CONFLICT (token_id, resource_type, resource_id, access) DO NOTHING"));
  st.BindText(g.id)
      .BindText(g.token_id)
      .BindText(ResourceTypeName(g.resource_type))
      .BindText(g.resource_id)
      .BindText(g.access)
      .BindInt(g.created_at);
  return RunWrite(st, {.duplicate_id = "a grant with id " + Quoted(g.id) + " already exists",
                       .duplicate_key = "",
                       .missing_parent = "service token " + Quoted(g.token_id) + " not found"});
}

Status SqliteStore::DeleteGrant(const std::string& token_id, ResourceType type,
                                const std::string& resource_id, const std::string& access) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          db(),
          "DELETE FROM grants WHERE token_id = ?1 AND resource_type = ?2 AND resource_id = ?3 "
          "AND access = ?4"));
  st.BindText(token_id).BindText(ResourceTypeName(type)).BindText(resource_id).BindText(access);
  return st.Run();
}

Result<std::vector<Grant>> SqliteStore::ListGrants(const std::string& token_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kGrantColumns, "FROM grants WHERE token_id = ?1 ORDER BY created_at, id"));
  st.BindText(token_id);
  return CollectRows<Grant>(st, ReadGrant);
}

Result<std::vector<Grant>> SqliteStore::ListAllGrants() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kGrantColumns, "FROM grants ORDER BY created_at, id"));
  return CollectRows<Grant>(st, ReadGrant);
}

Status SqliteStore::ScanCredentials(CredentialSink& sink) {
  std::lock_guard lock(mu_);
  // No ORDER BY: sorting 5M grants spilled to temporary files and was most
  // of a start-up's time.
  OPSCALE_ASSIGN_OR_RETURN(Statement count,
                           Statement::Prepare(db(), "SELECT count(*) FROM service_tokens"));
  OPSCALE_ASSIGN_OR_RETURN(bool counted, count.Step());
  sink.ExpectServiceTokens(counted ? static_cast<size_t>(count.Int(0)) : 0);
  OPSCALE_ASSIGN_OR_RETURN(Statement tokens,
                           Select(db(), kCheckedTokenColumns, "FROM service_tokens"));
  ServiceToken t;
  while (true) {
    OPSCALE_ASSIGN_OR_RETURN(bool row, tokens.Step());
    if (!row) break;
    ReadCheckedTokenInto(tokens, t);
    sink.OnServiceToken(t);
  }
  OPSCALE_ASSIGN_OR_RETURN(Statement grants, Select(db(), kCheckedGrantColumns, "FROM grants"));
  Grant g;
  while (true) {
    OPSCALE_ASSIGN_OR_RETURN(bool row, grants.Step());
    if (!row) break;
    ReadCheckedGrantInto(grants, g);
    sink.OnGrant(g);
  }
  return Status::Ok();
}

}  // namespace opscale::sqlite
