#include "service/oauth.h"

#include <algorithm>

#include "auth/oauth_scopes.h"
#include "auth/token_format.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/text.h"

namespace opscale {

namespace {

constexpr std::string_view kRefreshPrefix = "pscale_oauth_refresh_";
constexpr std::string_view kClientSecretPrefix = "pscale_app_secret_";
constexpr std::string_view kUserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

Status OAuthError(const std::string& code, const std::string& description) {
  std::string m = code + ": " + description;
  if (code == "invalid_client") return Status::Unauthenticated(m);
  return Status::InvalidArgument(m);
}

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (bytes.size() - i == 1) {
    uint32_t v = b(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    for (int s = 18; s >= 6; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "https://app.example.com/cb" -> "app.example.com"; empty if not http(s).
std::string RedirectHost(const std::string& uri) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (uri.rfind(scheme, 0) != 0) continue;
    std::string rest = uri.substr(scheme.size());
    std::string host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.empty() || host.find('@') != std::string::npos ||
        uri.find('#') != std::string::npos)
      return "";
    for (unsigned char c : uri)
      if (c <= 0x20 || c >= 0x7f) return "";
    return host.substr(0, host.rfind(':') == std::string::npos || host.back() == ']'
                              ? host.size()
                              : host.rfind(':'));
  }
  return "";
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<std::string> SplitScopes(const std::string& s) {
  auto parsed = ParseScopes(s);
  return parsed.ok() ? *parsed : std::vector<std::string>{};
}

std::string NormalizeUserCode(const std::string& raw) {
  std::string letters;
  for (char c : raw)
    if (std::isalpha(static_cast<unsigned char>(c))) letters += static_cast<char>(std::toupper(c));
  if (letters.size() != 8) return "";
  return letters.substr(0, 4) + "-" + letters.substr(4);
}

}  // namespace

std::pair<std::string, std::string> OAuthErrorCode(const Status& s) {
  const std::string& m = s.message();
  size_t colon = m.find(": ");
  if (colon != std::string::npos && colon < 32 &&
      std::all_of(m.begin(), m.begin() + static_cast<long>(colon),
                  [](char c) { return std::islower(static_cast<unsigned char>(c)) || c == '_'; }))
    return {m.substr(0, colon), m.substr(colon + 2)};
  switch (s.code()) {
    case Code::kUnauthenticated: return {"invalid_client", m};
    case Code::kUnavailable:
    case Code::kInternal: return {"server_error", m};
    default: return {"invalid_request", m};
  }
}

// --- Applications ---

Result<std::pair<Organization, OAuthApplication>> OAuthService::AppFor(const RequestContext& ctx,
                                                                       const std::string& org_name,
                                                                       const std::string& id,
                                                                       Access need) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, need, Resource::Org(org.id, org.name)));
  OPSCALE_ASSIGN_OR_RETURN(OAuthApplication app, core_->store().GetOAuthApplication(org.id, id));
  return std::make_pair(std::move(org), std::move(app));
}

Result<std::vector<OAuthAppView>> OAuthService::ListApps(const RequestContext& ctx,
                                                         const std::string& org_name) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kReadOAuthApplications,
                                                Resource::Org(org.id, org.name)));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<OAuthApplication> apps,
                           core_->store().ListOAuthApplications(org.id));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> tokens, core_->store().ListApiTokens());
  std::vector<OAuthAppView> out;
  for (auto& a : apps) {
    OAuthAppView v{std::move(a), std::nullopt, 0};
    for (const auto& t : tokens) v.token_count += t.application_id == v.app.id ? 1 : 0;
    out.push_back(std::move(v));
  }
  return out;
}

Result<OAuthAppView> OAuthService::GetApp(const RequestContext& ctx, const std::string& org,
                                          const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(auto found, AppFor(ctx, org, id, Access::kReadOAuthApplications));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> tokens, core_->store().ListApiTokens());
  OAuthAppView v{std::move(found.second), std::nullopt, 0};
  for (const auto& t : tokens) v.token_count += t.application_id == v.app.id ? 1 : 0;
  return v;
}

