// The JSON request bodies of the API, decoded into plain values, with the
// API's errors: 400 when the body is not JSON or not an object, 422 naming a
// field of the wrong type, a missing required field or a refused option.
// A decoder that succeeds returns everything its route uses, so a handler
// never rejects a body after decoding it. Pure functions (no platform, no
// I/O): the handlers call them before any access check, exactly where they
// used to read the fields inline, and fuzz/ feeds them arbitrary bytes.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/organization.h"

namespace opscale::api {

// POST /v1/organizations/{org}/service-tokens
struct CreateTokenBody {
  std::optional<std::string> name;
  std::optional<int64_t> ttl;  // seconds; also accepted as a string of digits
};
Result<CreateTokenBody> DecodeCreateToken(std::string_view body);

// POST and DELETE .../service-tokens/{id}/access. planetscale-go sends
// "access"; "accesses" is read when "access" is absent or empty.
struct TokenAccessBody {
  std::string database;  // "" for organization accesses
  std::vector<std::string> access;
};
Result<TokenAccessBody> DecodeTokenAccess(std::string_view body);

// POST .../databases: "name" is required; "kind" may only be "mysql";
// "cluster_size" is accepted (must be a string) and ignored.
struct CreateDatabaseBody {
  std::string name;
  std::string region;  // "" for the default
};
Result<CreateDatabaseBody> DecodeCreateDatabase(std::string_view body);

// PATCH .../databases/{db}
struct UpdateDatabaseBody {
  std::optional<bool> require_approval_for_deploy;
  std::optional<std::string> notes;
};
Result<UpdateDatabaseBody> DecodeUpdateDatabase(std::string_view body);

// POST .../branches: "name" is required; "backup_id" (restore) is refused.
struct CreateBranchBody {
  std::string name;
  std::string parent_branch;  // "" for the default branch
};
Result<CreateBranchBody> DecodeCreateBranch(std::string_view body);

// POST .../passwords: "cidrs" (non-empty) and "replica": true are refused.
struct CreatePasswordBody {
  std::string name;  // "" for a generated name
  std::optional<std::string> role;
  std::optional<int64_t> ttl;
};
Result<CreatePasswordBody> DecodeCreatePassword(std::string_view body);

// PATCH .../passwords/{id}: non-empty "cidrs" are refused.
struct UpdatePasswordBody {
  std::optional<std::string> name;  // absent: nothing to change
};
Result<UpdatePasswordBody> DecodeUpdatePassword(std::string_view body);

// POST .../deploy-requests: "branch" is required and non-empty.
struct CreateDeployRequestBody {
  std::string branch;
  std::string into_branch;  // "" for the database's default branch
  std::string notes;
};
Result<CreateDeployRequestBody> DecodeCreateDeployRequest(std::string_view body);

// PATCH .../deploy-requests/{n}: only {"state":"closed"}.
Status DecodeCloseDeployRequest(std::string_view body);
// POST .../deploy-requests/{n}/deploy: "instant_ddl" (a bool) is accepted and
// ignored (every opscale deploy is applied at once).
Status DecodeDeploy(std::string_view body);

// POST .../deploy-requests/{n}/reviews
struct CreateReviewBody {
  std::string state;  // "commented" when absent or null
  std::string body;
};
Result<CreateReviewBody> DecodeCreateReview(std::string_view body);

// POST /v1/organizations/{org}/members: "email" is required; "role" is
// "admin" or "member" (the default).
struct AddMemberBody {
  std::string email;
  Role role = Role::kMember;
};
Result<AddMemberBody> DecodeAddMember(std::string_view body);

// POST and PATCH .../oauth-applications[/{id}]: "scopes" is a list, or one
// string taken whole (split by the service).
struct OAuthAppBody {
  std::optional<std::string> name;
  std::optional<std::string> redirect_uri;
  std::optional<std::vector<std::string>> scopes;  // present (maybe empty) if the key is
};
Result<OAuthAppBody> DecodeOAuthApp(std::string_view body);

// POST .../oauth-applications/{id}/token (absent fields are "").
struct MintTokenBody {
  std::string client_id, client_secret, grant_type, code, redirect_uri, refresh_token,
      code_verifier;
};
Result<MintTokenBody> DecodeMintToken(std::string_view body);

// POST /api/session (dashboard sign-in; absent fields are "").
struct LoginBody {
  std::string email, password;
};
Result<LoginBody> DecodeLogin(std::string_view body);

// The /oauth/* endpoints' parameters from the body, merged over `params`
// (which holds the query's): a JSON object's string and boolean members
// ("true"/"false") when `content_type` starts with application/json (a body
// that is not a JSON object adds nothing), else an
// application/x-www-form-urlencoded body. Never fails: the endpoint answers
// an OAuth error for what is missing.
void AddOAuthBodyParams(std::string_view content_type, std::string_view body,
                        std::map<std::string, std::string>* params);

// OAuth client credentials sent as HTTP Basic (client_secret_basic, RFC 6749
// 2.3.1): "Basic base64(urlencode(id):urlencode(secret))". Lenient like
// browsers: characters outside the base64 alphabet (padding included) are
// skipped, a bad %-escape makes that half "". nullopt when the header is not
// "Basic ..." or the decoded text has no ':'.
std::optional<std::pair<std::string, std::string>> DecodeBasicAuthorization(
    std::string_view header);

}  // namespace opscale::api
