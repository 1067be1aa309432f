#include "api/request_checks.h"

#include <limits>

namespace opscale::api {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each non-empty element of a comma-separated list
// (RFC 9110 section 5.6.1: empty elements are allowed and ignored).
template <typename Fn>
void ForEachListElement(std::string_view list, Fn fn) {
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = TrimOws(list.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 unreserved and sub-delims: what a reg-name may hold besides %XX.
bool IsRegNameChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

Refusal BadRequest(std::string message) { return Refusal{400, "bad_request", std::move(message)}; }

std::optional<Refusal> CheckHost(const RequestHead& head) {
  int count = 0;
  std::string_view host;
  for (const auto& f : head.fields) {
    if (!IEquals(f.name, "host")) continue;
    ++count;
    host = f.value;
  }
  if (count > 1) return BadRequest("several Host headers");
  if (count == 0) {
    if (head.version >= 11) return BadRequest("missing Host header (required in HTTP/1.1)");
    return std::nullopt;
  }
  if (!IsValidHost(host)) return BadRequest("invalid Host header");
  return std::nullopt;
}

std::optional<Refusal> CheckFraming(const RequestHead& head) {
  bool has_length = false;
  std::optional<uint64_t> length;
  bool length_ok = true, lengths_differ = false;
  std::vector<std::string_view> codings;  // every Transfer-Encoding element, in order
  bool has_coding_field = false;
  for (const auto& f : head.fields) {
    if (IEquals(f.name, "content-length")) {
      has_length = true;
      int elements = 0;
      ForEachListElement(f.value, [&](std::string_view item) {
        ++elements;
        uint64_t v = 0;
        if (!ParseDecimal(item, &v)) {
          length_ok = false;
        } else if (length && *length != v) {
          lengths_differ = true;
        } else {
          length = v;
        }
      });
      if (elements == 0) length_ok = false;
    } else if (IEquals(f.name, "transfer-encoding")) {
      has_coding_field = true;
      ForEachListElement(f.value, [&](std::string_view item) { codings.push_back(item); });
    }
  }
  if (has_length && !length_ok) return BadRequest("invalid Content-Length");
  if (lengths_differ) return BadRequest("several different Content-Length values");
  if (!has_coding_field) return std::nullopt;

  if (head.version < 11) return BadRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request");
  if (has_length) return BadRequest("both Content-Length and Transfer-Encoding (ambiguous body length)");
  if (codings.empty()) return BadRequest("empty Transfer-Encoding");
  // The body's length is known only if chunked is the final coding, applied
  // once (RFC 9112 sections 6.1 and 6.3); anything else is refused before
  // the framing can be misread.
  int chunked = 0;
  bool other = false;
  for (std::string_view c : codings) {
    if (IEquals(c, "chunked")) {
      ++chunked;
    } else if (IEquals(TrimOws(c.substr(0, c.find(';'))), "chunked")) {
      return BadRequest("chunked transfer coding takes no parameters");
    } else {
      other = true;
    }
  }
  if (!IEquals(codings.back(), "chunked")) {
    return BadRequest("Transfer-Encoding must end with chunked");
  }
  if (chunked > 1) return BadRequest("chunked transfer coding applied more than once");
  if (other) {
    return Refusal{501, "not_implemented",
                   "unsupported transfer coding (only chunked is accepted)"};
  }
  return std::nullopt;
}

}  // namespace

bool IsValidHost(std::string_view host) {
  if (host.empty()) return true;
  std::string_view port;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!IsHex(c) && c != ':' && c != '.' && c != '%' && !IsRegNameChar(c)) return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    size_t colon = host.find(':');
    std::string_view name = host.substr(0, colon);
    if (colon != std::string_view::npos) port = host.substr(colon + 1);
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c == '%') {
        if (i + 2 >= name.size() || !IsHex(name[i + 1]) || !IsHex(name[i + 2])) return false;
        i += 2;
      } else if (!IsRegNameChar(c)) {
        return false;
      }
    }
  }
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return port.size() <= 5;
}

std::optional<Refusal> CheckRequestHead(const RequestHead& head) {
  // Beast unfolds obs-fold into a space; another parser in front of us might
  // not, and RFC 9112 section 5.2 lets a server refuse it. A line that
  // starts with whitespace right after the request line is refused too
  // (section 2.2): some parsers would take it as part of the request line.
  for (size_t p = head.raw.find("\r\n"); p != std::string_view::npos; p = head.raw.find("\r\n", p + 2)) {
    if (p + 2 < head.raw.size() && (head.raw[p + 2] == ' ' || head.raw[p + 2] == '\t')) {
      return BadRequest("header line starts with whitespace (obsolete line folding)");
    }
  }
  if (auto r = CheckHost(head)) return r;
  return CheckFraming(head);
}

const std::string& OverCapacityResponse() {
  static const std::string kResponse = [] {
    std::string body =
        R"({"code":"unavailable","message":"too many open connections; try again later"})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: opscaled\r\n"
           "Content-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return kResponse;
}

bool LogThrottle::Allow(std::chrono::steady_clock::time_point now, uint64_t* suppressed) {
  if (last_ && now - *last_ < interval_) {
    ++suppressed_;
    return false;
  }
  last_ = now;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace opscale::api
