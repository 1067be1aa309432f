// OAuthService: OAuth applications of an organization, the authorization-code
// flow (with PKCE), the device flow used by `opscale auth login`, refresh-token
// rotation, revocation, introspection, and minting tokens with a service
// token (SPEC §6).
//
// Access tokens are ApiTokens of kind "oauth" (so the credential index checks
// them like any bearer token) carrying the scopes that narrow the user's
// rights (auth/oauth_scopes.h). Refresh tokens rotate within a chain; a
// refresh token presented twice revokes the whole chain. Codes are single-use
// and live kCodeTtlMs.
//
// Errors of the token endpoints carry the RFC 6749 error code as the start of
// the message, "invalid_grant: the code was already used"; OAuthErrorCode()
// splits it. Thread-safety: safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/oauth.h"
#include "service/core.h"

namespace opscale {

// The client id of the CLI's device login (built in; no application row).
inline constexpr const char* kCliClientId = "pscale_app_opscale_cli";
inline constexpr int64_t kAccessTokenTtlMs = 30LL * 24 * 3600 * 1000;   // 2592000 s
inline constexpr int64_t kRefreshTokenTtlMs = 90LL * 24 * 3600 * 1000;
inline constexpr int64_t kCodeTtlMs = 10LL * 60 * 1000;
inline constexpr int64_t kDeviceCodeTtlMs = 15LL * 60 * 1000;
inline constexpr int kDevicePollIntervalS = 5;

struct OAuthAppInput {
  std::optional<std::string> name;
  std::optional<std::string> redirect_uri;
  std::optional<std::vector<std::string>> scopes;
};

struct OAuthAppView {
  OAuthApplication app;
  std::optional<std::string> client_secret;  // create only
  int token_count = 0;
};

struct IssuedOAuthTokens {
  ApiToken access;             // the stored row
  std::string access_token;    // secrets: returned once
  std::string refresh_token;   // "" when none (device login)
  std::string scope;           // space-separated
};

struct AuthorizeRequest {
  std::string client_id, redirect_uri, scope, state, response_type;
  std::string code_challenge, code_challenge_method;
};

struct ConsentInfo {
  OAuthApplication app;
  std::string org_name;
  std::string redirect_uri;
  std::vector<std::string> scopes;
};

struct DeviceStart {
  std::string device_code, user_code;
  int64_t expires_in_s = 0;
  int interval_s = kDevicePollIntervalS;
};

class OAuthService {
 public:
  explicit OAuthService(ServiceCore* core) : core_(core) {}

  // --- Applications (/v1/organizations/{org}/oauth-applications) ---
  Result<std::vector<OAuthAppView>> ListApps(const RequestContext& ctx, const std::string& org);  // read_oauth_applications
  Result<OAuthAppView> GetApp(const RequestContext& ctx, const std::string& org, const std::string& id);
  // write_organization (org admins).
  Result<OAuthAppView> CreateApp(const RequestContext& ctx, const std::string& org, const OAuthAppInput& in);
  Result<OAuthAppView> UpdateApp(const RequestContext& ctx, const std::string& org, const std::string& id,
                                 const OAuthAppInput& in);
  // Also revokes every token the application holds.
  Status DeleteApp(const RequestContext& ctx, const std::string& org, const std::string& id);

  // --- Authorization code flow (a signed-in user) ---
  Result<ConsentInfo> DescribeConsent(const RequestContext& ctx, const AuthorizeRequest& r);
  // On approval: the redirect URL carrying code and state.
  Result<std::string> Approve(const RequestContext& ctx, const AuthorizeRequest& r);
  // On refusal: the redirect URL carrying error=access_denied and state.
  Result<std::string> Deny(const RequestContext& ctx, const AuthorizeRequest& r);

  // --- Token endpoint (client credentials in the request) ---
  Result<IssuedOAuthTokens> ExchangeCode(const std::string& client_id, const std::string& client_secret,
                                         const std::string& code, const std::string& redirect_uri,
                                         const std::string& code_verifier);
  Result<IssuedOAuthTokens> Refresh(const std::string& client_id, const std::string& client_secret,
                                    const std::string& refresh_token);
  // Revokes an access token, or a refresh token's whole chain. Unknown
  // tokens are not an error (RFC 7009).
  Status Revoke(const std::string& client_id, const std::string& client_secret, const std::string& token);

  // --- Device flow ---
  Result<DeviceStart> StartDevice(const std::string& client_id, const std::string& scope);
  Status DecideDevice(const RequestContext& ctx, const std::string& user_code, bool approve);
  Result<IssuedOAuthTokens> PollDevice(const std::string& client_id, const std::string& device_code);

  // --- Minting and managing tokens with a service token ---
  struct MintRequest {
    std::string client_id, client_secret, grant_type, code, redirect_uri, refresh_token, code_verifier;
  };
  Result<IssuedOAuthTokens> Mint(const RequestContext& ctx, const std::string& org,
                                 const std::string& app_id, const MintRequest& m);  // write_oauth_tokens
  Result<std::vector<ApiToken>> ListTokens(const RequestContext& ctx, const std::string& org,
                                           const std::string& app_id);  // read_oauth_tokens
  Result<ApiToken> GetToken(const RequestContext& ctx, const std::string& org,
                            const std::string& app_id, const std::string& token_id);
  Status DeleteToken(const RequestContext& ctx, const std::string& org, const std::string& app_id,
                     const std::string& token_id);  // delete_oauth_tokens

  // The application of an OAuth access token (for /oauth/token/info).
  Result<std::string> ClientIdOf(const std::string& application_id);

 private:
  Result<std::pair<Organization, OAuthApplication>> AppFor(const RequestContext& ctx,
                                                           const std::string& org,
                                                           const std::string& id, Access need);
  Result<OAuthApplication> AuthenticateClient(const std::string& client_id, const std::string& secret);
  Result<IssuedOAuthTokens> Issue(const std::string& application_id, const std::string& user_id,
                                  const std::string& org_id, const std::string& scopes,
                                  const std::string& chain_id, bool with_refresh,
                                  const std::function<Status(Store&)>& also = {});
  Status RevokeChain(const std::string& chain_id);

  ServiceCore* core_;
};

// "invalid_grant: the code expired" -> {"invalid_grant", "the code expired"}.
std::pair<std::string, std::string> OAuthErrorCode(const Status& s);

}  // namespace opscale