namespace {
Status ApplyInput(const OAuthAppInput& in, OAuthApplication* app) {
  if (in.name) {
    if (in.name->empty() || in.name->size() > 64)
      return Status::Unprocessable("field 'name' must be 1 to 64 characters");
    app->name = *in.name;
  }
  if (in.redirect_uri) {
    std::string host = RedirectHost(*in.redirect_uri);
    if (host.empty())
      return Status::Unprocessable(
          "field 'redirect_uri' must be an absolute http:// or https:// URL without a fragment");
    app->redirect_uri = *in.redirect_uri;
    app->domain = host;
  }
  if (in.scopes) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> scopes, ParseScopes(JoinScopes(*in.scopes)));
    if (scopes.empty()) return Status::Unprocessable("field 'scopes' must name at least one scope");
    app->scopes = JoinScopes(scopes);
  }
  return Status::Ok();
}
}  // namespace

Result<OAuthAppView> OAuthService::CreateApp(const RequestContext& ctx, const std::string& org_name,
                                             const OAuthAppInput& in) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kWriteOrganization,
                                                Resource::Org(org.id, org.name)));
  if (!in.name) return Status::Unprocessable("field 'name' is required");
  if (!in.redirect_uri) return Status::Unprocessable("field 'redirect_uri' is required");
  if (!in.scopes) return Status::Unprocessable("field 'scopes' is required");
  OAuthAppView v;
  OPSCALE_RETURN_IF_ERROR(ApplyInput(in, &v.app));
  TimeMs now = NowMs();
  v.app.id = NewId();
  v.app.org_id = org.id;
  v.app.client_id = "pscale_app_" + RandomString(32, "abcdefghijklmnopqrstuvwxyz0123456789");
  v.client_secret = GenerateSecret(kClientSecretPrefix);
  v.app.client_secret_hash = core_->index().hasher().Hash(*v.client_secret);
  v.app.created_by = ctx.principal.AsActor();
  v.app.created_at = v.app.updated_at = now;
  AuditEvent e = ServiceCore::Event(ctx, org.id, "oauth_application.created", "OAuthApplication",
                                    v.app.id, v.app.name);
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOAuthApplication(v.app));
    return tx.InsertAuditEvent(e);
  }));
  return v;
}

Result<OAuthAppView> OAuthService::UpdateApp(const RequestContext& ctx, const std::string& org,
                                             const std::string& id, const OAuthAppInput& in) {
  OPSCALE_ASSIGN_OR_RETURN(auto found, AppFor(ctx, org, id, Access::kWriteOrganization));
  OAuthApplication app = std::move(found.second);
  OPSCALE_RETURN_IF_ERROR(ApplyInput(in, &app));
  app.updated_at = NowMs();
  AuditEvent e = ServiceCore::Event(ctx, found.first.id, "oauth_application.updated",
                                    "OAuthApplication", app.id, app.name);
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.UpdateOAuthApplication(app));
    return tx.InsertAuditEvent(e);
  }));
  return GetApp(ctx, org, id);
}

Status OAuthService::DeleteApp(const RequestContext& ctx, const std::string& org,
                               const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(auto found, AppFor(ctx, org, id, Access::kWriteOrganization));
  const OAuthApplication& app = found.second;
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  std::vector<std::string> token_ids, chains;
  for (const auto& t : all) {
    if (t.application_id != app.id) continue;
    token_ids.push_back(t.id);
    if (!t.chain_id.empty()) chains.push_back(t.chain_id);
  }
  AuditEvent e = ServiceCore::Event(ctx, found.first.id, "oauth_application.deleted",
                                    "OAuthApplication", app.id, app.name);
  OPSCALE_RETURN_IF_ERROR(core_->Write(
      [&](Store& tx) {
        for (const auto& t : token_ids) OPSCALE_RETURN_IF_ERROR(tx.DeleteApiToken(t));
        for (const auto& c : chains) {
          OPSCALE_ASSIGN_OR_RETURN(std::vector<OAuthRefreshToken> rts, tx.ListOAuthRefreshTokens(c));
          for (const auto& r : rts) OPSCALE_RETURN_IF_ERROR(tx.DeleteOAuthRefreshToken(r.id));
        }
        OPSCALE_RETURN_IF_ERROR(tx.DeleteOAuthApplication(app.id));
        return tx.InsertAuditEvent(e);
      },
      [&] {
        for (const auto& t : token_ids) core_->index().RemoveApiToken(t);
      }));
  return Status::Ok();
}

