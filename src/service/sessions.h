// SessionService: dashboard sign-in. A session is an ApiToken of kind
// "session" (so it lives in the store, reaches every node like any
// credential, and dies on expiry or sign-out); its secret travels only in an
// HttpOnly cookie. The CSRF token is derived from the session secret with the
// server's key, so it needs no storage and is worthless without the cookie.
//
// Failed sign-ins are throttled per email and per client address (in memory,
// per node): after too many failures in the window the next attempt is a 429
// with the seconds to wait, even with the right password.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <string>

#include "common/rate_limiter.h"
#include "domain/organization.h"
#include "service/core.h"

namespace opscale {

struct SessionOptions {
  int64_t ttl_ms = 12LL * 60 * 60 * 1000;  // absolute lifetime of a session
  int max_failures_per_email = 5;
  int max_failures_per_address = 20;
  int64_t failure_window_ms = 15LL * 60 * 1000;
};

struct SessionInfo {
  User user;
  std::string secret;      // the cookie value; set by Login only
  std::string csrf_token;
  TimeMs expires_at = 0;
  std::vector<std::pair<std::string, Role>> organizations;  // name, role (by name)
};

class SessionService {
 public:
  SessionService(ServiceCore* core, SessionOptions options)
      : core_(core),
        options_(options),
        email_failures_(options.max_failures_per_email, options.failure_window_ms),
        address_failures_(options.max_failures_per_address, options.failure_window_ms) {}

  const SessionOptions& options() const { return options_; }

  // Checks email + password. Wrong or unknown: 401 (one message for both);
  // throttled: 429 whose message says how long to wait (`retry_after_s`).
  Result<SessionInfo> Login(const std::string& email, const std::string& password,
                            const std::string& remote_ip, int64_t* retry_after_s);
  // Describes the session a request came with (ctx from the cookie).
  Result<SessionInfo> Describe(const RequestContext& ctx, const std::string& secret);
  // Ends the session the request came with.
  Status Logout(const RequestContext& ctx);
  // The CSRF token that goes with a session secret.
  std::string CsrfToken(const std::string& secret) const;

 private:
  Status DropExpiredSessions(TimeMs now);

  ServiceCore* core_;
  SessionOptions options_;
  RateLimiter email_failures_;    // by lower-cased email
  RateLimiter address_failures_;  // by client address
};

}  // namespace opscale
