// The secret scan of the test suite's logs (docs/security.md, "Secret
// hygiene"): finds the credential shapes opscale issues, and raw
// Authorization values, in text, and reports them with the secret masked.
//
// Patterns (the formats of src/auth/token_format.h, src/service/oauth.cc,
// src/service/passwords.cc, src/api/web_security.h):
//   pscale_tkn_…            service-token secret
//   pscale_oauth_…          API token, OAuth access token, dashboard session
//   pscale_oauth_refresh_…  OAuth refresh token
//   pscale_app_secret_…     OAuth client secret
//   pscale_pw_…             database password
//   opscale_session=<value> session cookie
//   Authorization: <id>:<secret> | Bearer <x> | Basic <x>   raw header value
// A masked value (***) is not a finding.
//
// Files ending in .out are captured stdout of commands, in sections headed
// "### <command>" (tests/testutil/test_logs.h): there a secret is allowed
// only in a section of a command whose job is to show one once. Every other
// file is a log, where nothing is allowed. Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opscale::logscan {

struct Finding {
  size_t line = 0;      // 1-based
  std::string pattern;  // what was found ("service-token secret", ...)
  std::string masked;   // the line, every match masked, at most ~200 chars
};

// Findings in `text`; `command_output` selects the .out rules above.
std::vector<Finding> ScanText(std::string_view text, bool command_output);
// True if a "### <command>" section of command output may show a secret.
bool ShowsSecretOnce(std::string_view command);

}  // namespace opscale::logscan
