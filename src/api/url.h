// URL pieces the transport and handlers need: percent-decoding, the query
// string, application/x-www-form-urlencoded bodies and splitting a request
// target. Hand-written (no Boost.URL) to keep compiles cheap. Pure functions,
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace opscale::api {

// Decoded name/value pairs in their original order (names may repeat).
using UrlParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Returns
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Parses "a=1&b=x%20y&flag" strictly: '+' is a space, empty segments are
// skipped, a segment without '=' has an empty value. Returns nullopt on a bad
// escape, so the caller can answer 400.
std::optional<UrlParams> ParseQuery(std::string_view query);

// Parses an application/x-www-form-urlencoded body (e.g. an OAuth token
// request) the way browsers do: like ParseQuery, but a malformed escape is
// kept literally instead of failing. Never fails.
UrlParams ParseForm(std::string_view body);

struct RequestTarget {
  std::string path;  // decoded, always starts with '/'
  UrlParams query;   // decoded
};

// Splits and decodes an HTTP request target. Accepts origin-form
// ("/a/b?x=1") and absolute-form ("http://host/a/b?x=1"); a "#fragment" is
// dropped. InvalidArgument for other forms, bad escapes, or a path that
// decodes to a NUL byte.
Result<RequestTarget> ParseRequestTarget(std::string_view target);

}  // namespace opscale::api
