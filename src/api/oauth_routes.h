// OAuth endpoints outside /v1 (token, revoke, introspection, device flow,
// consent) and the /v1 OAuth application routes. Internal to src/api.
#pragma once

#include <functional>

#include "api/handler_context.h"
#include "api/session_routes.h"

namespace opscale::api {

// Authenticates a user for a browser-facing OAuth request: a Bearer header,
// or the session cookie with the CSRF token (header, or `form_csrf` from a
// form field) from this origin.
using UserAuthenticator = std::function<Result<Principal>(const Request&, const std::string& form_csrf)>;

Response HandleOAuthRequest(const Request& req, Platform& platform, const BrowserOptions& o,
                            const UserAuthenticator& authenticate);
void AddOAuthApplicationRoutes(ApiRoutes& r);

}  // namespace opscale::api
