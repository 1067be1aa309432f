// Errors as the CLI reports them: message, exit code, and the JSON error envelope of the 2026
// pscale CLI (status / issues / next_steps). Commands return an Outcome; Run() writes it.
// Thread-safe (values and pure functions).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/format.h"

namespace opscale::cli {

struct CliError {
  std::string message;
  int exit_code = 2;             // exit code in human/csv mode (JSON derives it from status)
  std::string code;              // JSON issue code ("NOT_FOUND", "INVALID_USAGE", or an API code)
  bool action_required = false;  // JSON status "action_required" (exit 1) instead of "error"
  std::string human_preamble;    // an extra "Error: ..." line printed first in human mode
  std::string usage;             // appended after a blank line in human mode
  std::vector<std::string> next_steps;
  bool not_authenticated = false;  // JSON: the NO_AUTH envelope with auth fields
  bool usage_only = false;         // print `usage` on stderr and exit 0 (pscale's cmd.Usage())
  // The command already wrote its own result (e.g. auth's JSON envelopes): print nothing more
  // and exit with `exit_code`.
  bool reported = false;
};

// nullopt on success.
using Outcome = std::optional<CliError>;
inline Outcome Success() {
  return std::nullopt;
}

// An error whose JSON code and status follow pscale's rules on the message text:
// "run with --force" -> CONFIRMATION_REQUIRED, "missing argument"/"required flag" ->
// INVALID_USAGE, "does not exist" -> NOT_FOUND, otherwise COMMAND_FAILED.
CliError Classified(std::string message);

// pscale's text for a service token the API rejects (exit 1, SERVICE_TOKEN_INVALID).
CliError ServiceTokenInvalid(const std::string& api_message = "");

// "rate limited by the API: retry after N seconds" ("retry later" without a
// Retry-After); the answer to any 429. Exit 2, JSON code "rate_limited".
std::string RateLimitedMessage(int64_t retry_after_s);
CliError RateLimited(int64_t retry_after_s);

// The not-authenticated error (human: two "Error:" lines, exit 2; JSON: NO_AUTH envelope).
CliError NotAuthenticated(const std::string& message);

// `missing argument <database> ` / `missing arguments <database, branch> ` with usage.
CliError MissingArguments(const std::vector<std::string>& names, const std::string& usage);

// An error whose output the command already wrote; Run() only exits with `exit_code`.
CliError Reported(int exit_code);

// Writes the error for `format` (human/csv: stderr; JSON: envelope on stdout) and returns the
// process exit code.
int WriteError(const CliError& e, Format format, std::ostream& out, std::ostream& err);

// Removes ANSI escape sequences.
std::string StripAnsi(const std::string& s);

}  // namespace opscale::cli
