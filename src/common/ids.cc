#include "common/ids.h"

#include <pthread.h>

#include <atomic>
#include <cstdint>

#include "common/crypto.h"

namespace opscale {
namespace {

// Bumped in a forked child, so that it refills NewId's buffer instead of
// handing out the same ids as its parent.
std::atomic<unsigned> fork_generation{0};
[[maybe_unused]] const int kAtForkRegistered = pthread_atfork(nullptr, nullptr, [] { ++fork_generation; });

}  // namespace

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

std::string NewId() {
  // Ids are public, so they may come from a per-thread buffer of CSPRNG
  // output: one RAND_bytes call per ~16 ids instead of one per id (it was
  // 4% of a token create + grant's CPU; bench row 5). Secrets still take
  // RandomString, which asks RAND_bytes every time.
  constexpr size_t kBufferBytes = 256;
  thread_local std::string buf;
  thread_local size_t used = 0;
  thread_local unsigned generation = 0;
  if (generation != fork_generation.load(std::memory_order_relaxed)) {
    generation = fork_generation.load(std::memory_order_relaxed);
    used = buf.size();
  }
  const unsigned limit = 256 - (256 % kLowerAlnum.size());
  std::string out;
  out.reserve(12);
  while (out.size() < 12) {
    if (used == buf.size()) {
      buf = crypto::RandomBytes(kBufferBytes);
      used = 0;
    }
    const unsigned char c = static_cast<unsigned char>(buf[used++]);
    if (c < limit) out.push_back(kLowerAlnum[c % kLowerAlnum.size()]);
  }
  return out;
}

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
