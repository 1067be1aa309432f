// SqliteStore: OAuth applications, grants (codes, device codes) and refresh
// tokens.
#include "storage/sqlite/sqlite_rows.h"
#include "storage/sqlite/sqlite_store.h"

namespace opscale::sqlite {
namespace {

constexpr const char* kAppColumns =
    "id, org_id, name, redirect_uri, domain, scopes, client_id, client_secret_hash, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at";

OAuthApplication ReadApp(const Statement& st) {
  OAuthApplication a;
  a.id = st.Text(0);
  a.org_id = st.Text(1);
  a.name = st.Text(2);
  a.redirect_uri = st.Text(3);
  a.domain = st.Text(4);
  a.scopes = st.Text(5);
  a.client_id = st.Text(6);
  a.client_secret_hash = st.Text(7);
  a.created_by = ReadActor(st, 8);
  a.created_at = st.Int(11);
  a.updated_at = st.Int(12);
  return a;
}

constexpr const char* kGrantColumns =
    "id, kind, secret_hash, user_code, application_id, client_id, user_id, org_id, redirect_uri, "
    "scopes, code_challenge, code_challenge_method, state, created_at, expires_at, last_poll_at";

OAuthGrant ReadGrant(const Statement& st) {
  OAuthGrant g;
  g.id = st.Text(0);
  g.kind = st.Text(1);
  g.secret_hash = st.Text(2);
  g.user_code = st.Text(3);
  g.application_id = st.Text(4);
  g.client_id = st.Text(5);
  g.user_id = st.Text(6);
  g.org_id = st.Text(7);
  g.redirect_uri = st.Text(8);
  g.scopes = st.Text(9);
  g.code_challenge = st.Text(10);
  g.code_challenge_method = st.Text(11);
  g.state = st.Text(12);
  g.created_at = st.Int(13);
  g.expires_at = st.Int(14);
  g.last_poll_at = st.OptInt(15);
  return g;
}

constexpr const char* kRefreshColumns =
    "id, secret_hash, application_id, user_id, org_id, scopes, chain_id, access_token_id, "
    "created_at, expires_at, used_at";

OAuthRefreshToken ReadRefresh(const Statement& st) {
  OAuthRefreshToken t;
  t.id = st.Text(0);
  t.secret_hash = st.Text(1);
  t.application_id = st.Text(2);
  t.user_id = st.Text(3);
  t.org_id = st.Text(4);
  t.scopes = st.Text(5);
  t.chain_id = st.Text(6);
  t.access_token_id = st.Text(7);
  t.created_at = st.Int(8);
  t.expires_at = st.Int(9);
  t.used_at = st.OptInt(10);
  return t;
}

}  // namespace

Status SqliteStore::InsertOAuthApplication(const OAuthApplication& a) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "oauth_applications", kAppColumns));
  st.BindText(a.id).BindText(a.org_id).BindText(a.name).BindText(a.redirect_uri).BindText(a.domain)
      .BindText(a.scopes).BindText(a.client_id).BindText(a.client_secret_hash);
  BindActor(st, a.created_by);
  st.BindInt(a.created_at).BindInt(a.updated_at);
  return RunWrite(st, {.duplicate_id = "an OAuth application with id " + Quoted(a.id) + " already exists",
                       .duplicate_key = "an OAuth application with client id " + Quoted(a.client_id) +
                                        " already exists",
                       .missing_parent = "organization with id " + Quoted(a.org_id) + " not found"});
}

Result<OAuthApplication> SqliteStore::GetOAuthApplication(const std::string& org_id,
                                                          const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kAppColumns, "FROM oauth_applications WHERE org_id = ?1 AND id = ?2"));
  st.BindText(org_id).BindText(id);
  return OneRow<OAuthApplication>(st, ReadApp, "OAuth application " + Quoted(id) + " not found");
}

Result<OAuthApplication> SqliteStore::GetOAuthApplicationByClientId(const std::string& client_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kAppColumns, "FROM oauth_applications WHERE client_id = ?1"));
  st.BindText(client_id);
  return OneRow<OAuthApplication>(st, ReadApp, "OAuth client " + Quoted(client_id) + " not found");
}

Result<std::vector<OAuthApplication>> SqliteStore::ListOAuthApplications(const std::string& org_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kAppColumns, "FROM oauth_applications WHERE org_id = ?1 ORDER BY created_at, id"));
  st.BindText(org_id);
  return CollectRows<OAuthApplication>(st, ReadApp);
}

