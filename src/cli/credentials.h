// The caller's credentials and pscale's pre-flight checks on them. A service token (ID +
// secret) wins over an API/login token. Thread-safe (values only).
#pragma once

#include <string>

namespace opscale::cli {

struct Credentials {
  std::string service_token;     // --service-token / PLANETSCALE_SERVICE_TOKEN (the secret)
  std::string service_token_id;  // --service-token-id / PLANETSCALE_SERVICE_TOKEN_ID (or _NAME)
  std::string access_token;      // --api-token / PLANETSCALE_API_TOKEN / the login token file

  bool UsesServiceToken() const { return !service_token.empty() && !service_token_id.empty(); }
};

enum class CredentialProblem { kNone, kHalfServiceToken, kSwapped, kNotAuthenticated };

// pscale's IsAuthenticated: half-set service token, swapped ID/secret, or nothing at all.
CredentialProblem CheckCredentials(const Credentials& c);

// The exact pscale text of a problem ("" for kNone). kNotAuthenticated yields the second line,
// "you must run 'pscale auth login' to authenticate before using this command".
std::string CredentialProblemMessage(CredentialProblem p);

// The Authorization header value: "<ID>:<TOKEN>" for a service token, "Bearer <token>" for
// an API/login token, empty when there is no credential.
std::string AuthorizationValue(const Credentials& c);

}  // namespace opscale::cli
