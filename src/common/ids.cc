#include "common/ids.h"

#include <cstdint>

#include "common/crypto.h"

namespace opscale {

std::string RandomString(size_t n, std::string_view alphabet) {
  // Largest multiple of the alphabet size below 256, so every char is equally likely.
  const unsigned limit = 256 - (256 % alphabet.size());
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    std::string buf = crypto::RandomBytes(n * 2);
    for (unsigned char c : buf) {
      if (c >= limit) continue;
      out.push_back(alphabet[c % alphabet.size()]);
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string NewId() { return RandomString(12, kLowerAlnum); }

std::string Base62Of64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  std::string out(11, '0');
  for (int i = 10; i >= 0; --i) {
    out[i] = kBase62[v % 62];
    v /= 62;
  }
  return out;
}

}  // namespace opscale
