// Reading JSON request bodies with the API's errors: 400 for malformed JSON
// or a non-object, 422 naming a field of the wrong type. Pure functions over
// Boost.JSON (no HTTP, no platform), so the decoders built on them
// (request_bodies.h) can be fuzzed alone. Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace opscale::api {

// The body as a JSON object ({} when empty or only whitespace). 400 on
// malformed JSON or a non-object.
Result<boost::json::object> ParseBodyObject(std::string_view body);
// Typed optional fields (absent and null are both "not given"): 422 naming
// the field when the type is wrong.
Result<std::optional<std::string>> OptString(const boost::json::object& o, const char* key);
// An integer, or a string holding one ("3600"): pscale sends numbers.
Result<std::optional<int64_t>> OptInt(const boost::json::object& o, const char* key);
Result<std::optional<bool>> OptBool(const boost::json::object& o, const char* key);
// An array of strings, or a single string (a one-name list); empty when absent.
Result<std::vector<std::string>> StringList(const boost::json::object& o, const char* key);

}  // namespace opscale::api