// --- Authorization code flow ---

Result<ConsentInfo> OAuthService::DescribeConsent(const RequestContext& ctx, const AuthorizeRequest& r) {
  if (!ctx.principal.is_user() || ctx.principal.scope_limit)
    return Status::PermissionDenied("only a signed-in user can authorize an application");
  if (r.response_type != "code")
    return OAuthError("unsupported_response_type", "response_type must be \"code\"");
  auto app = core_->store().GetOAuthApplicationByClientId(r.client_id);
  if (!app.ok()) {
    // 400, not 401: the person is signed in; the link they followed is wrong.
    if (app.status().code() == Code::kNotFound)
      return Status::InvalidArgument("invalid_client: unknown client_id " + r.client_id);
    return app.status();
  }
  ConsentInfo info;
  info.redirect_uri = r.redirect_uri.empty() ? app->redirect_uri : r.redirect_uri;
  if (info.redirect_uri != app->redirect_uri)
    return OAuthError("invalid_request", "redirect_uri does not match the application's redirect URI");
  if (!Authorizer::InOrg(ctx.principal, app->org_id))
    return Status::PermissionDenied("you are not a member of the organization that owns this application");
  std::vector<std::string> allowed = SplitScopes(app->scopes);
  if (r.scope.empty()) {
    info.scopes = allowed;
  } else {
    auto asked = ParseScopes(r.scope);
    if (!asked.ok()) return OAuthError("invalid_scope", asked.status().message());
    for (const auto& s : *asked)
      if (!Contains(allowed, s))
        return OAuthError("invalid_scope", "the application may not ask for scope " + s);
    info.scopes = std::move(asked).value();
  }
  if (!r.code_challenge.empty() && r.code_challenge_method != "S256" &&
      r.code_challenge_method != "plain" && !r.code_challenge_method.empty())
    return OAuthError("invalid_request", "code_challenge_method must be S256 or plain");
  info.org_name = core_->index().OrgNameById(app->org_id).value_or("");
  info.app = std::move(app).value();
  return info;
}

Result<std::string> OAuthService::Approve(const RequestContext& ctx, const AuthorizeRequest& r) {
  OPSCALE_ASSIGN_OR_RETURN(ConsentInfo info, DescribeConsent(ctx, r));
  std::string code = RandomString(40, kBase62);
  OAuthGrant g;
  g.id = NewId();
  g.kind = "code";
  g.secret_hash = core_->index().hasher().Hash(code);
  g.application_id = info.app.id;
  g.client_id = info.app.client_id;
  g.user_id = ctx.principal.id;
  g.org_id = info.app.org_id;
  g.redirect_uri = info.redirect_uri;
  g.scopes = JoinScopes(info.scopes);
  g.code_challenge = r.code_challenge;
  g.code_challenge_method = r.code_challenge.empty() ? "" : (r.code_challenge_method.empty() ? "plain" : r.code_challenge_method);
  g.state = "approved";
  g.created_at = NowMs();
  g.expires_at = g.created_at + kCodeTtlMs;
  AuditEvent e = ServiceCore::Event(ctx, info.app.org_id, "oauth_application.authorized",
                                    "OAuthApplication", info.app.id, info.app.name);
  e.metadata_json = "{\"scopes\":\"" + g.scopes + "\"}";
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.InsertOAuthGrant(g));
    return tx.InsertAuditEvent(e);
  }));
  std::string url = info.redirect_uri;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "code=" + code;
  if (!r.state.empty()) url += "&state=" + PercentEncode(r.state);
  return url;
}

Result<std::string> OAuthService::Deny(const RequestContext& ctx, const AuthorizeRequest& r) {
  OPSCALE_ASSIGN_OR_RETURN(ConsentInfo info, DescribeConsent(ctx, r));
  std::string url = info.redirect_uri;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "error=access_denied";
  if (!r.state.empty()) url += "&state=" + PercentEncode(r.state);
  return url;
}