Status SqliteStore::UpdateOAuthApplication(const OAuthApplication& a) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(), "UPDATE oauth_applications SET name = ?1, redirect_uri = ?2, "
                               "domain = ?3, scopes = ?4, updated_at = ?5 WHERE id = ?6"));
  st.BindText(a.name).BindText(a.redirect_uri).BindText(a.domain).BindText(a.scopes)
      .BindInt(a.updated_at).BindText(a.id);
  return RunOne(st, {}, "OAuth application " + Quoted(a.id) + " not found");
}

Status SqliteStore::DeleteOAuthApplication(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Statement::Prepare(db(), "DELETE FROM oauth_applications WHERE id = ?1"));
  st.BindText(id);
  return RunOne(st, {}, "OAuth application " + Quoted(id) + " not found");
}

Status SqliteStore::InsertOAuthGrant(const OAuthGrant& g) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "oauth_grants", kGrantColumns));
  st.BindText(g.id).BindText(g.kind).BindText(g.secret_hash).BindText(g.user_code)
      .BindText(g.application_id).BindText(g.client_id).BindText(g.user_id).BindText(g.org_id)
      .BindText(g.redirect_uri).BindText(g.scopes).BindText(g.code_challenge)
      .BindText(g.code_challenge_method).BindText(g.state).BindInt(g.created_at)
      .BindInt(g.expires_at).BindOptInt(g.last_poll_at);
  return RunWrite(st, {.duplicate_id = "an OAuth grant with id " + Quoted(g.id) + " already exists",
                       .duplicate_key = "that OAuth code already exists",
                       .missing_parent = ""});
}

Result<OAuthGrant> SqliteStore::GetOAuthGrantByHash(const std::string& secret_hash) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kGrantColumns, "FROM oauth_grants WHERE secret_hash = ?1"));
  st.BindText(secret_hash);
  return OneRow<OAuthGrant>(st, ReadGrant, "OAuth grant not found");
}

Result<OAuthGrant> SqliteStore::GetOAuthGrantByUserCode(const std::string& user_code) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kGrantColumns,
             "FROM oauth_grants WHERE user_code = ?1 AND kind = 'device' ORDER BY created_at DESC"));
  st.BindText(user_code);
  return OneRow<OAuthGrant>(st, ReadGrant, "device code " + Quoted(user_code) + " not found");
}

Status SqliteStore::UpdateOAuthGrant(const OAuthGrant& g) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(), "UPDATE oauth_grants SET user_id = ?1, org_id = ?2, state = ?3, "
                               "last_poll_at = ?4 WHERE id = ?5"));
  st.BindText(g.user_id).BindText(g.org_id).BindText(g.state).BindOptInt(g.last_poll_at).BindText(g.id);
  return RunOne(st, {}, "OAuth grant " + Quoted(g.id) + " not found");
}

Status SqliteStore::InsertOAuthRefreshToken(const OAuthRefreshToken& t) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "oauth_refresh_tokens", kRefreshColumns));
  st.BindText(t.id).BindText(t.secret_hash).BindText(t.application_id).BindText(t.user_id)
      .BindText(t.org_id).BindText(t.scopes).BindText(t.chain_id).BindText(t.access_token_id)
      .BindInt(t.created_at).BindInt(t.expires_at).BindOptInt(t.used_at);
  return RunWrite(st, {.duplicate_id = "a refresh token with id " + Quoted(t.id) + " already exists",
                       .duplicate_key = "that refresh token already exists",
                       .missing_parent = ""});
}

Result<OAuthRefreshToken> SqliteStore::GetOAuthRefreshTokenByHash(const std::string& secret_hash) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kRefreshColumns, "FROM oauth_refresh_tokens WHERE secret_hash = ?1"));
  st.BindText(secret_hash);
  return OneRow<OAuthRefreshToken>(st, ReadRefresh, "refresh token not found");
}

Result<std::vector<OAuthRefreshToken>> SqliteStore::ListOAuthRefreshTokens(const std::string& chain_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kRefreshColumns,
                           "FROM oauth_refresh_tokens WHERE chain_id = ?1 ORDER BY created_at, id"));
  st.BindText(chain_id);
  return CollectRows<OAuthRefreshToken>(st, ReadRefresh);
}

Status SqliteStore::UpdateOAuthRefreshToken(const OAuthRefreshToken& t) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(), "UPDATE oauth_refresh_tokens SET used_at = ?1 WHERE id = ?2"));
  st.BindOptInt(t.used_at).BindText(t.id);
  return RunOne(st, {}, "refresh token " + Quoted(t.id) + " not found");
}

Status SqliteStore::DeleteOAuthRefreshToken(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Statement::Prepare(db(), "DELETE FROM oauth_refresh_tokens WHERE id = ?1"));
  st.BindText(id);
  return RunOne(st, {}, "refresh token " + Quoted(id) + " not found");
}

}  // namespace opscale::sqlite
