#include "api/rate_limits.h"

#include <string>

#include "api/api_app.h"
#include "api/web_security.h"

namespace opscale::api {

namespace {

std::string Per(int64_t window_ms) {
  return window_ms == 60 * 1000 ? "per minute" : "per " + std::to_string(window_ms / 1000) + " seconds";
}

Response TooMany(const std::string& what, const RateDecision& d) {
  Response r = ErrorResponse(Status::RateLimited(
      what + " Retry after " + std::to_string(d.retry_after_s) +
      (d.retry_after_s == 1 ? " second." : " seconds.")));
  r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
  return r;
}

bool CarriesCredentials(const Request& req) {
  return !req.Header("authorization").empty() || !SessionCookieValue(req).empty();
}

}  // namespace

void Quota::Note(const RateDecision& d) {
  if (d.limit <= 0) return;
  if (limit == 0 || d.remaining < remaining) {
    limit = d.limit;
    remaining = d.remaining;
  }
}

ApiRateLimits::ApiRateLimits(RateLimitOptions o)
    : window_ms_(o.window_ms),
      per_token_(o.per_token, o.window_ms),
      per_address_(o.per_address, o.window_ms),
      failed_auth_(o.failed_auth, o.window_ms) {}

bool ApiRateLimits::Counted(const Request& req) {
  const std::string& p = req.path;
  return p == "/v1" || p.rfind("/v1/", 0) == 0 || p.rfind("/oauth/", 0) == 0 ||
         p.rfind("/auth/", 0) == 0;
}

std::optional<Response> ApiRateLimits::AdmitAddress(const Request& req, Quota* quota) {
  if (!per_address_.enabled() && !failed_auth_.enabled()) return std::nullopt;
  TimeMs now = MonotonicMs();
  RateDecision d = per_address_.Acquire(req.remote_ip, now);
  quota->Note(d);
  if (!d.allowed) {
    return TooMany("Too many requests from your address: the limit is " + std::to_string(d.limit) +
                       " " + Per(window_ms_) + ".",
                   d);
  }
  RateDecision f = failed_auth_.Peek(req.remote_ip, now);
  if (!f.allowed) return TooMany("Too many failed authentication attempts from your address.", f);
  return std::nullopt;
}

std::optional<Response> ApiRateLimits::AdmitPrincipal(const Principal& p, Quota* quota) {
  if (!per_token_.enabled()) return std::nullopt;
  // The credential, not the user: each token and each session has its own
  // budget, as each PlanetScale service token does.
  const std::string& key = p.credential_id.empty() ? p.id : p.credential_id;
  RateDecision d = per_token_.Acquire(key, MonotonicMs());
  quota->Note(d);
  if (d.allowed) return std::nullopt;
  return TooMany("Too many requests for this credential: the limit is " + std::to_string(d.limit) +
                     " " + Per(window_ms_) + ".",
                 d);
}

void ApiRateLimits::Observe(const Request& req, const Response& r) {
  if (r.status != 401 || !failed_auth_.enabled()) return;
  // /v1 without any credential refused nothing; the sign-in and OAuth
  // endpoints take theirs in the body.
  bool v1 = req.path == "/v1" || req.path.rfind("/v1/", 0) == 0;
  if (v1 && !CarriesCredentials(req)) return;
  failed_auth_.Record(req.remote_ip, MonotonicMs());
}

void ApiRateLimits::AddHeaders(const Quota& quota, Response* r) {
  if (quota.limit <= 0) return;
  r->headers.emplace_back("X-RateLimit-Limit", std::to_string(quota.limit));
  r->headers.emplace_back("X-RateLimit-Remaining", std::to_string(quota.remaining));
}

}  // namespace opscale::api
