// Thin wrappers over OpenSSL 3 for the few primitives opscale needs.
// All functions are thread-safe. Failures of the system RNG abort: running
// without randomness would mint guessable secrets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opscale::crypto {

// `n` bytes from the OS CSPRNG.
std::string RandomBytes(size_t n);

// HMAC-SHA256(key, data), 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// SHA-256(data), 32 raw bytes.
std::string Sha256(std::string_view data);

// Compares in time that depends only on the lengths.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Lowercase hex of raw bytes.
std::string Hex(std::string_view bytes);

}  // namespace opscale::crypto
