#include "api/session_routes.h"

#include "api/api_app.h"
#include "api/handler_context.h"
#include "api/request_bodies.h"
#include "api/web_security.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

json::object SessionJson(const SessionInfo& s) {
  json::array orgs;
  for (const auto& [name, role] : s.organizations)
    orgs.push_back(json::object{{"name", name}, {"role", RoleName(role)}});
  return json::object{
      {"signed_in", true},
      {"user",
       {{"id", s.user.id},
        {"email", s.user.email},
        {"display_name", s.user.display_name.empty() ? s.user.email : s.user.display_name}}},
      {"csrf_token", s.csrf_token},
      {"expires_at", FormatTime(s.expires_at)},
      {"organizations", std::move(orgs)},
  };
}

Result<Response> Login(const Request& req, Platform& platform, const BrowserOptions& o) {
  OPSCALE_RETURN_IF_ERROR(CheckSameOrigin(req, o.scheme));
  // A cross-site HTML form cannot send JSON without a CORS preflight, which
  // this server never grants: requiring it closes login CSRF.
  if (req.Header("content-type").rfind("application/json", 0) != 0)
    return Status::InvalidArgument("Content-Type must be application/json");
  OPSCALE_ASSIGN_OR_RETURN(LoginBody body, DecodeLogin(req.body));
  int64_t retry_after = 0;
  auto session = platform.sessions().Login(body.email, body.password, req.remote_ip, &retry_after);
  if (!session.ok()) {
    Response r = ErrorResponse(session.status());
    if (retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return r;
  }
  Response r = Json(200, SessionJson(*session));
  r.headers.emplace_back("Set-Cookie",
                         SessionCookie(session->secret,
                                       platform.sessions().options().ttl_ms / 1000, o.secure()));
  return r;
}

// Not signed in is an answer, not an error: the dashboard asks this on every
// start, and a 401 there would be a browser console error on the login page.
Result<Response> Describe(const Request& req, Platform& platform) {
  std::string secret = SessionCookieValue(req);
  auto p = platform.authenticator().AuthenticateSession(secret, NowMs());
  if (!p.ok()) {
    if (p.status().code() != Code::kUnauthenticated) return p.status();
    return Json(200, json::object{{"signed_in", false}});
  }
  RequestContext ctx{std::move(p).value(), req.remote_ip};
  OPSCALE_ASSIGN_OR_RETURN(SessionInfo s, platform.sessions().Describe(ctx, secret));
  return Json(200, SessionJson(s));
}

Result<Response> Logout(const Request& req, Platform& platform, const BrowserOptions& o) {
  OPSCALE_RETURN_IF_ERROR(CheckSameOrigin(req, o.scheme));
  std::string secret = SessionCookieValue(req);
  auto p = platform.authenticator().AuthenticateSession(secret, NowMs());
  if (p.ok()) {
    OPSCALE_RETURN_IF_ERROR(CheckCsrfToken(req, platform.sessions().CsrfToken(secret)));
    Status st = platform.sessions().Logout(RequestContext{std::move(p).value(), req.remote_ip});
    if (!st.ok() && st.code() != Code::kNotFound) return st;
  }
  Response r = NoContent();
  r.headers.emplace_back("Set-Cookie", ExpiredSessionCookie(o.secure()));
  return r;
}

}  // namespace

Response HandleSessionRequest(const Request& req, Platform& platform, const BrowserOptions& o) {
  Result<Response> r = Status::NotFound();
  if (req.path == "/auth/login" && req.method == "POST") {
    r = Login(req, platform, o);
  } else if (req.path == "/auth/session" && req.method == "GET") {
    r = Describe(req, platform);
  } else if (req.path == "/auth/logout" && req.method == "POST") {
    r = Logout(req, platform, o);
  }
  if (!r.ok()) return ErrorResponse(r.status());
  return std::move(r).value();
}

}  // namespace opscale::api
