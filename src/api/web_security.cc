#include "api/web_security.h"

#include <cctype>
#include <string_view>

#include "common/crypto.h"

namespace opscale::api {

namespace {


std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string SessionCookieValue(const Request& req) {
  const std::string& header = req.Header("cookie");
  size_t i = 0;
  while (i < header.size()) {
    size_t end = header.find(';', i);
    if (end == std::string::npos) end = header.size();
    std::string pair = Trim(header.substr(i, end - i));
    size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == kSessionCookie) return pair.substr(eq + 1);
    i = end + 1;
  }
  return "";
}

std::string SessionCookie(const std::string& secret, int64_t max_age_s, bool secure) {
  return std::string(kSessionCookie) + "=" + secret + "; Path=/; Max-Age=" +
         std::to_string(max_age_s) + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

std::string ExpiredSessionCookie(bool secure) {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

bool IsSafeMethod(const std::string& m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

Status CheckSameOrigin(const Request& req, const std::string& scheme) {
  const std::string& site = req.Header("sec-fetch-site");
  if (site == "cross-site" || site == "same-site")
    return Status::PermissionDenied("cross-site request refused");
  const std::string& origin = req.Header("origin");
  // Under Referrer-Policy: no-referrer a browser sends "Origin: null" on a
  // form POST; its Sec-Fetch-Site still tells where the form came from.
  if (origin == "null" && site == "same-origin") return Status::Ok();
  if (!origin.empty() && origin != scheme + "://" + req.Header("host"))
    return Status::PermissionDenied("cross-site request refused: origin " + origin +
                                    " is not this server");
  return Status::Ok();
}

std::string ContentSecurityPolicy(const std::string& form_target) {
  std::string form = "'self'";
  bool safe = !form_target.empty();
  for (char c : form_target)
    safe &= std::isalnum(static_cast<unsigned char>(c)) || std::string_view(":/.-[]").find(c) != std::string_view::npos;
  if (safe) form += " " + form_target;
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action " + form +
         "; frame-ancestors 'none'";
}

Status CheckCsrfToken(const Request& req, const std::string& expected,
                      const std::string& form_value) {
  std::string got = req.Header(kCsrfHeader);
  if (got.empty()) got = form_value;
  if (got.empty() || !crypto::ConstantTimeEqual(got, expected))
    return Status::PermissionDenied(
        "missing or wrong X-CSRF-Token header: requests signed in with the dashboard session "
        "must carry the token from GET /auth/session");
  return Status::Ok();
}

void AddSecurityHeaders(Response& r) {
  r.headers.reserve(r.headers.size() + 5);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  bool has_csp = false;
  for (const auto& [name, value] : r.headers) has_csp |= name == "Content-Security-Policy";
  if (!has_csp) r.headers.emplace_back("Content-Security-Policy", ContentSecurityPolicy());
  if (r.content_type.rfind("application/json", 0) == 0)
    r.headers.emplace_back("Cache-Control", "no-store");
}

}  // namespace opscale::api
