// OAuth over HTTP (SPEC §6):
//   /v1/organizations/{org}/oauth-applications[/{id}]           apps (CRUD)
//   /v1/organizations/{org}/oauth-applications/{id}/token        mint with a service token
//   /v1/organizations/{org}/oauth-applications/{id}/tokens[/{t}] list, get, delete
//   /oauth/authorize (GET: consent page; POST: approve -> 302), /oauth/authorize/info,
//   /oauth/token, /oauth/revoke, /oauth/token/info, /oauth/authorize_device,
//   /oauth/device (GET: approval page; POST: approve or deny)
#include "api/oauth_routes.h"

#include "api/api_app.h"
#include "api/handler_context.h"
#include "api/request_bodies.h"
#include "api/url.h"
#include "api/web_security.h"
#include "auth/oauth_scopes.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

// --- /v1 ---

json::object AppJson(const OAuthAppView& v) {
  const OAuthApplication& a = v.app;
  json::object o{
      {"id", a.id},
      {"type", "OAuthApplication"},
      {"name", a.name},
      {"redirect_uri", a.redirect_uri},
      {"domain", a.domain},
      {"created_at", FormatTime(a.created_at)},
      {"updated_at", FormatTime(a.updated_at)},
      {"scopes", a.scopes},
      {"avatar", nullptr},
      {"client_id", a.client_id},
      {"tokens", v.token_count},
      {"dcr", false},
      {"single_org_authorization", true},
      {"requires_org_scope", true},
  };
  if (v.client_secret) o["client_secret"] = *v.client_secret;
  return o;
}

// The public ServiceToken shape, as the API uses for OAuth tokens.
json::object OAuthTokenJson(const ApiToken& t, const std::string* secret = nullptr,
                            const std::string* refresh = nullptr) {
  json::object o{
      {"id", t.id},
      {"type", "OAuthToken"},
      {"name", t.name},
      {"display_name", t.name},
      {"avatar_url", ""},
      {"created_at", FormatTime(t.created_at)},
      {"updated_at", FormatTime(t.created_at)},
      {"expires_at", TimeOrNull(t.expires_at)},
      {"last_used_at", TimeOrNull(t.last_used_at)},
      {"actor_id", t.user_id},
      {"actor_display_name", ""},
      {"actor_type", "User"},
      {"scopes", t.scopes.value_or("")},
      {"service_token_accesses", json::array{}},
  };
  if (secret) o["token"] = *secret;
  if (refresh) o["plain_text_refresh_token"] = *refresh;
  return o;
}

Result<OAuthAppInput> AppInput(const Request& req) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthAppBody b, DecodeOAuthApp(req.body));
  return OAuthAppInput{std::move(b.name), std::move(b.redirect_uri), std::move(b.scopes)};
}

Result<Response> ListApps(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<OAuthAppView> apps,
                           c.platform.oauth().ListApps(c.ctx, c.Param("org")));
  return Json(200, Paginate(c, p, apps, [](const OAuthAppView& v) { return json::value(AppJson(v)); }));
}

Result<Response> GetApp(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthAppView v, c.platform.oauth().GetApp(c.ctx, c.Param("org"), c.Param("id")));
  return Json(200, AppJson(v));
}

Result<Response> CreateApp(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthAppInput in, AppInput(c.req));
  OPSCALE_ASSIGN_OR_RETURN(OAuthAppView v, c.platform.oauth().CreateApp(c.ctx, c.Param("org"), in));
  return Json(201, AppJson(v));
}

Result<Response> UpdateApp(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(OAuthAppInput in, AppInput(c.req));
  OPSCALE_ASSIGN_OR_RETURN(OAuthAppView v,
                           c.platform.oauth().UpdateApp(c.ctx, c.Param("org"), c.Param("id"), in));
  return Json(200, AppJson(v));
}

Result<Response> DeleteApp(Call& c) {
  OPSCALE_RETURN_IF_ERROR(c.platform.oauth().DeleteApp(c.ctx, c.Param("org"), c.Param("id")));
  return NoContent();
}

