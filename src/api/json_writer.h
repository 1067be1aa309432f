// JSON text written straight into a buffer, for the hottest answers (GET a
// branch): building a boost::json::object of ~45 fields and serializing it
// cost about a fifth of that request's CPU. The text is byte for byte what
// boost::json::serialize gives for the same object (same escapes, same
// number format), so other views can still parse it into an object.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace opscale::api {

class JsonWriter {
 public:
  JsonWriter() { buf_.resize(2048); }

  // The text written so far; the writer is left empty.
  std::string Take() &&;

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key);  // then exactly one value

  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Bool(bool v) { return Raw(v ? std::string_view("true") : std::string_view("false")); }
  JsonWriter& Null() { return Raw("null"); }

  // Key + value shorthands.
  JsonWriter& Field(std::string_view key, std::string_view v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const char* v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, const std::string& v) { return Key(key).String(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& NullField(std::string_view key) { return Key(key).Null(); }

 private:
  // Room for n more bytes at buf_[len_]. The buffer is grown ahead and cut
  // to length by Take(), so each write is a bounds check and a copy.
  char* Room(size_t n) {
    if (buf_.size() - len_ < n) Grow(n);
    return buf_.data() + len_;
  }
  void Grow(size_t n);
  void Put(char c) { *Room(1) = c, ++len_; }
  void Put(std::string_view s) {
    std::memcpy(Room(s.size()), s.data(), s.size());
    len_ += s.size();
  }
  void Comma() {
    if (need_comma_) Put(',');
  }
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  JsonWriter& Raw(std::string_view literal);
  void Quoted(std::string_view s);

  std::string buf_;
  size_t len_ = 0;
  bool need_comma_ = false;  // a value was written at the current level
};

// Appends `s` as a JSON string literal (quotes included).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace opscale::api
