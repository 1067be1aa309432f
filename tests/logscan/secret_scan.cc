#include "logscan/secret_scan.h"

#include <array>
#include <cctype>
#include <strings.h>

namespace opscale::logscan {

namespace {

constexpr std::string_view kMask = "***";
constexpr size_t kMinSecret = 8;  // shorter is a name or an example, not a credential

struct Prefix {
  std::string_view text;
  const char* pattern;
};
// Longest first: pscale_oauth_refresh_ must not be read as pscale_oauth_.
constexpr std::array<Prefix, 5> kPrefixes = {{
    {"pscale_oauth_refresh_", "OAuth refresh token"},
    {"pscale_app_secret_", "OAuth client secret"},
    {"pscale_oauth_", "API/OAuth token or session"},
    {"pscale_tkn_", "service-token secret"},
    {"pscale_pw_", "database password"},
}};

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsCookieChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '%'; }
bool IsValueChar(char c) {
  return c != ' ' && c != '\t' && c != '"' && c != '\'' && c != ',' && c != ';' && c != '\r';
}
bool IStartsWith(std::string_view s, size_t at, std::string_view what) {
  return s.size() >= at + what.size() && strncasecmp(s.data() + at, what.data(), what.size()) == 0;
}
bool Masked(std::string_view value) { return value.find('*') != std::string_view::npos; }

// Each pass finds one kind of secret in `line`, records it and masks it, so
// a later pass does not report the same secret again.
using Findings = std::vector<std::string>;

void CookiePass(std::string& line, Findings& found) {
  constexpr std::string_view kName = "opscale_session=";
  size_t at = 0;
  while ((at = line.find(kName, at)) != std::string::npos) {
    size_t start = at + kName.size(), end = start;
    while (end < line.size() && IsCookieChar(line[end])) ++end;
    if (end - start >= kMinSecret) {
      found.push_back("session cookie");
      line.replace(start, end - start, kMask);
    }
    at = start;
  }
}

// "Authorization: <value>", also as a JSON key or form field.
void AuthorizationPass(std::string& line, Findings& found) {
  for (size_t at = 0; at < line.size(); ++at) {
    if (!IStartsWith(line, at, "authorization")) continue;
    size_t i = at + 13;
    if (i < line.size() && line[i] == '"') ++i;
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size() || (line[i] != ':' && line[i] != '=')) continue;
    ++i;
    while (i < line.size() && (line[i] == ' ' || line[i] == '"')) ++i;
    bool scheme = false;
    for (std::string_view s : {"bearer ", "basic ", "token "}) {
      if (IStartsWith(line, i, s)) {
        i += s.size();
        scheme = true;
        break;
      }
    }
    while (i < line.size() && line[i] == ' ') ++i;
    size_t end = i;
    while (end < line.size() && IsValueChar(line[end])) ++end;
    std::string_view value(line.data() + i, end - i);
    // Without a scheme, only the <id>:<secret> shape of service tokens.
    size_t colon = value.find(':');
    bool credential = scheme ? value.size() >= kMinSecret
                             : colon != std::string_view::npos && colon > 0 &&
                                   value.size() - colon - 1 >= kMinSecret;
    if (credential && !Masked(value)) {
      found.push_back("Authorization value");
      line.replace(i, end - i, kMask);
    }
  }
}

void PrefixPass(std::string& line, Findings& found) {
  for (size_t at = 0; at < line.size(); ++at) {
    for (const Prefix& p : kPrefixes) {
      if (line.compare(at, p.text.size(), p.text) != 0) continue;
      size_t start = at + p.text.size(), end = start;
      while (end < line.size() && IsAlnum(line[end])) ++end;
      if (end - start >= kMinSecret) {
        found.push_back(p.pattern);
        line.replace(start, end - start, kMask);
      }
      at = start - 1;
      break;
    }
  }
}

}  // namespace

bool ShowsSecretOnce(std::string_view command) {
  // A command run through a wrapper (runuser -u nobody -- /path/to/opscaled init …) is judged by
  // the command it runs, named by its file name.
  if (command.rfind("runuser ", 0) == 0 || command.rfind("setpriv ", 0) == 0) {
    size_t dashes = command.find(" -- ");
    if (dashes == std::string_view::npos) return false;
    command = command.substr(dashes + 4);
    size_t space = command.find(' ');
    size_t slash = command.rfind('/', space);
    if (slash != std::string_view::npos) command = command.substr(slash + 1);
  }
  auto has = [&](std::string_view s) { return command.find(s) != std::string_view::npos; };
  auto ends = [&](std::string_view path) {
    // The URL is followed by a space (more arguments) or ends the line.
    size_t at = command.find(path);
    while (at != std::string_view::npos) {
      size_t after = at + path.size();
      if (after == command.size() || command[after] == ' ') return true;
      at = command.find(path, after);
    }
    return false;
  };
  // The bootstrap commands print the new admin's (or user's) API token.
  if (command.rfind("opscaled init", 0) == 0 || command.rfind("opscaled user create", 0) == 0 ||
      command.rfind("opscaled org create", 0) == 0)
    return true;
  if (command.rfind("opscale ", 0) == 0 || command.rfind("pscale ", 0) == 0) {
    return has(" service-token create") || has(" password create") || has(" password renew");
  }
  if (command.rfind("curl ", 0) == 0 && has(" -X POST ")) {
    return ends("/service-tokens") || ends("/passwords") || ends("/renew") ||
           ends("/oauth-applications") || ends("/token") || ends("/auth/login") ||
           ends("/members");  // adding a new person creates their account
  }
  return false;
}

std::vector<Finding> ScanText(std::string_view text, bool command_output) {
  std::vector<Finding> out;
  bool allowed = false;  // the current "### <command>" section may show a secret
  size_t number = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    ++number;
    const bool header = command_output && line.rfind("### ", 0) == 0;
    Findings found;
    CookiePass(line, found);
    AuthorizationPass(line, found);
    PrefixPass(line, found);
    if (header) allowed = ShowsSecretOnce(std::string_view(line).substr(4));
    if (found.empty() || (command_output && !header && allowed)) continue;
    if (line.size() > 200) line = line.substr(0, 200) + "…";
    for (const std::string& pattern : found) out.push_back(Finding{number, pattern, line});
  }
  return out;
}

}  // namespace opscale::logscan
