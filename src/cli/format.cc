#include "cli/format.h"

#include <fmt/format.h>

namespace opscale::cli {

Result<Format> ParseFormat(std::string_view text) {
  if (text == "human") return Format::kHuman;
  if (text == "json") return Format::kJson;
  if (text == "csv") return Format::kCsv;
  return Status::InvalidArgument(
      fmt::format("invalid argument \"{0}\" for \"-f, --format\" flag: failed to parse Format: \"{0}\". "
                  "Valid values: [human json csv]",
                  text));
}

const char* FormatName(Format f) {
  switch (f) {
    case Format::kHuman: return "human";
    case Format::kJson: return "json";
    case Format::kCsv: return "csv";
  }
  return "human";
}

}  // namespace opscale::cli
