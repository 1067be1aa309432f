// Browser-facing rules of the API: the session cookie, CSRF and same-origin
// checks, and the security headers every response carries. Internal to
// src/api. Pure functions; thread-safe.
#pragma once

#include <string>

#include "api/http_types.h"
#include "common/status.h"

namespace opscale::api {

inline constexpr const char* kSessionCookie = "opscale_session";
inline constexpr const char* kCsrfHeader = "x-csrf-token";

// The session cookie's value, or "" if absent.
std::string SessionCookieValue(const Request& req);
// Set-Cookie values that start and end a session.
std::string SessionCookie(const std::string& secret, int64_t max_age_s, bool secure);
std::string ExpiredSessionCookie(bool secure);

// GET, HEAD and OPTIONS change nothing.
bool IsSafeMethod(const std::string& method);
// 403 unless the request comes from the dashboard's own origin: a browser's
// Sec-Fetch-Site must not say cross-site or same-site, and an Origin header,
// when sent, must be `scheme://<Host>`.
Status CheckSameOrigin(const Request& req, const std::string& scheme);
// 403 unless the X-CSRF-Token header (or, for an HTML form, `form_value`)
// equals `expected` (constant time).
Status CheckCsrfToken(const Request& req, const std::string& expected,
                      const std::string& form_value = "");

// The dashboard's Content-Security-Policy; `form_target` (an origin such as
// "https://app.example.com") is also allowed as a form-action, for the OAuth
// consent page whose form is redirected to the application.
std::string ContentSecurityPolicy(const std::string& form_target = "");

// nosniff, no framing, no referrer, and a strict Content-Security-Policy
// (scripts and styles only from this origin) unless the response set its own.
void AddSecurityHeaders(Response& r);

}  // namespace opscale::api
