// Dashboard sign-in endpoints and the dashboard's files. Internal to src/api.
//   POST /auth/login    {"email","password"} -> session JSON + Set-Cookie
//   GET  /auth/session  -> {"signed_in":true, user, csrf_token, expires_at,
//                           organizations} or {"signed_in":false}
//   POST /auth/logout   -> 204, cookie cleared (needs X-CSRF-Token)
#pragma once

#include <string>

#include "api/http_types.h"
#include "service/platform.h"

namespace opscale::api {

struct BrowserOptions {
  std::string scheme = "http";  // "https" when serving TLS: cookies get Secure
  bool secure() const { return scheme == "https"; }
};

Response HandleSessionRequest(const Request& req, Platform& platform, const BrowserOptions& o);
Response ServeWeb(const Request& req);

}  // namespace opscale::api
