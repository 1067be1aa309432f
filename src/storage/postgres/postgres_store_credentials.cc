// PostgresStore: user API tokens, service tokens and their grants.
#include "storage/postgres/postgres_store.h"

namespace opscale::postgres {
namespace {

constexpr const char* kApiTokenColumns =
    "id, user_id, org_id, kind, name, secret_hash, created_at, expires_at, last_used_at, scopes, "
    "application_id, chain_id";

ApiToken ReadApiToken(const Row& r) {
  ApiToken t;
  t.id = r.Text(0);
  t.user_id = r.Text(1);
  t.org_id = r.Text(2);
  t.kind = r.Text(3);
  t.name = r.Text(4);
  t.secret_hash = r.Text(5);
  t.created_at = r.Int(6);
  t.expires_at = r.OptInt(7);
  t.last_used_at = r.OptInt(8);
  t.scopes = r.OptText(9);
  t.application_id = r.Text(10);
  t.chain_id = r.Text(11);
  return t;
}

constexpr const char* kServiceTokenColumns =
    "id, org_id, name, secret_hash, created_by_type, created_by_id, created_by_name, "
    "created_at, updated_at, expires_at, last_used_at";

ServiceToken ReadServiceToken(const Row& r) {
  ServiceToken t;
  t.id = r.Text(0);
  t.org_id = r.Text(1);
  t.name = r.OptText(2);
  t.secret_hash = r.Text(3);
  t.created_by = ReadActor(r, 4);
  t.created_at = r.Int(7);
  t.updated_at = r.Int(8);
  t.expires_at = r.OptInt(9);
  t.last_used_at = r.OptInt(10);
  return t;
}

constexpr const char* kGrantColumns =
    "id, token_id, resource_type, resource_id, access, created_at";

Grant ReadGrant(const Row& r) {
  Grant g;
  g.id = r.Text(0);
  g.token_id = r.Text(1);
  g.resource_type = ParseResourceType(r.Text(2));
  g.resource_id = r.Text(3);
  g.access = r.Text(4);
  g.created_at = r.Int(5);
  return g;
}

}  // namespace

// --- User API / OAuth bearer tokens ---

Status PostgresStore::InsertApiToken(const ApiToken& t) {
  return Write(InsertSql("api_tokens", kApiTokenColumns),
               Params()
                   .Text(t.id)
                   .Text(t.user_id)
                   .Text(t.org_id)
                   .Text(t.kind)
                   .Text(t.name)
                   .Text(t.secret_hash)
                   .Int(t.created_at)
                   .OptInt(t.expires_at)
                   .OptInt(t.last_used_at)
                   .OptText(t.scopes)
                   .Text(t.application_id)
                   .Text(t.chain_id),
               {.duplicate_id = "an API token with id " + Quoted(t.id) + " already exists",
                .duplicate_key = "",
                .missing_parent = "user with id " + Quoted(t.user_id) + " not found"})
      .status();
}

Status PostgresStore::DeleteApiToken(const std::string& id) {
  return WriteOne("DELETE FROM api_tokens WHERE id = $1", Params().Text(id),
                  "API token " + Quoted(id) + " not found");
}

Result<std::vector<ApiToken>> PostgresStore::ListApiTokens() {
  return CollectRows<ApiToken>(
      Read(SelectSql(kApiTokenColumns, R"(FROM api_tokens ORDER BY created_at, id COLLATE "C")"),
           Params()),
      ReadApiToken);
}

Status PostgresStore::TouchApiToken(const std::string& id, TimeMs last_used_at) {
  return WriteOne("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
                  Params().Text(id).Int(last_used_at), "API token " + Quoted(id) + " not found");
}

// --- Service tokens ---

Status PostgresStore::InsertServiceToken(const ServiceToken& t) {
  Params p;
  p.Text(t.id).Text(t.org_id).OptText(t.name).Text(t.secret_hash);
  BindActor(p, t.created_by);
  p.Int(t.created_at).Int(t.updated_at).OptInt(t.expires_at).OptInt(t.last_used_at);
  return Write(InsertSql("service_tokens", kServiceTokenColumns), p,
               {.duplicate_id = "a service token with id " + Quoted(t.id) + " already exists",
                .duplicate_key = "",
                .missing_parent = "organization with id " + Quoted(t.org_id) + " not found"})
      .status();
}

Result<ServiceToken> PostgresStore::GetServiceToken(const std::string& org_id,
                                                    const std::string& id) {
  return OneRow<ServiceToken>(
      Read(SelectSql(kServiceTokenColumns, "FROM service_tokens WHERE org_id = $1 AND id = $2"),
           Params().Text(org_id).Text(id)),
      ReadServiceToken, "service token " + Quoted(id) + " not found");
}

Result<std::vector<ServiceToken>> PostgresStore::ListServiceTokens(const std::string& org_id) {
  return CollectRows<ServiceToken>(
      Read(
          SelectSql(kServiceTokenColumns,
                    R"(FROM service_tokens WHERE org_id = $1 ORDER BY created_at, id COLLATE "C")"),
          Params().Text(org_id)),
      ReadServiceToken);
}

Result<std::vector<ServiceToken>> PostgresStore::ListAllServiceTokens() {
  return CollectRows<ServiceToken>(
      Read(SelectSql(kServiceTokenColumns,
                     R"(FROM service_tokens ORDER BY created_at, id COLLATE "C")"),
           Params()),
      ReadServiceToken);
}

Status PostgresStore::DeleteServiceToken(const std::string& id) {
  // The grants would go by ON DELETE CASCADE alone; deleting them explicitly
  // keeps this correct on a database restored without foreign keys.
  return Transact([&](Store&) -> Status {
    OPSCALE_RETURN_IF_ERROR(
        Write("DELETE FROM grants WHERE token_id = $1", Params().Text(id), {}).status());
    return WriteOne("DELETE FROM service_tokens WHERE id = $1", Params().Text(id),
                    "service token " + Quoted(id) + " not found");
  });
}

Status PostgresStore::TouchServiceToken(const std::string& id, TimeMs last_used_at) {
  return WriteOne("UPDATE service_tokens SET last_used_at = $2 WHERE id = $1",
                  Params().Text(id).Int(last_used_at),
                  "service token " + Quoted(id) + " not found");
}

// --- Grants ---

Status PostgresStore::InsertGrant(const Grant& g) {
  // Granting what is already granted is Ok and keeps the first grant's id.
  return Write(InsertSql("grants", kGrantColumns,
                         "ON CONFLICT (token_id, resource_type, resource_id, access) DO NOTHING"),
               Params()
                   .Text(g.id)
                   .Text(g.token_id)
                   .Text(ResourceTypeName(g.resource_type))
                   .Text(g.resource_id)
                   .Text(g.access)
                   .Int(g.created_at),
               {.duplicate_id = "a grant with id " + Quoted(g.id) + " already exists",
                .duplicate_key = "",
                .missing_parent = "service token " + Quoted(g.token_id) + " not found"})
      .status();
}

Status PostgresStore::DeleteGrant(const std::string& token_id, ResourceType type,
                                  const std::string& resource_id, const std::string& access) {
  return Write(
             "DELETE FROM grants WHERE token_id = $1 AND resource_type = $2 AND resource_id = $3 "
             "AND access = $4",
             Params().Text(token_id).Text(ResourceTypeName(type)).Text(resource_id).Text(access),
             {})
      .status();
}

Result<std::vector<Grant>> PostgresStore::ListGrants(const std::string& token_id) {
  return CollectRows<Grant>(
      Read(SelectSql(kGrantColumns,
                     R"(FROM grants WHERE token_id = $1 ORDER BY created_at, id COLLATE "C")"),
           Params().Text(token_id)),
      ReadGrant);
}

Result<std::vector<Grant>> PostgresStore::ListAllGrants() {
  return CollectRows<Grant>(
      Read(SelectSql(kGrantColumns, R"(FROM grants ORDER BY created_at, id COLLATE "C")"),
           Params()),
      ReadGrant);
}

Status PostgresStore::ScanCredentials(CredentialSink& sink) {
  // No ORDER BY: the caller builds a hash index, so sorting would be wasted.
  // Only a check's columns (store.h). libpq holds each whole result in
  // memory; the rows are handed over one by one.
  OPSCALE_ASSIGN_OR_RETURN(
      Rows tokens,
      Read("SELECT id, org_id, name, secret_hash, expires_at, last_used_at FROM service_tokens",
           Params()));
  sink.ExpectServiceTokens(static_cast<size_t>(tokens.size()));
  ServiceToken t;
  for (int i = 0; i < tokens.size(); ++i) {
    const Row r = tokens[i];
    t.id = r.Text(0);
    t.org_id = r.Text(1);
    t.name = r.OptText(2);
    t.secret_hash = r.Text(3);
    t.expires_at = r.OptInt(4);
    t.last_used_at = r.OptInt(5);
    sink.OnServiceToken(t);
  }
  OPSCALE_ASSIGN_OR_RETURN(
      Rows grants, Read("SELECT token_id, resource_type, resource_id, access FROM grants", Params()));
  Grant g;
  for (int i = 0; i < grants.size(); ++i) {
    const Row r = grants[i];
    g.token_id = r.Text(0);
    g.resource_type = ParseResourceType(r.Text(1));
    g.resource_id = r.Text(2);
    g.access = r.Text(3);
    sink.OnGrant(g);
  }
  return Status::Ok();
}

}  // namespace opscale::postgres
