// PostgresStore: OAuth applications, grants (codes, device codes) and
// refresh tokens.
#include "storage/postgres/postgres_store.h"

namespace opscale::postgres {
namespace {

constexpr const char* kAppColumns =
    "id, org_id, name, redirect_uri, domain, scopes, client_id, client_secret_hash, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at";

OAuthApplication ReadApp(const Row& r) {
  OAuthApplication a;
  a.id = r.Text(0);
  a.org_id = r.Text(1);
  a.name = r.Text(2);
  a.redirect_uri = r.Text(3);
  a.domain = r.Text(4);
  a.scopes = r.Text(5);
  a.client_id = r.Text(6);
  a.client_secret_hash = r.Text(7);
  a.created_by = ReadActor(r, 8);
  a.created_at = r.Int(11);
  a.updated_at = r.Int(12);
  return a;
}

constexpr const char* kGrantColumns =
    "id, kind, secret_hash, user_code, application_id, client_id, user_id, org_id, redirect_uri, "
    "scopes, code_challenge, code_challenge_method, state, created_at, expires_at, last_poll_at";

OAuthGrant ReadGrant(const Row& r) {
  OAuthGrant g;
  g.id = r.Text(0);
  g.kind = r.Text(1);
  g.secret_hash = r.Text(2);
  g.user_code = r.Text(3);
  g.application_id = r.Text(4);
  g.client_id = r.Text(5);
  g.user_id = r.Text(6);
  g.org_id = r.Text(7);
  g.redirect_uri = r.Text(8);
  g.scopes = r.Text(9);
  g.code_challenge = r.Text(10);
  g.code_challenge_method = r.Text(11);
  g.state = r.Text(12);
  g.created_at = r.Int(13);
  g.expires_at = r.Int(14);
  g.last_poll_at = r.OptInt(15);
  return g;
}

constexpr const char* kRefreshColumns =
    "id, secret_hash, application_id, user_id, org_id, scopes, chain_id, access_token_id, "
    "created_at, expires_at, used_at";

OAuthRefreshToken ReadRefresh(const Row& r) {
  OAuthRefreshToken t;
  t.id = r.Text(0);
  t.secret_hash = r.Text(1);
  t.application_id = r.Text(2);
  t.user_id = r.Text(3);
  t.org_id = r.Text(4);
  t.scopes = r.Text(5);
  t.chain_id = r.Text(6);
  t.access_token_id = r.Text(7);
  t.created_at = r.Int(8);
  t.expires_at = r.Int(9);
  t.used_at = r.OptInt(10);
  return t;
}

}  // namespace

Status PostgresStore::InsertOAuthApplication(const OAuthApplication& a) {
  Params p;
  p.Text(a.id)
      .Text(a.org_id)
      .Text(a.name)
      .Text(a.redirect_uri)
      .Text(a.domain)
      .Text(a.scopes)
      .Text(a.client_id)
      .Text(a.client_secret_hash);
  BindActor(p, a.created_by);
  p.Int(a.created_at).Int(a.updated_at);
  return Write(InsertSql("oauth_applications", kAppColumns), p,
               {.duplicate_id = "an OAuth application with id " + Quoted(a.id) + " already exists",
                .duplicate_key = "an OAuth application with client id " + Quoted(a.client_id) +
                                 " already exists",
                .missing_parent = "organization with id " + Quoted(a.org_id) + " not found"})
      .status();
}

Result<OAuthApplication> PostgresStore::GetOAuthApplication(const std::string& org_id,
                                                            const std::string& id) {
  return OneRow<OAuthApplication>(
      Read(SelectSql(kAppColumns, "FROM oauth_applications WHERE org_id = $1 AND id = $2"),
           Params().Text(org_id).Text(id)),
      ReadApp, "OAuth application " + Quoted(id) + " not found");
}

Result<OAuthApplication> PostgresStore::GetOAuthApplicationByClientId(
    const std::string& client_id) {
  return OneRow<OAuthApplication>(
      Read(SelectSql(kAppColumns, "FROM oauth_applications WHERE client_id = $1"),
           Params().Text(client_id)),
      ReadApp, "OAuth client " + Quoted(client_id) + " not found");
}

Result<std::vector<OAuthApplication>> PostgresStore::ListOAuthApplications(
    const std::string& org_id) {
  return CollectRows<OAuthApplication>(
      Read(SelectSql(kAppColumns, R"(FROM oauth_applications WHERE org_id = $1 )"
                                  R"(ORDER BY created_at, id COLLATE "C")"),
           Params().Text(org_id)),
      ReadApp);
}

Status PostgresStore::UpdateOAuthApplication(const OAuthApplication& a) {
  return WriteOne(
      "UPDATE oauth_applications SET name = $1, redirect_uri = $2, domain = $3, scopes = $4, "
      "updated_at = $5 WHERE id = $6",
      Params()
          .Text(a.name)
          .Text(a.redirect_uri)
          .Text(a.domain)
          .Text(a.scopes)
          .Int(a.updated_at)
          .Text(a.id),
      "OAuth application " + Quoted(a.id) + " not found");
}

Status PostgresStore::DeleteOAuthApplication(const std::string& id) {
  return WriteOne("DELETE FROM oauth_applications WHERE id = $1", Params().Text(id),
                  "OAuth application " + Quoted(id) + " not found");
}

Status PostgresStore::InsertOAuthGrant(const OAuthGrant& g) {
  return Write(InsertSql("oauth_grants", kGrantColumns),
               Params()
                   .Text(g.id)
                   .Text(g.kind)
                   .Text(g.secret_hash)
                   .Text(g.user_code)
                   .Text(g.application_id)
                   .Text(g.client_id)
                   .Text(g.user_id)
                   .Text(g.org_id)
                   .Text(g.redirect_uri)
                   .Text(g.scopes)
                   .Text(g.code_challenge)
                   .Text(g.code_challenge_method)
                   .Text(g.state)
                   .Int(g.created_at)
                   .Int(g.expires_at)
                   .OptInt(g.last_poll_at),
               {.duplicate_id = "an OAuth grant with id " + Quoted(g.id) + " already exists",
                .duplicate_key = "that OAuth code already exists",
                .missing_parent = ""})
      .status();
}

Result<OAuthGrant> PostgresStore::GetOAuthGrantByHash(const std::string& secret_hash) {
  return OneRow<OAuthGrant>(
      Read(SelectSql(kGrantColumns, "FROM oauth_grants WHERE secret_hash = $1"),
           Params().Text(secret_hash)),
      ReadGrant, "OAuth grant not found");
}

Result<OAuthGrant> PostgresStore::GetOAuthGrantByUserCode(const std::string& user_code) {
  return OneRow<OAuthGrant>(
      Read(SelectSql(kGrantColumns,
                     "FROM oauth_grants WHERE user_code = $1 AND kind = 'device' "
                     "ORDER BY created_at DESC"),
           Params().Text(user_code)),
      ReadGrant, "device code " + Quoted(user_code) + " not found");
}

Status PostgresStore::UpdateOAuthGrant(const OAuthGrant& g) {
  return WriteOne(
      "UPDATE oauth_grants SET user_id = $1, org_id = $2, state = $3, last_poll_at = $4 "
      "WHERE id = $5",
      Params().Text(g.user_id).Text(g.org_id).Text(g.state).OptInt(g.last_poll_at).Text(g.id),
      "OAuth grant " + Quoted(g.id) + " not found");
}

Status PostgresStore::InsertOAuthRefreshToken(const OAuthRefreshToken& t) {
  return Write(InsertSql("oauth_refresh_tokens", kRefreshColumns),
               Params()
                   .Text(t.id)
                   .Text(t.secret_hash)
                   .Text(t.application_id)
                   .Text(t.user_id)
                   .Text(t.org_id)
                   .Text(t.scopes)
                   .Text(t.chain_id)
                   .Text(t.access_token_id)
                   .Int(t.created_at)
                   .Int(t.expires_at)
                   .OptInt(t.used_at),
               {.duplicate_id = "a refresh token with id " + Quoted(t.id) + " already exists",
                .duplicate_key = "that refresh token already exists",
                .missing_parent = ""})
      .status();
}

Result<OAuthRefreshToken> PostgresStore::GetOAuthRefreshTokenByHash(
    const std::string& secret_hash) {
  return OneRow<OAuthRefreshToken>(
      Read(SelectSql(kRefreshColumns, "FROM oauth_refresh_tokens WHERE secret_hash = $1"),
           Params().Text(secret_hash)),
      ReadRefresh, "refresh token not found");
}

Result<std::vector<OAuthRefreshToken>> PostgresStore::ListOAuthRefreshTokens(
    const std::string& chain_id) {
  return CollectRows<OAuthRefreshToken>(
      Read(SelectSql(kRefreshColumns, R"(FROM oauth_refresh_tokens WHERE chain_id = $1 )"
                                      R"(ORDER BY created_at, id COLLATE "C")"),
           Params().Text(chain_id)),
      ReadRefresh);
}

Status PostgresStore::UpdateOAuthRefreshToken(const OAuthRefreshToken& t) {
  return WriteOne("UPDATE oauth_refresh_tokens SET used_at = $1 WHERE id = $2",
                  Params().OptInt(t.used_at).Text(t.id),
                  "refresh token " + Quoted(t.id) + " not found");
}

Status PostgresStore::DeleteOAuthRefreshToken(const std::string& id) {
  return WriteOne("DELETE FROM oauth_refresh_tokens WHERE id = $1", Params().Text(id),
                  "refresh token " + Quoted(id) + " not found");
}

}  // namespace opscale::postgres