Result<Response> MintToken(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(MintTokenBody b, DecodeMintToken(c.req.body));
  OAuthService::MintRequest m{std::move(b.client_id),    std::move(b.client_secret),
                              std::move(b.grant_type),   std::move(b.code),
                              std::move(b.redirect_uri), std::move(b.refresh_token),
                              std::move(b.code_verifier)};
  auto issued = c.platform.oauth().Mint(c.ctx, c.Param("org"), c.Param("id"), m);
  if (!issued.ok()) {
    auto [code, description] = OAuthErrorCode(issued.status());
    if (issued.status().code() == Code::kNotFound || issued.status().code() == Code::kPermissionDenied)
      return issued.status();
    // 422 with the OAuth reason: the caller authenticated fine; its request is wrong.
    return Status::Unprocessable(code + ": " + description);
  }
  return Json(200, OAuthTokenJson(issued->access, &issued->access_token,
                                  issued->refresh_token.empty() ? nullptr : &issued->refresh_token));
}

Result<Response> ListTokens(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> tokens,
                           c.platform.oauth().ListTokens(c.ctx, c.Param("org"), c.Param("id")));
  return Json(200, Paginate(c, p, tokens, [](const ApiToken& t) { return json::value(OAuthTokenJson(t)); }));
}

Result<Response> GetToken(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(ApiToken t, c.platform.oauth().GetToken(c.ctx, c.Param("org"), c.Param("id"),
                                                                  c.Param("token")));
  return Json(200, OAuthTokenJson(t));
}

// The OAuth scope catalog, for the dashboard's application form and docs.
Result<Response> ListScopes(Call& c) {
  json::array data;
  for (const auto& s : OAuthScopeCatalog()) {
    json::array accesses;
    for (Access a : s.accesses.ToVector()) accesses.push_back(json::value(AccessName(a)));
    data.push_back(json::object{{"name", s.name}, {"description", s.description},
                                {"accesses", std::move(accesses)}});
  }
  return Json(200, json::object{{"type", "list"}, {"data", std::move(data)}});
}

Result<Response> DeleteToken(Call& c) {
  OPSCALE_RETURN_IF_ERROR(
      c.platform.oauth().DeleteToken(c.ctx, c.Param("org"), c.Param("id"), c.Param("token")));
  return NoContent();
}

// --- /oauth ---

Response OAuthErrorResponse(const Status& s) {
  auto [code, description] = OAuthErrorCode(s);
  int status = s.code() == Code::kUnauthenticated ? 401
               : s.code() == Code::kUnavailable    ? 503
               : s.code() == Code::kInternal       ? 500
                                                   : 400;
  Response r = Json(status, json::object{{"error", code}, {"error_description", description}});
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"opscale\"");
  return r;
}

// Parameters from a form body, a JSON body, or the query string.
std::map<std::string, std::string> RequestParams(const Request& req) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : req.query) out.emplace(k, v);
  AddOAuthBodyParams(req.Header("content-type"), req.body, &out);
  return out;
}

std::string Get(const std::map<std::string, std::string>& p, const std::string& k) {
  auto it = p.find(k);
  return it == p.end() ? "" : it->second;
}

// Client credentials from the body, or HTTP Basic (client_secret_basic).
std::pair<std::string, std::string> ClientCredentials(const Request& req,
                                                      const std::map<std::string, std::string>& p) {
  std::string id = Get(p, "client_id"), secret = Get(p, "client_secret");
  if (auto basic = DecodeBasicAuthorization(req.Header("authorization"))) return *basic;
  return {id, secret};
}

json::object TokenResponseJson(const IssuedOAuthTokens& t) {
  json::object o{{"access_token", t.access_token},
                 {"token_type", "Bearer"},
                 {"expires_in", kAccessTokenTtlMs / 1000},
                 {"scope", t.scope}};
  if (!t.refresh_token.empty()) o["refresh_token"] = t.refresh_token;
  return o;
}

AuthorizeRequest AuthorizeParams(const std::map<std::string, std::string>& p) {
  return AuthorizeRequest{Get(p, "client_id"),  Get(p, "redirect_uri"),
                          Get(p, "scope"),      Get(p, "state"),
                          Get(p, "response_type").empty() ? "code" : Get(p, "response_type"),
                          Get(p, "code_challenge"), Get(p, "code_challenge_method")};
}

}  // namespace

