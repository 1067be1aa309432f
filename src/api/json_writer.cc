#include "api/json_writer.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace opscale::api {

namespace {

// The bytes a JSON string must escape: controls, '"' and '\\'.
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// Writes the escape of byte c at d; returns its length (2 or 6).
size_t Escape(unsigned char c, char* d) {
  static constexpr char kHex[] = "0123456789abcdef";
  d[0] = '\\';
  switch (c) {
    case '"': d[1] = '"'; return 2;
    case '\\': d[1] = '\\'; return 2;
    case '\b': d[1] = 'b'; return 2;
    case '\f': d[1] = 'f'; return 2;
    case '\n': d[1] = 'n'; return 2;
    case '\r': d[1] = 'r'; return 2;
    case '\t': d[1] = 't'; return 2;
    default:
      d[1] = 'u', d[2] = '0', d[3] = '0', d[4] = kHex[c >> 4], d[5] = kHex[c & 0xf];
      return 6;
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  const char* p = s.data();
  const char* end = p + s.size();
  while (p != end) {
    const char* run = p;  // bytes copied as they are
    while (p != end && !kEscaped[static_cast<unsigned char>(*p)]) ++p;
    out.append(run, p);
    if (p == end) break;
    char esc[6];
    out.append(esc, Escape(static_cast<unsigned char>(*p++), esc));
  }
  out.push_back('"');
}

std::string JsonWriter::Take() && {
  buf_.resize(len_);
  len_ = 0;
  return std::move(buf_);
}

void JsonWriter::Grow(size_t n) { buf_.resize(std::max(buf_.size() * 2, len_ + n)); }

JsonWriter& JsonWriter::Open(char c) {
  Comma();
  Put(c);
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::Close(char c) {
  Put(c);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view literal) {
  Comma();
  Put(literal);
  need_comma_ = true;
  return *this;
}

// At most 6 bytes per input byte, plus the quotes: room is made once.
void JsonWriter::Quoted(std::string_view s) {
  char* start = Room(s.size() * 6 + 2);
  char* d = start;
  *d++ = '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!kEscaped[c]) {
      *d++ = ch;
    } else {
      d += Escape(c, d);
    }
  }
  *d++ = '"';
  len_ += static_cast<size_t>(d - start);
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Comma();
  Quoted(key);
  Put(':');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view v) {
  Comma();
  Quoted(v);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  Comma();
  char* d = Room(24);
  len_ += static_cast<size_t>(std::to_chars(d, d + 24, v).ptr - d);
  need_comma_ = true;
  return *this;
}

}  // namespace opscale::api
