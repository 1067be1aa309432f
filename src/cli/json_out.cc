#include "cli/json_out.h"

#include <boost/json/serialize.hpp>

namespace opscale::cli {
namespace json = boost::json;
namespace {

void Write(std::string& out, const json::value& v, bool escape_html, int depth) {
  auto indent = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(d) * 2, ' ');
  };
  switch (v.kind()) {
    case json::kind::object: {
      const json::object& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& kv : o) {
        if (!first) out += ',';
        first = false;
        indent(depth + 1);
        out += GoJsonString(kv.key(), escape_html);
        out += ": ";
        Write(out, kv.value(), escape_html, depth + 1);
      }
      indent(depth);
      out += '}';
      return;
    }
    case json::kind::array: {
      const json::array& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& e : a) {
        if (!first) out += ',';
        first = false;
        indent(depth + 1);
        Write(out, e, escape_html, depth + 1);
      }
      indent(depth);
      out += ']';
      return;
    }
    case json::kind::string: out += GoJsonString(v.get_string(), escape_html); return;
    case json::kind::int64: out += std::to_string(v.get_int64()); return;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case json::kind::double_:
    case json::kind::bool_:
    case json::kind::null: out += json::serialize(v); return;
  }
}

}  // namespace

std::string GoJsonString(std::string_view s, bool escape_html) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) are escaped as Go does.
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
  return out;
}

std::string GoJson(const json::value& v, bool escape_html) {
  std::string out;
  Write(out, v, escape_html, 0);
  return out;
}

}  // namespace opscale::cli
