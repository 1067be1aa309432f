#include "cli/credentials.h"

namespace opscale::cli {

CredentialProblem CheckCredentials(const Credentials& c) {
  if (!c.service_token.empty() && !c.service_token_id.empty()) {
    // IDs are 12 characters of [a-z0-9]; secrets start with pscale_tkn_.
    if (c.service_token_id.rfind("pscale_tkn_", 0) == 0 && c.service_token.size() == 12)
      return CredentialProblem::kSwapped;
    return CredentialProblem::kNone;
  }
  if (!c.service_token.empty() || !c.service_token_id.empty()) return CredentialProblem::kHalfServiceToken;
  if (c.access_token.empty()) return CredentialProblem::kNotAuthenticated;
  return CredentialProblem::kNone;
}

std::string CredentialProblemMessage(CredentialProblem p) {
  switch (p) {
    case CredentialProblem::kNone: return "";
    case CredentialProblem::kHalfServiceToken:
      return "both --service-token and --service-token-id are required for service token authentication";
    case CredentialProblem::kSwapped:
      return "it looks like you swapped the --service-token and --service-token-id values";
    case CredentialProblem::kNotAuthenticated:
      return "you must run 'pscale auth login' to authenticate before using this command";
  }
  return "";
}

std::string AuthorizationValue(const Credentials& c) {
  if (c.UsesServiceToken()) return c.service_token_id + ":" + c.service_token;
  if (!c.access_token.empty()) return "Bearer " + c.access_token;
  return "";
}

}  // namespace opscale::cli
