#include "api/json_body.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>

namespace opscale::api {

namespace json = boost::json;

Result<json::object> ParseBodyObject(std::string_view body) {
  bool blank = true;
  for (char c : body)
    if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
  if (blank) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Status::InvalidArgument("request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return std::move(v.as_object());
}

Result<std::optional<std::string>> OptString(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string())
    return Status::Unprocessable(std::string("field '") + key + "' must be a string");
  return std::optional<std::string>(std::string(it->value().as_string()));
}

Result<std::optional<int64_t>> OptInt(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>();
  const json::value& v = it->value();
  if (v.is_int64()) return std::optional<int64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return std::optional<int64_t>(static_cast<int64_t>(v.as_uint64()));
  if (v.is_string()) {  // pscale sends numbers; accept "3600" too
    const auto& s = v.as_string();
    int64_t n = 0;
    auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (err == std::errc() && ptr == s.data() + s.size()) return std::optional<int64_t>(n);
  }
  return Status::Unprocessable(std::string("field '") + key + "' must be an integer");
}

Result<std::optional<bool>> OptBool(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool())
    return Status::Unprocessable(std::string("field '") + key + "' must be true or false");
  return std::optional<bool>(it->value().as_bool());
}

Result<std::vector<std::string>> StringList(const json::object& o, const char* key) {
  auto it = o.find(key);
  std::vector<std::string> out;
  if (it == o.end() || it->value().is_null()) return out;
  if (it->value().is_string()) {  // a single name
    out.emplace_back(it->value().as_string());
    return out;
  }
  if (!it->value().is_array())
    return Status::Unprocessable(std::string("field '") + key + "' must be an array of strings");
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string())
      return Status::Unprocessable(std::string("field '") + key + "' must be an array of strings");
    out.emplace_back(v.as_string());
  }
  return out;
}

}  // namespace opscale::api