// --- Issuing and revoking ---

Result<OAuthApplication> OAuthService::AuthenticateClient(const std::string& client_id,
                                                          const std::string& secret) {
  if (client_id == kCliClientId) {
    OAuthApplication cli;
    cli.client_id = kCliClientId;
    cli.name = "opscale CLI";
    return cli;  // a public client: no secret
  }
  auto app = core_->store().GetOAuthApplicationByClientId(client_id);
  if (!app.ok()) {
    if (app.status().code() == Code::kNotFound)
      return OAuthError("invalid_client", "client authentication failed");
    return app.status();
  }
  if (secret.empty() ||
      !crypto::ConstantTimeEqual(core_->index().hasher().Hash(secret), app->client_secret_hash))
    return OAuthError("invalid_client", "client authentication failed");
  return app;
}

Result<IssuedOAuthTokens> OAuthService::Issue(const std::string& application_id,
                                              const std::string& user_id, const std::string& org_id,
                                              const std::string& scopes, const std::string& chain_id,
                                              bool with_refresh,
                                              const std::function<Status(Store&)>& also) {
  TimeMs now = NowMs();
  IssuedOAuthTokens out;
  out.access_token = GenerateSecret(kApiTokenPrefix);
  out.scope = scopes;
  ApiToken& t = out.access;
  t.id = NewId();
  t.user_id = user_id;
  t.org_id = org_id;
  t.kind = kOAuthKind;
  t.name = application_id.empty() ? "opscale CLI" : "OAuth";
  t.secret_hash = core_->index().hasher().Hash(out.access_token);
  t.created_at = now;
  t.expires_at = now + kAccessTokenTtlMs;
  // The built-in CLI client acts with the user's full rights (like pscale's
  // own CLI); applications are limited to their scopes.
  if (!application_id.empty()) t.scopes = scopes;
  t.application_id = application_id;
  t.chain_id = chain_id;
  OAuthRefreshToken rt;
  if (with_refresh) {
    out.refresh_token = GenerateSecret(kRefreshPrefix);
    rt.id = NewId();
    rt.secret_hash = core_->index().hasher().Hash(out.refresh_token);
    rt.application_id = application_id;
    rt.user_id = user_id;
    rt.org_id = org_id;
    rt.scopes = scopes;
    rt.chain_id = chain_id;
    rt.access_token_id = t.id;
    rt.created_at = now;
    rt.expires_at = now + kRefreshTokenTtlMs;
  }
  OPSCALE_RETURN_IF_ERROR(core_->Write(
      [&](Store& tx) {
        if (also) OPSCALE_RETURN_IF_ERROR(also(tx));
        OPSCALE_RETURN_IF_ERROR(tx.InsertApiToken(t));
        if (with_refresh) OPSCALE_RETURN_IF_ERROR(tx.InsertOAuthRefreshToken(rt));
        return Status::Ok();
      },
      [&] { core_->index().PutApiToken(t); }));
  return out;
}

Status OAuthService::RevokeChain(const std::string& chain_id) {
  if (chain_id.empty()) return Status::Ok();
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  std::vector<std::string> ids;
  for (const auto& t : all)
    if (t.chain_id == chain_id) ids.push_back(t.id);
  return core_->Write(
      [&](Store& tx) {
        for (const auto& id : ids) OPSCALE_RETURN_IF_ERROR(tx.DeleteApiToken(id));
        OPSCALE_ASSIGN_OR_RETURN(std::vector<OAuthRefreshToken> rts, tx.ListOAuthRefreshTokens(chain_id));
        for (const auto& r : rts) OPSCALE_RETURN_IF_ERROR(tx.DeleteOAuthRefreshToken(r.id));
        return Status::Ok();
      },
      [&] {
        for (const auto& id : ids) core_->index().RemoveApiToken(id);
      });
}

