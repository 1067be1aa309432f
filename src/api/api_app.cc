#include "api/api_app.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/handler_context.h"
#include "api/oauth_routes.h"
#include "api/session_routes.h"
#include "api/tunnel_host.h"
#include "api/web_security.h"

namespace opscale::api {

namespace json = boost::json;

Response ErrorResponse(const Status& status) {
  Response r = Json(status.HttpStatus(),
                    json::object{{"code", status.CodeName()},
                                 {"message", status.message().empty() ? status.CodeName()
                                                                      : status.message()}});
  if (status.code() == Code::kUnauthenticated)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"opscale\"");
  return r;
}

namespace {

// Every request that could grant access while the store cannot be trusted
// (service/store_health.h). Retry-After: the store is probed 4 times a second.
Response StoreUnavailableResponse() {
  Response r = ErrorResponse(
      Status::Unavailable("the store is unavailable; no request is served until it is back, try again shortly"));
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Paths whose answer depends on the store (all but the dashboard's files).
bool NeedsStore(const Request& req) {
  return req.path == "/healthz" || req.path == "/v1" || req.path.rfind("/v1/", 0) == 0 ||
         req.path.rfind("/auth/", 0) == 0 || req.path.rfind("/oauth/", 0) == 0;
}

}  // namespace

struct ApiApp::Impl {
  explicit Impl(RateLimitOptions o) : limits(o) {}

  Platform* platform;
  BrowserOptions browser;
  ApiRateLimits limits;
  ApiRoutes routes;  // every /v1 route with its RouteDoc
  std::string openapi_json;  // built once from `routes` (GET /v1/openapi.json)
  Router<bool> from_memory;  // the /v1 routes of AnsweredFromMemory
  TunnelHost host;
  tunnel::TunnelRegistry& tunnels = host.registry();

  // Closes every tunnel and engine session that a revocation takes away
  // (SPEC §5), and records it in the audit log.
  void OnRevoke(const Revocation& r) {
    tunnel::SeverResult cut;
    switch (r.kind) {
      case Revocation::Kind::kPrincipalDeleted:
        cut = tunnels.SeverByPrincipal(r.principal_id);
        break;
      case Revocation::Kind::kAccessRemoved:
        cut = tunnels.SeverIf([&](const tunnel::TunnelInfo& t) {
          return t.principal_id == r.principal_id && t.database_id == r.database_id;
        });
        break;
      case Revocation::Kind::kDatabaseDeleted:
        cut = tunnels.SeverByDatabase(r.database_id);
        break;
      case Revocation::Kind::kBranchDeleted:
        cut = tunnels.SeverByBranch(r.database_id, r.branch_name);
        break;
    }
    // The session passwords die with their tunnels: dropping the account
    // also kills any statement still running in MariaDB.
    for (const auto& user : cut.engine_usernames) {
      Status st = platform->engine().DropAccount(user);
      if (!st.ok()) spdlog::warn("could not drop session account after revocation: {}", st.message());
    }
    if (cut.count > 0) {
      bool by_principal = !r.principal_id.empty();
      AuditEvent e = ServiceCore::Event(r.by, r.org_id, "connect.severed",
                                        by_principal ? "ServiceToken" : "Database",
                                        by_principal ? r.principal_id : r.database_id,
                                        by_principal ? r.principal_id : r.branch_name);
      e.metadata_json = "{\"tunnels\":" + std::to_string(cut.count) + "}";
      (void)platform->store().InsertAuditEvent(e);
      spdlog::info("severed {} connect tunnel(s) after a revocation", cut.count);
    }
  }

  // The caller of a /v1 request: the Authorization header, else the
  // dashboard's session cookie, which on a state-changing request must come
  // from this origin with the session's CSRF token.
  Result<Principal> Authenticate(const Request& req, const std::string& form_csrf = "") {
    const std::string& header = req.Header("authorization");
    std::string cookie = header.empty() ? SessionCookieValue(req) : std::string();
    if (cookie.empty()) return platform->authenticator().Authenticate(header, NowMs());
    OPSCALE_ASSIGN_OR_RETURN(Principal p,
                             platform->authenticator().AuthenticateSession(cookie, NowMs()));
    if (!IsSafeMethod(req.method)) {
      OPSCALE_RETURN_IF_ERROR(CheckSameOrigin(req, browser.scheme));
      OPSCALE_RETURN_IF_ERROR(CheckCsrfToken(req, platform->sessions().CsrfToken(cookie), form_csrf));
    }
    return p;
  }

  Response Dispatch(const Request& req, Quota* quota) {
    // Fail closed: what memory holds is not an answer while the store,
    // the truth, cannot be read.
    if (NeedsStore(req) && !platform->core().health().healthy()) return StoreUnavailableResponse();
    if (req.path == "/healthz") {
      if (req.method != "GET" && req.method != "HEAD") return ErrorResponse(Status::NotFound());
      return Json(200, json::object{{"status", "ok"}});
    }
    if (req.path.rfind("/auth/", 0) == 0) return HandleSessionRequest(req, *platform, browser);
    if (req.path.rfind("/oauth/", 0) == 0) {
      return HandleOAuthRequest(req, *platform, browser,
                                [this](const Request& r, const std::string& form_csrf) {
                                  return Authenticate(r, form_csrf);
                                });
    }
    if (req.path.rfind("/v1/", 0) != 0 && req.path != "/v1") return ServeWeb(req);
    if (req.path == kOpenApiPath && (req.method == "GET" || req.method == "HEAD"))
      return JsonText(200, openapi_json);  // public: the API reference needs no credentials

    auto principal = Authenticate(req);
    if (!principal.ok()) return ErrorResponse(principal.status());
    if (auto refused = limits.AdmitPrincipal(*principal, quota)) return std::move(*refused);

    Params params;
    bool path_known = false;
    const RouteHandler* h = routes.router().Match(req.method, req.path, &params, &path_known);
    if (!h) return ErrorResponse(Status::NotFound());
    std::string host = req.Header("host");
    Call call{req, std::move(params), RequestContext{std::move(principal).value(), req.remote_ip},
              UrlBase{browser.scheme + "://" + (host.empty() ? std::string("127.0.0.1") : host)},
              *platform};
    Result<Response> res = (*h)(call);
    if (!res.ok()) return ErrorResponse(res.status());
    return std::move(res).value();
  }
};

ApiApp::ApiApp(Platform* platform, BrowserOptions browser, RateLimitOptions limits)
    : impl_(std::make_unique<Impl>(limits)) {
  impl_->platform = platform;
  impl_->browser = std::move(browser);
  AddApiRoutes(impl_->routes, &impl_->host, &impl_->openapi_json);
  impl_->openapi_json = BuildOpenApiJson(impl_->routes.docs());
  impl_->from_memory.Add("GET", "/v1/organizations/{org}/databases/{db}/branches/{branch}", true);
  impl_->from_memory.Add("GET", std::string(kOpenApiPath), true);
  Impl* impl = impl_.get();
  platform->core().set_on_revoke([impl](const Revocation& r) { impl->OnRevoke(r); });
}

ApiApp::~ApiApp() { impl_->platform->core().set_on_revoke({}); }

bool ApiApp::AnsweredFromMemory(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return false;
  if (req.path.rfind("/v1/", 0) == 0) {
    return impl_->from_memory.Has("GET", req.path);
  }
  return req.path.rfind("/auth/", 0) != 0 && req.path.rfind("/oauth/", 0) != 0 && req.path != "/v1";
}

Response ApiApp::Handle(const Request& req) {
  auto start = std::chrono::steady_clock::now();
  Quota quota;
  Response r;
  bool counted = ApiRateLimits::Counted(req);
  std::optional<Response> refused;
  if (counted) refused = impl_->limits.AdmitAddress(req, &quota);
  if (refused) {
    r = std::move(*refused);
  } else {
    r = impl_->Dispatch(req, &quota);
    if (counted) impl_->limits.Observe(req, r);
  }
  ApiRateLimits::AddHeaders(quota, &r);
  if ((r.status == 500 || r.status == 503) && NeedsStore(req) &&
      !impl_->platform->core().health().ProbeSoon()) {
    // The failure came from the store (the probe says so): a 503 like every
    // other request until it is back, the detail in the log.
    if (r.status == 500 || r.body.find("the store is unavailable") == std::string::npos)
      spdlog::error("{} {} -> {}: {}", req.method, req.path, r.status, r.body);
    r = StoreUnavailableResponse();
  } else if (r.status == 500) {
    // Internal errors keep their detail in the log, not in the response.
    spdlog::error("{} {} -> {}: {}", req.method, req.path, r.status, r.body);
    r = Json(500, json::object{{"code", "internal"}, {"message", "internal error"}});
  }
  AddSecurityHeaders(r);
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  spdlog::info("{} {} {} {:.1f}ms {}", req.method, req.path, r.status, ms.count(), req.remote_ip);
  return r;
}

}  // namespace opscale::api
