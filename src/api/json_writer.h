// JSON text written straight into a string, for the hottest answers (GET a
// branch): building a boost::json::object of ~45 fields and serializing it
// cost about a fifth of that request's CPU. The text is byte for byte what
// boost::json::serialize gives for the same object (same escapes, same
// number format), so other views can still parse it into an object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opscale::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);  // then exactly one value

  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();

  // Key + value shorthands.
  JsonWriter& Field(std::string_view key, std::string_view v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const char* v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const std::string& v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& NullField(std::string_view key) { return Key(key).Null(); }

 private:
  void BeforeValue();

  std::string& out_;
  bool need_comma_ = false;  // a value was written at the current level
};

// Appends `s` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace opscale::api
