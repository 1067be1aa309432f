// Bootstrap: the operator's commands run by `opscaled init`, `org create`
// and `user create`, directly on the store (the server may be running; it
// picks the new rows up on the first request that needs them).
//
// Secrets are returned once and never stored in clear.
// Thread-safety: safe to call concurrently.
#pragma once

#include <string>

#include "domain/organization.h"
#include "service/core.h"

namespace opscale {

struct IssuedCredentials {
  std::string organization;
  std::string email;
  std::string role;
  std::string password;   // empty if the user already existed
  std::string api_token;  // pscale_oauth_...
};

class BootstrapService {
 public:
  explicit BootstrapService(ServiceCore* core) : core_(core) {}

  // New organization with `email` as its first admin (user created if new).
  Result<IssuedCredentials> CreateOrganization(const std::string& org, const std::string& email);
  // Adds `email` to `org` with `role` (user created if new); issues a password
  // (new users only) and an API token. `by` is who did it, for the audit log
  // (null: the operator, via opscaled).
  Result<IssuedCredentials> AddUser(const std::string& org, const std::string& email, Role role,
                                    const RequestContext* by = nullptr);

 private:
  ServiceCore* core_;
};

// Argon2id hash of a human password (libsodium crypto_pwhash_str).
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& password, const std::string& hash);

}  // namespace opscale
