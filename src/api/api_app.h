// ApiApp: the request pipeline of opscaled's HTTP API: authenticate the
// Authorization header (or the dashboard's session cookie, with its CSRF
// rules), route to a handler, map Status to the public error
// body {"code","message"}, and log one line per request (never headers,
// bodies or query strings, which may carry secrets). Paths outside /v1,
// /auth and /oauth serve the embedded dashboard. API requests are counted
// against the rate limits (api/rate_limits.h) first.
//
// Thread-safety: Handle() is safe to call concurrently.
#pragma once

#include <memory>

#include "api/http_types.h"
#include "api/rate_limits.h"
#include "api/session_routes.h"
#include "service/platform.h"

namespace opscale::api {

class ApiApp {
 public:
  explicit ApiApp(Platform* platform, BrowserOptions browser = {}, RateLimitOptions limits = {});
  ~ApiApp();
  Response Handle(const Request& req);
  // True for the requests answered from memory: the dashboard's files,
  // /healthz and the reads served by the metadata cache and the credential
  // index (GET a branch). A cache miss, or a credential missing from the
  // index (at most once per 10 ms), still reads the store briefly.
  // (HttpServerOptions::answered_from_memory.)
  bool AnsweredFromMemory(const Request& req) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The JSON error response for a non-Ok status.
Response ErrorResponse(const Status& status);

}  // namespace opscale::api