void AddOAuthApplicationRoutes(ApiRoutes& r) {
  using A = Access;
  const std::string base = "/v1/organizations/{org}/oauth-applications";
  const std::string_view tag = "OAuth applications";
  r.Add("GET", base,
        {.id = "list_oauth_applications", .summary = "List the organization's OAuth applications",
         .tag = tag, .accesses = {A::kReadOAuthApplications}, .response = "Page<OAuthApplication>"},
        ListApps);
  r.Add("POST", base,
        {.id = "create_oauth_application",
         .summary = "Register an OAuth application (opscale); its client secret is in this response only",
         .tag = tag, .accesses = {A::kWriteOrganization}, .body = "OAuthApplicationRequest",
         .status = 201, .response = "OAuthApplication"},
        CreateApp);
  r.Add("GET", base + "/{id}",
        {.id = "get_oauth_application", .summary = "Get an OAuth application", .tag = tag,
         .accesses = {A::kReadOAuthApplications}, .response = "OAuthApplication"},
        GetApp);
  r.Add("PATCH", base + "/{id}",
        {.id = "update_oauth_application", .summary = "Change an OAuth application's name, redirect URI or scopes",
         .tag = tag, .accesses = {A::kWriteOrganization}, .body = "OAuthApplicationRequest",
         .response = "OAuthApplication"},
        UpdateApp);
  r.Add("DELETE", base + "/{id}",
        {.id = "delete_oauth_application", .summary = "Delete an OAuth application and revoke its tokens",
         .tag = tag, .accesses = {A::kWriteOrganization}, .status = 204},
        DeleteApp);
  r.Add("POST", base + "/{id}/token",
        {.id = "create_oauth_token",
         .summary = "Exchange an authorization code or a refresh token for an OAuth token",
         .tag = tag, .accesses = {A::kWriteOAuthTokens}, .body = "CreateOAuthTokenRequest",
         .response = "OAuthToken"},
        MintToken);
  r.Add("GET", base + "/{id}/tokens",
        {.id = "list_oauth_tokens", .summary = "List the OAuth tokens issued by an application",
         .tag = tag, .accesses = {A::kReadOAuthTokens}, .response = "Page<OAuthToken>"},
        ListTokens);
  r.Add("GET", base + "/{id}/tokens/{token}",
        {.id = "get_oauth_token", .summary = "Get an OAuth token (never its secret)", .tag = tag,
         .accesses = {A::kReadOAuthTokens}, .response = "OAuthToken"},
        GetToken);
  r.Add("DELETE", base + "/{id}/tokens/{token}",
        {.id = "delete_oauth_token", .summary = "Revoke an OAuth token", .tag = tag,
         .accesses = {A::kDeleteOAuthTokens}, .status = 204},
        DeleteToken);
  r.Add("GET", "/v1/oauth-scopes",
        {.id = "list_oauth_scopes",
         .summary = "Every OAuth scope an application can ask for, with the accesses it implies",
         .tag = tag, .access_note = "Any authenticated caller.", .response = "List<OAuthScope>"},
        ListScopes);
}

