// FUZZ_CHECK(cond): an invariant of a fuzz target. When it does not hold the
// target prints the condition (never the input, which may be shaped like a
// secret) and aborts, so libFuzzer reports a crash and saves the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace opscale::fuzz {

inline std::string_view AsText(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Seeds that hold credentials are minted at run time (no secret-shaped text
// is committed): LLVMFuzzerInitialize writes them into the first corpus
// directory on the command line, the writable one (fuzz/CMakeLists.txt).
inline void WriteSeeds(int argc, char** argv, const std::vector<std::pair<std::string, std::string>>& seeds) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    for (const auto& [name, text] : seeds) std::ofstream(std::string(argv[i]) + "/minted-" + name) << text;
    return;
  }
}

}  // namespace opscale::fuzz
