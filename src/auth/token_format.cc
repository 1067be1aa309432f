#include "auth/token_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/ids.h"

namespace opscale {
namespace {

std::string Checksum(std::string_view prefix, std::string_view body) {
  std::string digest = crypto::Sha256(std::string(prefix) + std::string(body));
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(digest[i]);
  std::string out(kSecretChecksumLength, '0');
  for (int i = static_cast<int>(kSecretChecksumLength) - 1; i >= 0; --i) {
    out[i] = kBase62[v % 62];
    v /= 62;
  }
  return out;
}

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string GenerateSecret(std::string_view prefix) {
  std::string body = RandomString(kSecretBodyLength, kBase62);
  return std::string(prefix) + body + Checksum(prefix, body);
}

bool IsWellFormedSecret(std::string_view secret, std::string_view prefix) {
  if (secret.size() != prefix.size() + kSecretBodyLength + kSecretChecksumLength) return false;
  if (secret.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = secret.substr(prefix.size());
  for (char c : rest)
    if (!IsBase62(c)) return false;
  std::string_view body = rest.substr(0, kSecretBodyLength);
  std::string_view sum = rest.substr(kSecretBodyLength);
  return crypto::ConstantTimeEqual(Checksum(prefix, body), sum);
}

bool IsWellFormedId(std::string_view id) {
  if (id.size() != 12) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

std::string SecretHasher::Hash(std::string_view secret) const {
  return crypto::Hex(crypto::HmacSha256(key_, secret));
}

bool SecretHasher::Matches(std::string_view secret, std::string_view stored_hash) const {
  return crypto::ConstantTimeEqual(Hash(secret), stored_hash);
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
