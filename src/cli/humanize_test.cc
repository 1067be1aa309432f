#include "cli/humanize.h"

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

constexpr int64_t kS = 1000;
constexpr int64_t kD = 86400 * kS;
constexpr TimeMs kNow = 1'700'000'000'000;  // whole seconds

std::string Ago(int64_t diff_ms) {
  return RelativeTime(kNow - diff_ms, kNow);
}

TEST(HumanizeTest, Boundaries) {
  EXPECT_EQ(Ago(0), "now");
  EXPECT_EQ(Ago(999), "1 second ago");  // `then` is cut to whole seconds first
  EXPECT_EQ(Ago(1 * kS), "1 second ago");
  EXPECT_EQ(Ago(2 * kS), "2 seconds ago");
  EXPECT_EQ(Ago(59 * kS), "59 seconds ago");
  EXPECT_EQ(Ago(60 * kS), "1 minute ago");
  EXPECT_EQ(Ago(119 * kS), "1 minute ago");
  EXPECT_EQ(Ago(120 * kS), "2 minutes ago");
  EXPECT_EQ(Ago(5 * 60 * kS), "5 minutes ago");
  EXPECT_EQ(Ago(3599 * kS), "59 minutes ago");
  EXPECT_EQ(Ago(3600 * kS), "1 hour ago");
  EXPECT_EQ(Ago(7199 * kS), "1 hour ago");
  EXPECT_EQ(Ago(7200 * kS), "2 hours ago");
  EXPECT_EQ(Ago(kD - kS), "23 hours ago");
  EXPECT_EQ(Ago(kD), "1 day ago");
  EXPECT_EQ(Ago(2 * kD), "2 days ago");
  EXPECT_EQ(Ago(7 * kD - kS), "6 days ago");
  EXPECT_EQ(Ago(7 * kD), "1 week ago");
  EXPECT_EQ(Ago(14 * kD - kS), "1 week ago");
  EXPECT_EQ(Ago(14 * kD), "2 weeks ago");
  EXPECT_EQ(Ago(30 * kD - kS), "4 weeks ago");
  EXPECT_EQ(Ago(30 * kD), "1 month ago");
  EXPECT_EQ(Ago(60 * kD - kS), "1 month ago");
  EXPECT_EQ(Ago(60 * kD), "2 months ago");
  EXPECT_EQ(Ago(360 * kD - kS), "11 months ago");
  EXPECT_EQ(Ago(360 * kD), "1 year ago");
  EXPECT_EQ(Ago(540 * kD - kS), "1 year ago");
  EXPECT_EQ(Ago(540 * kD), "2 years ago");
  EXPECT_EQ(Ago(720 * kD - kS), "2 years ago");
  EXPECT_EQ(Ago(720 * kD), "2 years ago");
  EXPECT_EQ(Ago(37 * 360 * kD - kS), "36 years ago");
  EXPECT_EQ(Ago(37 * 360 * kD), "a long while ago");
}

TEST(HumanizeTest, FutureTimes) {
  EXPECT_EQ(RelativeTime(kNow + 28 * kD, kNow), "4 weeks from now");
  EXPECT_EQ(RelativeTime(kNow + 90 * kS, kNow), "1 minute from now");
  EXPECT_EQ(RelativeTime(kNow + 500, kNow), "now");
}

TEST(HumanizeTest, NowWithMillisecondsAgainstWholeSeconds) {
  // `now` keeps its milliseconds: 1.5 s after a whole second is "1 second ago".
  EXPECT_EQ(RelativeTime(kNow, kNow + 1500), "1 second ago");
  EXPECT_EQ(RelativeTime(kNow + 700, kNow + 900), "now");
}

TEST(HumanizeTest, TimeCellBlankForZero) {
  EXPECT_EQ(TimeCell(0, kNow), "");
  EXPECT_EQ(TimeCell(-5, kNow), "");
  EXPECT_EQ(TimeCell(kNow - 3 * kD, kNow), "3 days ago");
}

TEST(HumanizeTest, NumberCells) {
  EXPECT_EQ(NumberCell(0), "0");
  EXPECT_EQ(NumberCell(999), "999");
  EXPECT_EQ(NumberCell(3600), "3.6K");
  EXPECT_EQ(NumberCell(3299), "3.2K");
  EXPECT_EQ(NumberCell(1005), "1.5K");
  EXPECT_EQ(NumberCell(1500000), "1.5M");
  EXPECT_EQ(NumberCell(2000000000), "2.0B");
}

}  // namespace
}  // namespace opscale::cli
