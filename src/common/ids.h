// Random identifiers and base62 text. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace opscale {

// Public resource id: 12 chars of [a-z0-9] (PlanetScale's id shape).
std::string NewId();

// `n` random chars drawn uniformly from `alphabet` (rejection sampling).
std::string RandomString(size_t n, std::string_view alphabet);

inline constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
inline constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";

// Fixed-width base62 encoding of the first 8 bytes of `bytes` (11 chars).
std::string Base62Of64(std::string_view bytes);

}  // namespace opscale
