// Stored credentials: service tokens, their grants, and user API tokens.
// Only keyed hashes of secrets are ever stored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "domain/actor.h"

namespace opscale {

struct ServiceToken {
  std::string id;       // 12 chars [a-z0-9], public
  std::string org_id;
  std::optional<std::string> name;
  std::string secret_hash;  // hex HMAC-SHA256(token key, secret)
  Actor created_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  std::optional<TimeMs> expires_at;
  std::optional<TimeMs> last_used_at;
};

enum class ResourceType { kOrganization, kDatabase };
const char* ResourceTypeName(ResourceType t);  // "Organization", "Database"
// The inverse, for names read back from a store (whose CHECK constraint
// admits only these two): anything but "Database" is an organization.
ResourceType ParseResourceType(std::string_view name);

// One access granted to a service token on one resource.
struct Grant {
  std::string id;
  std::string token_id;
  ResourceType resource_type = ResourceType::kOrganization;
  std::string resource_id;  // org id or database id
  std::string access;       // catalog name, e.g. "read_branch"
  TimeMs created_at = 0;
};

// A bearer token acting for a user: API tokens printed by `init` and
// `user create` (kind "api"), OAuth access tokens (kind "oauth"), and
// dashboard sign-in sessions (kind "session", accepted only as a cookie).
inline constexpr const char* kSessionKind = "session";
inline constexpr const char* kOAuthKind = "oauth";

struct ApiToken {
  std::string id;
  std::string user_id;
  std::string org_id;  // empty: every org the user belongs to
  std::string kind = "api";
  std::string name;
  std::string secret_hash;
  TimeMs created_at = 0;
  std::optional<TimeMs> expires_at;
  std::optional<TimeMs> last_used_at;
  // OAuth access tokens (kind "oauth"): space-separated scopes, the
  // application, and the refresh chain the token belongs to.
  std::optional<std::string> scopes;
  std::string application_id;
  std::string chain_id;
};

}  // namespace opscale
