#include "cli/humanize.h"

#include <array>
#include <vector>

#include <fmt/format.h>

namespace opscale::cli {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kWeek = 7 * kDay;
constexpr int64_t kMonth = 30 * kDay;
constexpr int64_t kYear = 12 * kMonth;
constexpr int64_t kLongTime = 37 * kYear;

struct Magnitude {
  int64_t below;       // applies when the difference is < below
  const char* format;  // {0} = count, {1} = " ago" / " from now" (empty for "now")
  int64_t divide_by;
};

constexpr std::array<Magnitude, 16> kMagnitudes = {{
    {kSecond, "now", 1},
    {2 * kSecond, "1 second{1}", 1},
    {kMinute, "{0} seconds{1}", kSecond},
    {2 * kMinute, "1 minute{1}", 1},
    {kHour, "{0} minutes{1}", kMinute},
    {2 * kHour, "1 hour{1}", 1},
    {kDay, "{0} hours{1}", kHour},
    {2 * kDay, "1 day{1}", 1},
    {kWeek, "{0} days{1}", kDay},
    {2 * kWeek, "1 week{1}", 1},
    {kMonth, "{0} weeks{1}", kWeek},
    {2 * kMonth, "1 month{1}", 1},
    {kYear, "{0} months{1}", kMonth},
    {18 * kMonth, "1 year{1}", 1},
    {2 * kYear, "2 years{1}", 1},
    {kLongTime, "{0} years{1}", kYear},
}};

}  // namespace

std::string RelativeTime(TimeMs then, TimeMs now) {
  TimeMs then_s = (then / 1000) * 1000;
  if (then < 0 && then % 1000 != 0) then_s -= 1000;
  int64_t diff = now - then_s;
  const char* label = " ago";
  if (then_s > now) {
    diff = then_s - now;
    label = " from now";
  }
  for (const auto& m : kMagnitudes) {
    if (diff < m.below) return fmt::format(fmt::runtime(m.format), diff / m.divide_by, label);
  }
  return std::string("a long while") + label;
}

std::string TimeCell(int64_t epoch_ms, TimeMs now) {
  if (epoch_ms <= 0) return "";
  return RelativeTime(epoch_ms, now);
}

std::string NumberCell(int64_t n) {
  if (n < 1000 && n > -1000) return std::to_string(n);
  bool negative = n < 0;
  uint64_t v = negative ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
  std::vector<uint64_t> groups;  // most significant first
  while (v > 0) {
    groups.insert(groups.begin(), v % 1000);
    v /= 1000;
  }
  static constexpr std::array<const char*, 5> kSuffix = {"", "K", "M", "B", "T"};
  size_t idx = groups.size() - 1;
  const char* suffix = idx < kSuffix.size() ? kSuffix[idx] : "T";
  std::string second = std::to_string(groups[1]);
  return fmt::format("{}{}.{}{}", negative ? "-" : "", groups[0], second[0], suffix);
}

}  // namespace opscale::cli