Result<IssuedOAuthTokens> OAuthService::ExchangeCode(const std::string& client_id,
                                                     const std::string& client_secret,
                                                     const std::string& code,
                                                     const std::string& redirect_uri,
                                                     const std::string& code_verifier) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthApplication app, AuthenticateClient(client_id, client_secret));
  const std::string hash = core_->index().hasher().Hash(code);
  auto grant = core_->store().GetOAuthGrantByHash(hash);
  if (!grant.ok() || grant->kind != "code" || grant->client_id != app.client_id) {
    if (!grant.ok() && grant.status().code() != Code::kNotFound) return grant.status();
    return OAuthError("invalid_grant", "the authorization code is not valid for this client");
  }
  if (grant->state == "used") {
    // A replayed code: whatever it produced is no longer trusted.
    OPSCALE_RETURN_IF_ERROR(RevokeChain(grant->id));
    return OAuthError("invalid_grant", "the authorization code was already used; its tokens are revoked");
  }
  if (grant->expires_at <= NowMs()) return OAuthError("invalid_grant", "the authorization code expired");
  if (!redirect_uri.empty() && redirect_uri != grant->redirect_uri)
    return OAuthError("invalid_grant", "redirect_uri does not match the authorization request");
  if (!grant->code_challenge.empty()) {
    if (code_verifier.empty()) return OAuthError("invalid_grant", "code_verifier is required (PKCE)");
    std::string expect = grant->code_challenge_method == "S256"
                             ? Base64Url(crypto::Sha256(code_verifier))
                             : code_verifier;
    if (!crypto::ConstantTimeEqual(expect, grant->code_challenge))
      return OAuthError("invalid_grant", "code_verifier does not match the code_challenge");
  }
  OAuthGrant used = *grant;
  used.state = "used";
  auto issued = Issue(app.id, grant->user_id, grant->org_id, grant->scopes, grant->id, true,
                      [&](Store& tx) -> Status {
                        // Re-read inside the transaction: two exchanges of one
                        // code cannot both succeed.
                        OPSCALE_ASSIGN_OR_RETURN(OAuthGrant now, tx.GetOAuthGrantByHash(hash));
                        if (now.state == "used") return Status::Conflict("used");
                        return tx.UpdateOAuthGrant(used);
                      });
  if (!issued.ok() && issued.status().code() == Code::kConflict)
    return OAuthError("invalid_grant", "the authorization code was already used");
  return issued;
}

Result<IssuedOAuthTokens> OAuthService::Refresh(const std::string& client_id,
                                                const std::string& client_secret,
                                                const std::string& refresh_token) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthApplication app, AuthenticateClient(client_id, client_secret));
  const std::string hash = core_->index().hasher().Hash(refresh_token);
  auto rt = core_->store().GetOAuthRefreshTokenByHash(hash);
  if (!rt.ok() || rt->application_id != app.id) {
    if (!rt.ok() && rt.status().code() != Code::kNotFound) return rt.status();
    return OAuthError("invalid_grant", "the refresh token is not valid for this client");
  }
  if (rt->used_at) {
    // Reuse of a rotated refresh token: someone else may hold the chain.
    OPSCALE_RETURN_IF_ERROR(RevokeChain(rt->chain_id));
    return OAuthError("invalid_grant", "the refresh token was already used; every token of this authorization is revoked");
  }
  if (rt->expires_at <= NowMs()) return OAuthError("invalid_grant", "the refresh token expired");
  OAuthRefreshToken spent = *rt;
  spent.used_at = NowMs();
  auto issued = Issue(app.id, rt->user_id, rt->org_id, rt->scopes, rt->chain_id, true,
                      [&](Store& tx) -> Status {
                        OPSCALE_ASSIGN_OR_RETURN(OAuthRefreshToken now, tx.GetOAuthRefreshTokenByHash(hash));
                        if (now.used_at) return Status::Conflict("used");
                        return tx.UpdateOAuthRefreshToken(spent);
                      });
  if (!issued.ok() && issued.status().code() == Code::kConflict)
    return OAuthError("invalid_grant", "the refresh token was already used");
  return issued;
}

