#include "engine/mysql_dsn.h"

#include <string_view>

namespace opscale::engine {
namespace {

Status Bad(std::string_view why) {
  return Status::InvalidArgument("invalid --mysql-dsn (expected mysql://user:pass@host:port): " +
                                 std::string(why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view in, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return Bad("bad percent-escape in the " + std::string(what));
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

Status ParseHostPort(std::string_view hp, DsnSpec* out) {
  std::string_view host = hp;
  std::string_view port;
  if (!hp.empty() && hp.front() == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos) return Bad("unclosed [ in the host");
    host = hp.substr(1, close - 1);
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Bad("unexpected text after ]");
      port = rest.substr(1);
      if (port.empty()) return Bad("empty port");
    }
    if (host.empty()) return Bad("empty host");
    for (char c : host) {
      if (HexValue(c) < 0 && c != ':' && c != '.') return Bad("bad IPv6 literal");
    }
  } else {
    size_t colon = hp.rfind(':');
    if (colon != std::string_view::npos) {
      host = hp.substr(0, colon);
      port = hp.substr(colon + 1);
      if (port.empty()) return Bad("empty port");
    }
    if (host.empty()) return Bad("missing host");
    for (char c : host) {
      if (!IsHostChar(c)) return Bad("bad character in the host");
    }
  }
  out->host = std::string(host);
  if (!port.empty()) {
    if (port.size() > 5) return Bad("port must be 1 to 65535");
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return Bad("port must be a number");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return Bad("port must be 1 to 65535");
    out->port = value;
  }
  return Status::Ok();
}

}  // namespace

std::string DsnSpec::Redacted() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "mysql://" + user + (password.empty() ? "" : ":****") + "@" + h + ":" +
         std::to_string(port);
}

Result<DsnSpec> ParseMysqlDsn(const std::string& dsn) {
  std::string_view rest = dsn;
  bool schemed = false;
  for (std::string_view scheme : {"mysql://", "mariadb://"}) {
    if (rest.substr(0, scheme.size()) == scheme) {
      rest.remove_prefix(scheme.size());
      schemed = true;
      break;
    }
  }
  if (!schemed) return Bad("it must start with mysql://");
  // The userinfo may hold a raw '/', so split it off at the last '@' first.
  size_t at = rest.rfind('@');
  if (at == std::string_view::npos) return Bad("missing user@");
  std::string_view userinfo = rest.substr(0, at);
  std::string_view tail = rest.substr(at + 1);
  if (tail.find('?') != std::string_view::npos) return Bad("query parameters are not supported");
  size_t slash = tail.find('/');
  std::string_view hostport = tail.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 != tail.size()) {
    return Bad("a database path is not supported: opscale creates its own schemas");
  }

  DsnSpec spec;
  size_t colon = userinfo.find(':');
  std::string_view user = userinfo.substr(0, colon);
  if (user.empty()) return Bad("missing user");
  OPSCALE_ASSIGN_OR_RETURN(spec.user, PercentDecode(user, "user"));
  if (colon != std::string_view::npos) {
    OPSCALE_ASSIGN_OR_RETURN(spec.password, PercentDecode(userinfo.substr(colon + 1), "password"));
  }
  OPSCALE_RETURN_IF_ERROR(ParseHostPort(hostport, &spec));
  return spec;
}

}  // namespace opscale::engine
