// Output format selected by -f/--format (or PLANETSCALE_FORMAT). Thread-safe (values only).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace opscale::cli {

enum class Format { kHuman, kJson, kCsv };

// Parses "human", "json" or "csv". On failure the Status message is pscale's exact text:
// invalid argument "x" for "-f, --format" flag: failed to parse Format: "x". Valid values: [...]
Result<Format> ParseFormat(std::string_view text);

const char* FormatName(Format f);

}  // namespace opscale::cli
