// Reading API JSON and reshaping it into the models pscale prints with --format json: only
// the listed keys, in pscale's order, with Go's zero values for absent fields and times
// re-encoded as RFC 3339 with trailing fractional zeros dropped. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace opscale::cli {

// --- reading ---------------------------------------------------------------------------
const boost::json::object& AsObject(const boost::json::value& v);  // {} when not an object
const boost::json::object& ObjectAt(const boost::json::object& o, std::string_view key);
std::string StringAt(const boost::json::object& o, std::string_view key);  // "" unless a string
bool BoolAt(const boost::json::object& o, std::string_view key);
int64_t IntAt(const boost::json::object& o, std::string_view key);
// Epoch milliseconds of an RFC 3339 field; 0 when absent, null or malformed.
int64_t TimeAt(const boost::json::object& o, std::string_view key);
// The "data" array of a page ({"type":"list",...,"data":[...]}) or the value itself if it
// is an array; empty otherwise.
std::vector<boost::json::object> ListItems(const boost::json::value& v);

// "2021-01-14T10:19:23.000Z" -> "2021-01-14T10:19:23Z", ".120Z" -> ".12Z".
std::string GoTime(std::string_view rfc3339);

// --- projecting ------------------------------------------------------------------------
enum class FieldKind {
  kString,          // Go string: null/absent -> ""
  kNullableString,  // *string: kept null
  kBool,            // null/absent -> false
  kInt,             // null/absent -> 0
  kTime,            // time.Time: absent -> "0001-01-01T00:00:00Z"
  kNullableTime,    // *time.Time: kept null
  kRaw,             // copied as is (null when absent)
};

struct Field {
  const char* key;
  FieldKind kind;
};

boost::json::object Project(const boost::json::object& src, std::initializer_list<Field> fields);

// pscale's models.
boost::json::object ServiceTokenJson(const boost::json::object& token, bool with_token_field);
boost::json::object ServiceTokenShowJson(const boost::json::object& token);
boost::json::object RegionJson(const boost::json::object& region);
boost::json::object DatabaseJson(const boost::json::object& db);
boost::json::object BranchJson(const boost::json::object& branch);
boost::json::object AuditLogJson(const boost::json::object& event);

}  // namespace opscale::cli
