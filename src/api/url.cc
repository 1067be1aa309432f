#include "api/url.h"

namespace opscale::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool IsScheme(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && (i == 0 || !other)) return false;
  }
  return true;
}

// Shared decoder: `lenient` keeps a malformed "%.." literally (WHATWG form
// decoding) instead of failing.
std::optional<std::string> Decode(std::string_view in, bool plus_is_space, bool lenient) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      int hi = i + 1 < in.size() ? HexValue(in[i + 1]) : -1;
      int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        if (!lenient) return std::nullopt;
        out.push_back('%');
        continue;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<UrlParams> ParsePairs(std::string_view s, bool lenient) {
  UrlParams params;
  while (!s.empty()) {
    size_t amp = s.find('&');
    std::string_view segment = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view() : s.substr(amp + 1);
    if (segment.empty()) continue;
    size_t eq = segment.find('=');
    std::string_view name = segment.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : segment.substr(eq + 1);
    auto dn = Decode(name, true, lenient);
    auto dv = Decode(value, true, lenient);
    if (!dn || !dv) return std::nullopt;
    params.emplace_back(std::move(*dn), std::move(*dv));
  }
  return params;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  return Decode(in, plus_is_space, /*lenient=*/false);
}

std::optional<UrlParams> ParseQuery(std::string_view query) {
  return ParsePairs(query, /*lenient=*/false);
}

UrlParams ParseForm(std::string_view body) {
  return *ParsePairs(body, /*lenient=*/true);
}

Result<RequestTarget> ParseRequestTarget(std::string_view target) {
  if (size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (target.empty() || target[0] != '/') {
    // absolute-form: scheme "://" authority path-abempty [ "?" query ]
    size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos || !IsScheme(target.substr(0, scheme_end))) {
      return Status::InvalidArgument("malformed request target");
    }
    std::string_view rest = target.substr(scheme_end + 3);
    size_t path_start = rest.find_first_of("/?");
    // An empty path ("http://host" or "http://host?x=1") means "/".
    target = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  }
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view raw_query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (raw_path.empty()) raw_path = "/";

  RequestTarget out;
  auto path = PercentDecode(raw_path, /*plus_is_space=*/false);
  if (!path) return Status::InvalidArgument("invalid percent-encoding in request path");
  if (path->find('\0') != std::string::npos) {
    return Status::InvalidArgument("request path contains a NUL byte");
  }
  auto query = ParseQuery(raw_query);
  if (!query) return Status::InvalidArgument("invalid percent-encoding in query string");
  out.path = std::move(*path);
  out.query = std::move(*query);
  return out;
}

}  // namespace opscale::api
