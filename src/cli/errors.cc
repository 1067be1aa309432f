#include "cli/errors.h"

#include <ostream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "cli/json_out.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

bool Contains(const std::string& s, const char* needle) {
  return s.find(needle) != std::string::npos;
}

json::array Strings(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

}  // namespace

CliError Classified(std::string message) {
  CliError e;
  if (Contains(message, "run with --force")) {
    e.code = "CONFIRMATION_REQUIRED";
    e.action_required = true;
  } else if (Contains(message, "missing argument") || Contains(message, "required flag") ||
             Contains(message, "arg(s), received")) {
    e.code = "INVALID_USAGE";
    e.action_required = true;
  } else if (Contains(message, "does not exist")) {
    e.code = "NOT_FOUND";
  } else if (Contains(message, "unknown flag") || Contains(message, "unknown shorthand flag")) {
    e.code = "UNKNOWN_FLAG";
    e.action_required = true;
  } else if (Contains(message, "unknown command")) {
    e.code = "UNKNOWN_COMMAND";
    e.action_required = true;
  } else {
    e.code = "COMMAND_FAILED";
  }
  e.message = std::move(message);
  return e;
}

std::string RateLimitedMessage(int64_t retry_after_s) {
  if (retry_after_s <= 0) return "rate limited by the API: retry later";
  return "rate limited by the API: retry after " + std::to_string(retry_after_s) +
         (retry_after_s == 1 ? " second" : " seconds");
}

CliError RateLimited(int64_t retry_after_s) {
  CliError e;
  e.message = RateLimitedMessage(retry_after_s);
  e.code = "rate_limited";  // the API's code, as for any other API error
  return e;
}

CliError ServiceTokenInvalid(const std::string& api_message) {
  CliError e;
  std::string text;
  if (!api_message.empty()) text = api_message + "\n\n";
  text +=
      "Authentication failed. Your service token appears to be invalid.\n\n"
      "Check that PLANETSCALE_SERVICE_TOKEN_ID (or --service-token-id) holds the token's ID and\n"
      "PLANETSCALE_SERVICE_TOKEN (or --service-token) holds its secret, and that the token has\n"
      "not been deleted or expired.";
  e.message = std::move(text);
  e.exit_code = 1;
  e.code = "SERVICE_TOKEN_INVALID";
  e.action_required = true;
  e.next_steps = {"pscale auth check --format json"};
  return e;
}

CliError NotAuthenticated(const std::string& message) {
  CliError e;
  e.message = message;
  e.human_preamble = "not authenticated yet. Please run 'pscale auth login'";
  e.code = "NO_AUTH";
  e.action_required = true;
  e.not_authenticated = true;
  e.next_steps = {"pscale auth login --format json", "pscale auth check --format json"};
  return e;
}

CliError MissingArguments(const std::vector<std::string>& names, const std::string& usage) {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) list += ", ";
    list += names[i];
  }
  CliError e = Classified((names.size() == 1 ? "missing argument <" : "missing arguments <") + list + "> ");
  e.usage = usage;
  return e;
}

CliError Reported(int exit_code) {
  CliError e;
  e.reported = true;
  e.exit_code = exit_code;
  return e;
}

std::string StripAnsi(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      continue;
    }
    out += s[i];
  }
  return out;
}

int WriteError(const CliError& e, Format format, std::ostream& out, std::ostream& err) {
  if (e.reported) return e.exit_code;
  if (e.usage_only) {
    err << e.usage;
    if (!e.usage.empty() && e.usage.back() != '\n') err << '\n';
    return 0;
  }
  if (format != Format::kJson) {
    if (!e.human_preamble.empty()) err << "Error: " << e.human_preamble << '\n';
    err << "Error: " << e.message << '\n';
    if (!e.usage.empty()) {
      err << '\n' << e.usage;
      if (e.usage.back() != '\n') err << '\n';
    }
    err.flush();
    return e.exit_code;
  }
  std::string message = StripAnsi(e.message);
  // JSON carries the message without the trailing space pscale leaves before the usage.
  while (!message.empty() && message.back() == ' ') message.pop_back();
  std::string code = e.code.empty() ? "COMMAND_FAILED" : e.code;
  json::object env;
  env["status"] = e.action_required ? "action_required" : "error";
  json::object issue;
  issue["code"] = code;
  issue["message"] = message;
  if (e.not_authenticated) {
    env["authenticated"] = false;
    env["code"] = code;
    env["error"] = message;
    env["agent_guide_command"] = "pscale agent-guide --format json";
    issue["remediation"] = "Run `pscale auth login --format json`";
  } else {
    env["error"] = message;
  }
  env["issues"] = json::array{issue};
  if (!e.next_steps.empty()) env["next_steps"] = Strings(e.next_steps);
  out << GoJson(env) << '\n';
  out.flush();
  return e.action_required ? 1 : 2;
}

}  // namespace opscale::cli
