// Human forms of times and numbers, matching what pscale's tables print (go-humanize rules).
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"

namespace opscale::cli {

// "now", "1 second ago", "5 minutes ago", "4 weeks from now", ..., "a long while ago".
// `then` is cut to whole seconds first, as pscale does; `now` keeps its milliseconds.
std::string RelativeTime(TimeMs then, TimeMs now);

// A table cell for an optional epoch-ms time: empty when the value is <= 0.
std::string TimeCell(int64_t epoch_ms, TimeMs now);

// pscale's numeric cell: values below 1000 as is; larger ones shortened ("3.6K", "1.5M").
std::string NumberCell(int64_t n);

}  // namespace opscale::cli