Response HandleOAuthRequest(const Request& req, Platform& platform, const BrowserOptions& o,
                            const UserAuthenticator& authenticate) {
  const std::string& path = req.path;
  auto p = RequestParams(req);
  OAuthService& oauth = platform.oauth();

  if (path == "/oauth/token" && req.method == "POST") {
    auto [client_id, secret] = ClientCredentials(req, p);
    std::string grant = Get(p, "grant_type");
    Result<IssuedOAuthTokens> r = Status::Internal("unreachable");
    if (grant == "authorization_code") {
      r = oauth.ExchangeCode(client_id, secret, Get(p, "code"), Get(p, "redirect_uri"),
                             Get(p, "code_verifier"));
    } else if (grant == "refresh_token") {
      r = oauth.Refresh(client_id, secret, Get(p, "refresh_token"));
    } else if (grant == "urn:ietf:params:oauth:grant-type:device_code") {
      r = oauth.PollDevice(client_id, Get(p, "device_code"));
    } else {
      return OAuthErrorResponse(Status::InvalidArgument(
          "unsupported_grant_type: grant_type must be authorization_code, refresh_token or "
          "urn:ietf:params:oauth:grant-type:device_code"));
    }
    if (!r.ok()) return OAuthErrorResponse(r.status());
    return Json(200, TokenResponseJson(*r));
  }
  if (path == "/oauth/revoke" && req.method == "POST") {
    auto [client_id, secret] = ClientCredentials(req, p);
    Status st = oauth.Revoke(client_id, secret, Get(p, "token"));
    if (!st.ok()) return OAuthErrorResponse(st);
    return Json(200, json::object{});
  }
  if (path == "/oauth/authorize_device" && req.method == "POST") {
    auto r = oauth.StartDevice(Get(p, "client_id"), Get(p, "scope"));
    if (!r.ok()) return OAuthErrorResponse(r.status());
    std::string host = req.Header("host");
    std::string uri = o.scheme + "://" + (host.empty() ? "127.0.0.1" : host) + "/oauth/device";
    return Json(200, json::object{{"device_code", r->device_code},
                                  {"user_code", r->user_code},
                                  {"verification_uri", uri},
                                  {"verification_uri_complete", uri + "?user_code=" + r->user_code},
                                  {"expires_in", static_cast<int64_t>(r->expires_in_s)},
                                  {"interval", static_cast<int64_t>(r->interval_s)}});
  }
  if (path == "/oauth/token/info" && req.method == "GET") {
    const std::string& header = req.Header("authorization");
    auto principal = platform.authenticator().Authenticate(header, NowMs());
    if (!principal.ok() || !principal->is_user()) return Json(200, json::object{{"active", false}});
    // Find the token row for its times and client.
    auto tokens = platform.store().ListApiTokens();
    if (!tokens.ok()) return ErrorResponse(tokens.status());
    for (const auto& t : *tokens) {
      if (t.id != principal->credential_id) continue;
      // API tokens are active bearer tokens too (no client, no scope limit).
      auto client = t.kind == kOAuthKind ? oauth.ClientIdOf(t.application_id)
                                         : Result<std::string>(std::string());
      return Json(200, json::object{{"active", true},
                                    {"scope", t.scopes.value_or("")},
                                    {"client_id", client.ok() ? *client : ""},
                                    {"token_type", "Bearer"},
                                    {"exp", t.expires_at.value_or(0) / 1000},
                                    {"iat", t.created_at / 1000},
                                    {"sub", t.user_id}});
    }
    return Json(200, json::object{{"active", false}});
  }

  // The rest act for a signed-in user: a Bearer API token, or the dashboard
  // session (with the CSRF token as a header or a form field, from this origin).
  if ((path == "/oauth/authorize" && req.method == "POST") ||
      (path == "/oauth/authorize/info" && req.method == "GET") ||
      (path == "/oauth/device" && req.method == "POST")) {
    auto principal = authenticate(req, Get(p, "csrf_token"));
    if (!principal.ok()) return ErrorResponse(principal.status());
    RequestContext ctx{std::move(principal).value(), req.remote_ip};
    AuthorizeRequest ar = AuthorizeParams(p);
    if (path == "/oauth/authorize/info") {
      auto info = oauth.DescribeConsent(ctx, ar);
      if (!info.ok()) return ErrorResponse(info.status());
      json::array scopes;
      for (const auto& s : info->scopes) {
        std::string description;
        for (const auto& si : OAuthScopeCatalog())
          if (si.name == s) description = std::string(si.description);
        scopes.push_back(json::object{{"name", s}, {"description", description}});
      }
      return Json(200, json::object{{"application", {{"name", info->app.name},
                                                      {"domain", info->app.domain},
                                                      {"client_id", info->app.client_id}}},
                                    {"organization", info->org_name},
                                    {"redirect_uri", info->redirect_uri},
                                    {"scopes", std::move(scopes)}});
    }
    if (path == "/oauth/device") {
      std::string decision = Get(p, "approve");
      Status st = oauth.DecideDevice(ctx, Get(p, "user_code"), decision != "false");
      if (!st.ok()) return ErrorResponse(st);
      return Json(200, json::object{{"status", decision != "false" ? "approved" : "denied"}});
    }
    // POST /oauth/authorize: approve (or deny) and send the browser back.
    if (Get(p, "decision") == "deny") {
      auto url = oauth.Deny(ctx, ar);
      if (!url.ok()) return ErrorResponse(url.status());
      Response r{302, "", {{"Location", *url}}, ""};
      return r;
    }
    auto url = oauth.Approve(ctx, ar);
    if (!url.ok()) return ErrorResponse(url.status());
    Response r{302, "", {{"Location", *url}}, ""};
    return r;
  }
  if ((path == "/oauth/authorize" || path == "/oauth/device") && req.method == "GET") {
    // The dashboard renders the consent / device approval page. A form on
    // the consent page posts here and is redirected to the application, so
    // its origin joins form-action.
    Response page = ServeWeb(req);
    std::string extra;
    auto app = platform.store().GetOAuthApplicationByClientId(Get(p, "client_id"));
    if (app.ok()) {
      const std::string& uri = app->redirect_uri;
      size_t scheme_end = uri.find("://");
      size_t host_end = uri.find_first_of("/?#", scheme_end + 3);
      extra = uri.substr(0, host_end);
    }
    page.headers.emplace_back("Content-Security-Policy", ContentSecurityPolicy(extra));
    return page;
  }
  return ErrorResponse(Status::NotFound());
}

}  // namespace opscale::api
