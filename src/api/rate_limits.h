// ApiRateLimits: the request budgets of opscaled's API (docs/rate-limits.md).
//   - per client address, every API request (/v1, /oauth, /auth);
//   - per credential (service token, API/OAuth token, dashboard session),
//     every authenticated /v1 request;
//   - per client address, refused credentials: once that budget is spent,
//     every API request from the address is refused until it recovers, the
//     right secret included, so secrets cannot be guessed quickly.
// The dashboard's files and /healthz are not counted. Over a budget the
// answer is 429 rate_limited with Retry-After; counted answers carry
// X-RateLimit-Limit / X-RateLimit-Remaining of the tightest budget.
// Counts are in memory, per node. Internal to src/api.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>

#include "api/http_types.h"
#include "auth/principal.h"
#include "common/rate_limiter.h"

namespace opscale::api {

struct RateLimitOptions {
  int64_t per_token = 600;       // requests per window per credential; 0 = off
  int64_t per_address = 600;     // requests per window per client address; 0 = off
  int64_t failed_auth = 60;      // refused credentials per window per address; 0 = off
  int64_t window_ms = 60 * 1000; // the window of all three (a minute, as the public API)
};

// The tightest budget a request was counted against, for the response headers.
struct Quota {
  int64_t limit = 0;  // 0: not counted
  int64_t remaining = 0;
  void Note(const RateDecision& d);
};

class ApiRateLimits {
 public:
  explicit ApiRateLimits(RateLimitOptions options);

  // True for the requests the budgets apply to.
  static bool Counted(const Request& req);
  // Before authentication: the address budget, then the failed-authentication
  // block. A 429 response, or nullopt to go on.
  std::optional<Response> AdmitAddress(const Request& req, Quota* quota);
  // After authentication: the credential's budget.
  std::optional<Response> AdmitPrincipal(const Principal& p, Quota* quota);
  // After the handler: a 401 to a request that carried credentials counts
  // against the address's failed-authentication budget.
  void Observe(const Request& req, const Response& r);
  // X-RateLimit-* headers, when the request was counted.
  static void AddHeaders(const Quota& quota, Response* r);

 private:
  int64_t window_ms_;
  RateLimiter per_token_;
  RateLimiter per_address_;
  RateLimiter failed_auth_;
};

}  // namespace opscale::api
