#include "auth/token_format.h"

// OpenSSL 3 deprecates the low-level SHA256_* calls in favour of EVP, but
// EVP costs 0.5-3 us per HMAC here (algorithm fetch, context allocation and
// dispatch per call) against ~0.2 us for SHA256_CTX, a plain struct we can
// pre-key once and copy per call. They are still part of OpenSSL 3's API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/ids.h"

namespace opscale {
namespace {

// Finishes a SHA-256 whose state has absorbed `prior` bytes (whole blocks)
// with `data`, padding it (FIPS 180-4, 5.1.1) and running the blocks through
// SHA256_Transform directly: SHA256_Update/Final do the same through a
// buffer, which at these sizes (one or two blocks) costs more than the
// compression itself.
void Sha256Finish(const SHA256_CTX& state, uint64_t prior, std::string_view data,
                  unsigned char out[SHA256_DIGEST_LENGTH]) {
  SHA256_CTX ctx = state;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  for (; n >= SHA256_CBLOCK; p += SHA256_CBLOCK, n -= SHA256_CBLOCK) SHA256_Transform(&ctx, p);
  unsigned char tail[2 * SHA256_CBLOCK];
  const size_t size = n + 1 + 8 <= SHA256_CBLOCK ? SHA256_CBLOCK : 2 * SHA256_CBLOCK;
  std::memcpy(tail, p, n);
  tail[n] = 0x80;
  std::memset(tail + n + 1, 0, size - 8 - (n + 1));
  const uint64_t bits = __builtin_bswap64((prior + data.size()) * 8);  // big-endian
  std::memcpy(tail + size - 8, &bits, 8);
  for (size_t b = 0; b < size; b += SHA256_CBLOCK) SHA256_Transform(&ctx, tail + b);
  explicit_bzero(tail, n);  // the secret's bytes
  for (int i = 0; i < 8; ++i) {
    const uint32_t word = __builtin_bswap32(ctx.h[i]);
    std::memcpy(out + 4 * i, &word, 4);
  }
}

// The checksum of a secret: the first 32 bits of SHA-256 over the prefix and
// body, as 6 base62 digits. `prefix_and_body` is the secret without them.
std::array<char, kSecretChecksumLength> Checksum(std::string_view prefix_and_body) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  Sha256Finish(ctx, 0, prefix_and_body, digest);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | digest[i];
  std::array<char, kSecretChecksumLength> out;
  for (int i = static_cast<int>(kSecretChecksumLength) - 1; i >= 0; --i) {
    out[i] = kBase62[v % 62];
    v /= 62;
  }
  return out;
}

// A table rather than range tests: every request's secret goes through
// this, and branches on random characters mispredict.
constexpr std::array<bool, 256> kIsBase62 = [] {
  std::array<bool, 256> t{};
  for (char c : kBase62) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

}  // namespace

std::string GenerateSecret(std::string_view prefix) {
  return WithSecretChecksum(std::string(prefix) + RandomString(kSecretBodyLength, kBase62));
}

std::string WithSecretChecksum(std::string_view prefix_and_body) {
  const auto sum = Checksum(prefix_and_body);
  return std::string(prefix_and_body).append(sum.data(), sum.size());
}

bool HasSecretShape(std::string_view secret, std::string_view prefix) {
  if (secret.size() != prefix.size() + kSecretBodyLength + kSecretChecksumLength) return false;
  if (secret.substr(0, prefix.size()) != prefix) return false;
  bool base62 = true;
  for (char c : secret.substr(prefix.size())) base62 &= kIsBase62[static_cast<unsigned char>(c)];
  return base62;
}

bool HasValidChecksum(std::string_view secret, std::string_view prefix) {
  // Not a secret comparison: the checksum is a public function of the body.
  const size_t checked = prefix.size() + kSecretBodyLength;
  const auto sum = Checksum(secret.substr(0, checked));
  return secret.substr(checked) == std::string_view(sum.data(), sum.size());
}

bool IsWellFormedSecret(std::string_view secret, std::string_view prefix) {
  return HasSecretShape(secret, prefix) && HasValidChecksum(secret, prefix);
}

bool IsWellFormedId(std::string_view id) {
  static constexpr std::array<bool, 256> kIdChar = [] {
    std::array<bool, 256> t{};
    for (char c : kLowerAlnum) t[static_cast<unsigned char>(c)] = true;
    return t;
  }();
  if (id.size() != 12) return false;
  bool ok = true;
  for (char c : id) ok &= kIdChar[static_cast<unsigned char>(c)];
  return ok;
}

// HMAC (RFC 2104) is H(K^opad || H(K^ipad || m)): both SHA-256 states after
// absorbing the padded key depend on the key alone, so they are computed here
// once and every Digest() starts from copies of them.
struct SecretHasher::KeyedState {
  SHA256_CTX inner, outer;
};

SecretHasher::SecretHasher(std::string_view key) {
  unsigned char block[SHA256_CBLOCK] = {};
  if (key.size() > sizeof block) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  auto state = std::make_shared<KeyedState>();
  unsigned char pad[SHA256_CBLOCK];
  for (size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&state->inner);
  SHA256_Update(&state->inner, pad, sizeof pad);
  for (size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&state->outer);
  SHA256_Update(&state->outer, pad, sizeof pad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
  state_ = std::move(state);
}

SecretDigest SecretHasher::Digest(std::string_view secret) const {
  SecretDigest inner, out;
  Sha256Finish(state_->inner, SHA256_CBLOCK, secret, inner.data());
  Sha256Finish(state_->outer, SHA256_CBLOCK,
               std::string_view(reinterpret_cast<const char*>(inner.data()), inner.size()),
               out.data());
  return out;
}

std::string SecretHasher::Hash(std::string_view secret) const {
  SecretDigest d = Digest(secret);
  return crypto::Hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

bool SecretHasher::Matches(std::string_view secret, std::string_view stored_hash) const {
  std::optional<SecretDigest> stored = ParseHash(stored_hash);
  if (!stored) return false;
  return SameDigest(Digest(secret), *stored);
}

std::optional<SecretDigest> SecretHasher::ParseHash(std::string_view hex) {
  if (hex.size() != 2 * SecretDigest().size()) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // the stored form is lowercase
  };
  SecretDigest d;
  for (size_t i = 0; i < d.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return d;
}

Result<std::string> LoadOrCreateKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    std::string hex = crypto::Hex(crypto::RandomBytes(32)) + "\n";
    bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
    ok = (::fsync(fd) == 0) && ok;
    ::close(fd);
    if (!ok) return Status::Internal("cannot write token key file " + path);
  } else if (errno != EEXIST) {
    return Status::Internal("cannot create token key file " + path + ": " + std::strerror(errno));
  }
  std::ifstream in(path);
  if (!in) return Status::Internal("cannot read token key file " + path);
  std::string hex;
  in >> hex;
  if (hex.size() != 64) return Status::Internal("token key file " + path + " is not a 64-digit hex key");
  std::string key;
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    if (std::sscanf(hex.c_str() + i, "%2x", &v) != 1)
      return Status::Internal("token key file " + path + " is not a 64-digit hex key");
    key.push_back(static_cast<char>(v));
  }
  return key;
}

}  // namespace opscale
