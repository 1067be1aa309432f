// The CLI's configuration files (cli/config.h): pscale.yml and .pscale.yml.
//
// Invariants: parsing never fails and yields single-line values; what
// RenderConfig writes for parsed values parses back to the same values
// (a value with both quote characters and something only quoting keeps
// cannot be written, and RenderConfig says so by returning ""... see
// below); rendering is stable.
#include <cstdint>
#include <string>

#include "cli/config.h"
#include "fuzz_check.h"

namespace {

bool Same(const opscale::cli::ConfigValues& a, const opscale::cli::ConfigValues& b) {
  return a.org == b.org && a.database == b.database && a.branch == b.branch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace opscale::cli;
  const ConfigValues v = ParseConfig(opscale::fuzz::AsText(data, size));
  for (const std::string* s : {&v.org, &v.database, &v.branch})
    FUZZ_CHECK(s->find('\n') == std::string::npos);
  const std::string text = RenderConfig(v);
  const ConfigValues back = ParseConfig(text);
  FUZZ_CHECK(Same(back, v));
  FUZZ_CHECK(RenderConfig(back) == text);
  return 0;
}
