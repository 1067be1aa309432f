// Principal: who is calling, and what they hold. Produced by the
// Authenticator from the in-memory CredentialIndex; a plain value that lives
// for one request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <unordered_map>

#include "auth/access.h"
#include "domain/actor.h"
#include "domain/organization.h"

namespace opscale {

struct Principal {
  enum class Kind { kUser, kServiceToken };
  Kind kind = Kind::kServiceToken;
  std::string id;            // user id or service token id
  std::string display_name;  // user email, or token name (else id)
  std::string credential_id; // the bearer token id for users; token id for tokens

  // Service tokens: the owning organization and the granted accesses.
  std::string org_id;
  AccessSet org_accesses;
  std::unordered_map<std::string, AccessSet> database_accesses;  // database id -> set

  // Users: role per organization id (already narrowed to the bearer token's org, if any).
  std::unordered_map<std::string, Role> roles;
  // OAuth access tokens: the user's rights are narrowed to what the token's
  // scopes allow (auth/oauth_scopes.h). Unset for API tokens and sessions.
  std::optional<AccessSet> scope_limit;
  std::vector<std::string> scopes;   // normalized scope names, when scope_limit is set
  std::string oauth_application_id;  // the OAuth application, when scope_limit is set

  bool HasScope(std::string_view s) const {
    if (!scope_limit) return true;
    for (const auto& x : scopes)
      if (x == s) return true;
    return false;
  }

  bool is_token() const { return kind == Kind::kServiceToken; }
  bool is_user() const { return kind == Kind::kUser; }
  Actor AsActor() const {
    return Actor{is_token() ? ActorType::kServiceToken : ActorType::kUser, id, display_name};
  }
};

}  // namespace opscale
