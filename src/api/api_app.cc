#include "api/api_app.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/handler_context.h"

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

struct ApiApp::Impl {
  Platform* platform;
  Router<RouteHandler> router;

  Response Dispatch(const Request& req) {
    if (req.path == "/healthz") {
      if (req.method != "GET" && req.method != "HEAD") return ErrorResponse(Status::NotFound());
      return Json(200, json::object{{"status", "ok"}});
    }
    if (req.path.rfind("/v1/", 0) != 0 && req.path != "/v1")
      return ErrorResponse(Status::NotFound());

    auto principal = platform->authenticator().Authenticate(req.Header("authorization"), NowMs());
    if (!principal.ok()) return ErrorResponse(principal.status());

    Params params;
    bool path_known = false;
    const RouteHandler* h = router.Match(req.method, req.path, &params, &path_known);
    if (!h) return ErrorResponse(Status::NotFound());
    std::string host = req.Header("host");
    Call call{req, std::move(params), RequestContext{std::move(principal).value(), req.remote_ip},
              UrlBase{"http://" + (host.empty() ? std::string("127.0.0.1") : host)}, *platform};
    Result<Response> res = (*h)(call);
    if (!res.ok()) return ErrorResponse(res.status());
    return std::move(res).value();
  }
};

ApiApp::ApiApp(Platform* platform) : impl_(std::make_unique<Impl>()) {
  impl_->platform = platform;
  AddTokenRoutes(impl_->router);
  AddResourceRoutes(impl_->router);
}

ApiApp::~ApiApp() = default;

Response ApiApp::Handle(const Request& req) {
  auto start = std::chrono::steady_clock::now();
  Response r = impl_->Dispatch(req);
  if (r.status == 500) {
    // Internal errors keep their detail in the log, not in the response.
    spdlog::error("{} {} -> {}: {}", req.method, req.path, r.status, r.body);
    r = Json(500, json::object{{"code", "internal"}, {"message", "internal error"}});
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  spdlog::info("{} {} {} {:.1f}ms {}", req.method, req.path, r.status, ms.count(), req.remote_ip);
  return r;
}

}  // namespace opscale::api
