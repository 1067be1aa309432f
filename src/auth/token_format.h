// Shapes of credential strings, and their keyed hashing.
//
// A secret is <prefix><44 base62 chars (~261 random bits)><6 base62 checksum>.
// The checksum (first 32 bits of SHA-256 over prefix+body) lets us refuse a
// mistyped or truncated secret before any lookup. Ids are 12 chars [a-z0-9].
// Stateless functions are thread-safe; SecretHasher is immutable after
// construction and thus thread-safe.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace opscale {

inline constexpr std::string_view kServiceTokenPrefix = "pscale_tkn_";
inline constexpr std::string_view kApiTokenPrefix = "pscale_oauth_";
inline constexpr size_t kSecretBodyLength = 44;
inline constexpr size_t kSecretChecksumLength = 6;

// A new random secret with the given prefix.
std::string GenerateSecret(std::string_view prefix);
// True if `secret` has the prefix, the length, the alphabet and a valid checksum.
bool IsWellFormedSecret(std::string_view secret, std::string_view prefix);
// The two halves of IsWellFormedSecret: the prefix, length and alphabet; and
// the checksum (of a secret that has the shape).
bool HasSecretShape(std::string_view secret, std::string_view prefix);
bool HasValidChecksum(std::string_view secret, std::string_view prefix);
// `prefix_and_body` followed by its checksum (GenerateSecret's last step; the
// fuzz targets build valid secrets from arbitrary bodies with it).
std::string WithSecretChecksum(std::string_view prefix_and_body);
// True if `id` is 12 chars of [a-z0-9].
bool IsWellFormedId(std::string_view id);

// A raw HMAC-SHA256 digest of a secret.
using SecretDigest = std::array<unsigned char, 32>;

// Compares two digests in constant time (no early exit on a difference).
inline bool SameDigest(const SecretDigest& a, const SecretDigest& b) {
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

// Keyed hashing of secrets: HMAC-SHA256 under a server key kept outside the
// store, so a copy of the database alone verifies nothing. The key's HMAC
// state is computed once at construction, so a hash costs only the SHA-256
// blocks of the secret (this is on every request's path).
class SecretHasher {
 public:
  explicit SecretHasher(std::string_view key);
  // HMAC-SHA256(key, secret), raw.
  SecretDigest Digest(std::string_view secret) const;
  // Lowercase hex HMAC-SHA256(key, secret): the stored form.
  std::string Hash(std::string_view secret) const;
  // Constant-time comparison of a secret against a stored hash.
  bool Matches(std::string_view secret, std::string_view stored_hash) const;
  // The digest a stored (hex) hash holds; nullopt if it is not 64 hex digits.
  static std::optional<SecretDigest> ParseHash(std::string_view stored_hash);

 private:
  struct KeyedState;
  std::shared_ptr<const KeyedState> state_;  // immutable, so copies may share it
};

// Reads the 32-byte key at `path`, creating it (mode 0600, random) if the
// file does not exist. Fails if the file exists but is not a valid key.
Result<std::string> LoadOrCreateKeyFile(const std::string& path);

}  // namespace opscale
