// OAuth values: applications registered by an organization, one-time grants
// (authorization codes and device codes) and refresh tokens. Access tokens are
// ApiTokens of kind "oauth" (domain/credentials.h). Only keyed hashes of
// secrets are stored.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "domain/actor.h"

namespace opscale {

struct OAuthApplication {
  std::string id;
  std::string org_id;
  std::string name;
  std::string redirect_uri;
  std::string domain;              // host of redirect_uri
  std::string scopes;              // space-separated, normalized
  std::string client_id;           // pscale_app_...
  std::string client_secret_hash;  // HMAC of the client secret
  Actor created_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// An authorization code (kind "code") or a device authorization (kind
// "device", with a short user code typed or clicked in the dashboard).
struct OAuthGrant {
  std::string id;
  std::string kind;         // "code" | "device"
  std::string secret_hash;  // HMAC of the code / device code
  std::string user_code;    // device only, e.g. "WXYZ-1234"
  std::string application_id;  // empty for the built-in CLI client
  std::string client_id;
  std::string user_id;      // set once approved
  std::string org_id;       // the application's org (codes); "" = all (device)
  std::string redirect_uri;
  std::string scopes;
  std::string code_challenge;
  std::string code_challenge_method;  // "", "plain" or "S256"
  std::string state;        // "pending" | "approved" | "denied" | "used"
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  std::optional<TimeMs> last_poll_at;
};

struct OAuthRefreshToken {
  std::string id;
  std::string secret_hash;
  std::string application_id;
  std::string user_id;
  std::string org_id;
  std::string scopes;
  std::string chain_id;         // every token of one authorization shares it
  std::string access_token_id;  // the access token issued with it
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
  std::optional<TimeMs> used_at;  // rotated: presenting it again revokes the chain
};

}  // namespace opscale