Status OAuthService::Revoke(const std::string& client_id, const std::string& client_secret,
                            const std::string& token) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthApplication app, AuthenticateClient(client_id, client_secret));
  const std::string hash = core_->index().hasher().Hash(token);
  if (token.rfind(kRefreshPrefix, 0) == 0) {
    auto rt = core_->store().GetOAuthRefreshTokenByHash(hash);
    if (rt.ok() && rt->application_id == app.id) return RevokeChain(rt->chain_id);
    return Status::Ok();
  }
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  for (const auto& t : all) {
    if (t.secret_hash != hash || t.kind != kOAuthKind || t.application_id != app.id) continue;
    if (!t.chain_id.empty()) return RevokeChain(t.chain_id);
    return core_->Write([&](Store& tx) { return tx.DeleteApiToken(t.id); },
                        [&] { core_->index().RemoveApiToken(t.id); });
  }
  return Status::Ok();
}

// --- Device flow ---

Result<DeviceStart> OAuthService::StartDevice(const std::string& client_id, const std::string& scope) {
  if (client_id != kCliClientId)
    return OAuthError("invalid_client", "the device flow is offered to the opscale CLI only");
  auto scopes = ParseScopes(scope);
  if (!scopes.ok()) return OAuthError("invalid_scope", scopes.status().message());
  DeviceStart out;
  out.device_code = RandomString(40, kBase62);
  std::string letters = RandomString(8, kUserCodeAlphabet);
  out.user_code = letters.substr(0, 4) + "-" + letters.substr(4);
  out.expires_in_s = kDeviceCodeTtlMs / 1000;
  OAuthGrant g;
  g.id = NewId();
  g.kind = "device";
  g.secret_hash = core_->index().hasher().Hash(out.device_code);
  g.user_code = out.user_code;
  g.client_id = client_id;
  g.scopes = JoinScopes(*scopes);
  g.state = "pending";
  g.created_at = NowMs();
  g.expires_at = g.created_at + kDeviceCodeTtlMs;
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) { return tx.InsertOAuthGrant(g); }));
  return out;
}

Status OAuthService::DecideDevice(const RequestContext& ctx, const std::string& raw_code, bool approve) {
  if (!ctx.principal.is_user() || ctx.principal.scope_limit)
    return Status::PermissionDenied("only a signed-in user can approve a device");
  std::string code = NormalizeUserCode(raw_code);
  auto g = code.empty() ? Result<OAuthGrant>(Status::NotFound()) : core_->store().GetOAuthGrantByUserCode(code);
  if (!g.ok() || g->state != "pending" || g->expires_at <= NowMs()) {
    if (!g.ok() && g.status().code() != Code::kNotFound) return g.status();
    return Status::NotFound("code " + raw_code + " is not a pending device login (it may have expired)");
  }
  OAuthGrant decided = std::move(g).value();
  decided.state = approve ? "approved" : "denied";
  decided.user_id = ctx.principal.id;
  return core_->Write([&](Store& tx) { return tx.UpdateOAuthGrant(decided); });
}

Result<IssuedOAuthTokens> OAuthService::PollDevice(const std::string& client_id,
                                                   const std::string& device_code) {
  const std::string hash = core_->index().hasher().Hash(device_code);
  auto g = core_->store().GetOAuthGrantByHash(hash);
  if (!g.ok() || g->kind != "device" || g->client_id != client_id) {
    if (!g.ok() && g.status().code() != Code::kNotFound) return g.status();
    return OAuthError("invalid_grant", "unknown device_code");
  }
  TimeMs now = NowMs();
  if (g->state == "used") return OAuthError("invalid_grant", "the device code was already used");
  if (g->expires_at <= now) return OAuthError("expired_token", "the device code expired; run the login again");
  if (g->state == "denied") return OAuthError("access_denied", "the login was denied in the dashboard");
  if (g->state == "pending") {
    // Polls closer than a second apart are told to slow down.
    bool too_fast = g->last_poll_at && now - *g->last_poll_at < 1000;
    OAuthGrant polled = *g;
    polled.last_poll_at = now;
    OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) { return tx.UpdateOAuthGrant(polled); }));
    if (too_fast) return OAuthError("slow_down", "poll less often");
    return OAuthError("authorization_pending", "waiting for approval in the dashboard");
  }
  OAuthGrant used = *g;
  used.state = "used";
  auto issued = Issue("", g->user_id, "", g->scopes, g->id, false, [&](Store& tx) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(OAuthGrant current, tx.GetOAuthGrantByHash(hash));
    if (current.state != "approved") return Status::Conflict("used");
    return tx.UpdateOAuthGrant(used);
  });
  if (!issued.ok() && issued.status().code() == Code::kConflict)
    return OAuthError("invalid_grant", "the device code was already used");
  return issued;
}

