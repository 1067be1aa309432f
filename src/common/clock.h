// Wall-clock time as milliseconds since the Unix epoch, and its RFC 3339 form.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opscale {

using TimeMs = int64_t;

TimeMs NowMs();

// "2021-01-14T10:19:23.000Z" (UTC, millisecond precision, as the public API).
std::string FormatTime(TimeMs t);

// Parses the format above (fraction optional). nullopt on malformed input.
std::optional<TimeMs> ParseTime(std::string_view s);

}  // namespace opscale
