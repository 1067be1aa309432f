// JSON text as pscale prints it (Go's json.MarshalIndent with two spaces): key order kept,
// "[]" and "{}" for empty containers, no HTML escaping unless asked. Thread-safe.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace opscale::cli {

// Indented JSON without a trailing newline. With `escape_html`, <, > and & become \u003c,
// \u003e and \u0026 (pscale's API models with a custom MarshalJSON do this).
std::string GoJson(const boost::json::value& v, bool escape_html = false);

// A JSON string literal with Go's escaping.
std::string GoJsonString(std::string_view s, bool escape_html = false);

}  // namespace opscale::cli