// --- Minting and managing tokens with a service token ---

Result<IssuedOAuthTokens> OAuthService::Mint(const RequestContext& ctx, const std::string& org,
                                             const std::string& app_id, const MintRequest& m) {
  OPSCALE_ASSIGN_OR_RETURN(auto found, AppFor(ctx, org, app_id, Access::kWriteOAuthTokens));
  if (m.client_id != found.second.client_id)
    return OAuthError("invalid_client", "client_id is not this application's");
  Result<IssuedOAuthTokens> issued = Status::Internal("unreachable");
  if (m.grant_type == "authorization_code") {
    issued = ExchangeCode(m.client_id, m.client_secret, m.code, m.redirect_uri, m.code_verifier);
  } else if (m.grant_type == "refresh_token") {
    issued = Refresh(m.client_id, m.client_secret, m.refresh_token);
  } else {
    return OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
  }
  if (!issued.ok()) return issued.status();
  AuditEvent e = ServiceCore::Event(ctx, found.first.id, "oauth_token.created", "OAuthToken",
                                    issued->access.id, found.second.name);
  (void)core_->store().InsertAuditEvent(e);
  return issued;
}

Result<std::vector<ApiToken>> OAuthService::ListTokens(const RequestContext& ctx,
                                                       const std::string& org,
                                                       const std::string& app_id) {
  OPSCALE_ASSIGN_OR_RETURN(auto found, AppFor(ctx, org, app_id, Access::kReadOAuthTokens));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  std::vector<ApiToken> out;
  for (auto& t : all)
    if (t.application_id == found.second.id && t.kind == kOAuthKind) out.push_back(std::move(t));
  return out;
}

Result<ApiToken> OAuthService::GetToken(const RequestContext& ctx, const std::string& org,
                                        const std::string& app_id, const std::string& token_id) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> tokens, ListTokens(ctx, org, app_id));
  for (auto& t : tokens)
    if (t.id == token_id) return std::move(t);
  return Status::NotFound("OAuth token " + token_id + " not found");
}

Status OAuthService::DeleteToken(const RequestContext& ctx, const std::string& org,
                                 const std::string& app_id, const std::string& token_id) {
  OPSCALE_ASSIGN_OR_RETURN(auto found, AppFor(ctx, org, app_id, Access::kDeleteOAuthTokens));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  for (const auto& t : all) {
    if (t.id != token_id || t.application_id != found.second.id) continue;
    AuditEvent e = ServiceCore::Event(ctx, found.first.id, "oauth_token.deleted", "OAuthToken",
                                      t.id, found.second.name);
    OPSCALE_RETURN_IF_ERROR(core_->Write(
        [&](Store& tx) {
          OPSCALE_RETURN_IF_ERROR(tx.DeleteApiToken(t.id));
          return tx.InsertAuditEvent(e);
        },
        [&] { core_->index().RemoveApiToken(t.id); }));
    return RevokeChain(t.chain_id);  // its refresh tokens too
  }
  return Status::NotFound("OAuth token " + token_id + " not found");
}

Result<std::string> OAuthService::ClientIdOf(const std::string& application_id) {
  if (application_id.empty()) return std::string(kCliClientId);
  // Applications are stored under their organization; scan the organizations.
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Organization> orgs, core_->store().ListOrganizations());
  for (const auto& o : orgs) {
    auto app = core_->store().GetOAuthApplication(o.id, application_id);
    if (app.ok()) return app->client_id;
  }
  return Status::NotFound("application not found");
}

}  // namespace opscale
