// Pure pieces of `pscale auth` (the OAuth device-flow replies, the poll timing, and the shape
// of `auth check`), split out so they can be tested without a server. Thread-safe (pure
// functions).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/status.h"

namespace opscale::cli {

// The client id of opscale's built-in CLI application and the scopes the login asks for.
inline constexpr const char* kCliClientId = "pscale_app_opscale_cli";
inline constexpr const char* kLoginScopes = "read_databases write_databases read_user read_organization";
inline constexpr const char* kDeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

// For tests only: when set to a positive number of milliseconds, OPSCALE_DEVICE_POLL_MS
// replaces the poll interval the server asks for, and the step a `slow_down` reply adds.
inline constexpr const char* kPollIntervalEnv = "OPSCALE_DEVICE_POLL_MS";

// The reply of POST oauth/authorize_device.
struct DeviceAuthorization {
  std::string device_code;
  std::string user_code;
  std::string verification_uri;
  std::string verification_uri_complete;
  int64_t expires_in_s = 0;  // 900 when the server sends none
  int64_t interval_s = 0;    // 5 when the server sends none

  // The URL to open: verification_uri_complete, else verification_uri.
  const std::string& url() const {
    return verification_uri_complete.empty() ? verification_uri : verification_uri_complete;
  }
};

// InvalidArgument naming the problem when device_code, user_code or both URIs are missing.
Result<DeviceAuthorization> ParseDeviceAuthorization(const boost::json::value& reply);

// What one POST oauth/token reply means for the poll loop.
enum class TokenPollState { kGranted, kPending, kSlowDown, kDenied, kExpired, kFailed };
struct TokenPoll {
  TokenPollState state = TokenPollState::kFailed;
  std::string access_token;  // kGranted
  std::string error;         // the OAuth "error" code of a 4xx reply
  std::string message;       // kDenied, kExpired, kFailed: the text to show
};
TokenPoll ParseTokenReply(int status, std::string_view body);

// The user-facing text when the code expired (server `expired_token` or the local deadline).
inline constexpr const char* kCodeExpiredMessage =
    "the confirmation code expired before it was approved. Please run 'pscale auth login' again";

struct PollTiming {
  std::chrono::milliseconds interval;
  std::chrono::milliseconds slow_down_step;
};
// `interval_s` from the server (<= 0: 5 s), slow_down adds 5 s; `override_ms` is the value of
// OPSCALE_DEVICE_POLL_MS ("" or not a positive integer: ignored).
PollTiming DevicePollTiming(int64_t interval_s, std::string_view override_ms);

// The JSON objects `auth login --format json` prints: the pending one (stderr) and the final one.
boost::json::object LoginPendingJson(const std::string& url, const std::string& user_code,
                                     bool browser_opened);
boost::json::object LoginOkJson();
// `status` "action_required" with an ORG_SETUP_FAILED issue (credentials were saved).
boost::json::object LoginOrgSetupFailedJson(const std::string& error);
// `status` "error" with one issue {code, message}.
boost::json::object LoginErrorJson(const std::string& summary, const std::string& code,
                                   const std::string& message);

// `auth check`.
struct AuthIssue {
  std::string code;
  std::string message;
  std::string remediation;  // omitted from JSON when empty
};

struct AuthCheck {
  std::string status;  // "ok" or "action_required"
  bool authenticated = false;
  std::string auth_method;  // "oauth", "service_token" or "none"
  std::string organization;
  std::string api_url;
  std::string agent_guide_command;
  std::vector<AuthIssue> issues;
  std::vector<std::string> next_steps;
};

// Keys in pscale's order; the ones after `authenticated` are omitted when empty.
boost::json::object AuthCheckJson(const AuthCheck& c);

// The lines of a successful human check: "You are authenticated.", then "Organization: <org>"
// and one "Note: <message> — <remediation>" per issue.
std::vector<std::string> AuthCheckLines(const AuthCheck& c);

// The credential works: authenticated, then pscale's follow-ups: without an organization a
// NO_ORG issue (status "action_required") and `org list`, else `database list` and
// `branch list` for the organization.
void MarkAuthenticated(AuthCheck& c);
// The credential is missing or does not work: status "action_required" with `issue`.
void MarkFailed(AuthCheck& c, AuthIssue issue, std::vector<std::string> next_steps);

}  // namespace opscale::cli
