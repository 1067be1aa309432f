#include "storage/postgres/postgres_conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace opscale::postgres {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// %XX-decoding as in URLs; invalid escapes stay as they are.
std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The password of a URL's user info: "scheme://user:PASSWORD@host...".
// Like libpq, the user info ends at the first '@' before any '/'.
std::string UrlPassword(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  size_t at = rest.find('@');
  if (at == std::string_view::npos) return {};
  std::string_view userinfo = rest.substr(0, at);
  size_t colon = userinfo.find(':');
  return colon == std::string_view::npos ? std::string() : std::string(userinfo.substr(colon + 1));
}

// Every "password = value" (key=value form, quoted or not) and
// "password=value" (URL query) in the raw string.
std::vector<std::string> KeywordPasswords(std::string_view s) {
  std::vector<std::string> out;
  constexpr std::string_view kKey = "password";
  for (size_t pos = s.find(kKey); pos != std::string_view::npos; pos = s.find(kKey, pos + 1)) {
    size_t i = pos + kKey.size();
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size() || s[i] != '=') continue;
    ++i;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::string value;
    if (i < s.size() && s[i] == '\'') {
      for (++i; i < s.size() && s[i] != '\''; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i];
      }
    } else {
      while (i < s.size() && s[i] != '&' && !std::isspace(static_cast<unsigned char>(s[i]))) {
        value += s[i++];
      }
    }
    out.push_back(value);
  }
  return out;
}

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

ConninfoRedactor::ConninfoRedactor(const std::string& conninfo) {
  if (StartsWith(conninfo, "postgres://") || StartsWith(conninfo, "postgresql://")) {
    AddSecret(UrlPassword(conninfo));
  }
  for (std::string& p : KeywordPasswords(conninfo)) AddSecret(std::move(p));

  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    parse_error_ = Scrub(err != nullptr ? err : "out of memory");
    if (err != nullptr) PQfreemem(err);
    return;
  }
  std::map<std::string, std::string> values;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) values[o->keyword] = o->val;
  }
  PQconninfoFree(opts);
  AddSecret(values["password"]);

  std::string host = !values["host"].empty() ? values["host"] : values["hostaddr"];
  if (host.empty()) host = "localhost";
  std::string port = values["port"].empty() ? "5432" : values["port"];
  target_ = "PostgreSQL at " + host + ":" + port;
  std::string details;
  if (!values["dbname"].empty()) details += "database " + values["dbname"];
  if (!values["user"].empty())
    details += (details.empty() ? "" : ", ") + ("user " + values["user"]);
  if (!details.empty()) target_ += " (" + details + ")";
  target_ = Scrub(target_);
}

void ConninfoRedactor::AddSecret(std::string s) {
  if (s.empty()) return;
  std::string decoded = PercentDecoded(s);
  for (std::string* v : {&s, &decoded}) {
    if (std::find(secrets_.begin(), secrets_.end(), *v) == secrets_.end()) secrets_.push_back(*v);
  }
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string ConninfoRedactor::Scrub(std::string_view text) const {
  std::string out(text);
  for (const std::string& secret : secrets_) {
    for (size_t pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return OneLine(out);
}

}  // namespace opscale::postgres
