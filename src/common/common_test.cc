#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/periodic.h"
#include "common/status.h"

namespace opscale {
namespace {

TEST(StatusTest, MapsCodesToHttpAndNames) {
  EXPECT_EQ(Status::NotFound().HttpStatus(), 404);
  EXPECT_STREQ(Status::NotFound().CodeName(), "not_found");
  EXPECT_EQ(Status::Unauthenticated("x").HttpStatus(), 401);
  EXPECT_STREQ(Status::Unauthenticated("x").CodeName(), "unauthorized");
  EXPECT_EQ(Status::Unprocessable("x").HttpStatus(), 422);
  EXPECT_TRUE(Status::Ok().ok());
}

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument("odd");
  return v / 2;
}

Status UseHalf(int v, int* out) {
  OPSCALE_ASSIGN_OR_RETURN(int h, Half(v));
  *out = h;
  return Status::Ok();
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  int out = 0;
  EXPECT_TRUE(UseHalf(4, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(UseHalf(3, &out).code(), Code::kInvalidArgument);
}

TEST(IdsTest, NewIdShape) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = NewId();
    ASSERT_EQ(id.size(), 12u);
    for (char c : id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(IdsTest, ForkedChildDoesNotRepeatTheParentsIds) {
  (void)NewId();  // fills this thread's buffer
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string id = NewId();
    _exit(::write(fds[1], id.data(), id.size()) == 12 ? 0 : 1);
  }
  ::close(fds[1]);
  char buf[12];
  ASSERT_EQ(::read(fds[0], buf, sizeof buf), 12);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_NE(std::string(buf, sizeof buf), NewId());
}

TEST(CryptoTest, HmacKnownAnswer) {
  // RFC 4231 test case 2.
  EXPECT_EQ(crypto::Hex(crypto::HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(crypto::ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(crypto::ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(crypto::ConstantTimeEqual("abc", "abcd"));
}

TEST(ClockTest, FormatAndParseRoundTrip) {
  EXPECT_EQ(FormatTime(1610619563000), "2021-01-14T10:19:23.000Z");
  EXPECT_EQ(ParseTime("2021-01-14T10:19:23.000Z").value(), 1610619563000);
  EXPECT_EQ(ParseTime("2021-01-14T10:19:23Z").value(), 1610619563000);
  EXPECT_FALSE(ParseTime("yesterday").has_value());
  TimeMs now = NowMs();
  EXPECT_EQ(ParseTime(FormatTime(now)).value(), now);
}

TEST(ClockTest, FormatTimeMatchesStrftimeOverTheWholeRange) {
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTime(253402300799999), "9999-12-31T23:59:59.999Z");
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    TimeMs t = static_cast<TimeMs>(rng() % 253402300800000ull) - 62135596800000;  // years 1..9999
    time_t secs = static_cast<time_t>(t / 1000);
    int ms = static_cast<int>(t % 1000);
    if (ms < 0) ms += 1000, --secs;
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char expect[48];
    std::snprintf(expect, sizeof expect, "%s.%03dZ", buf, ms);
    if (tm.tm_year + 1900 < 1000) {  // strftime does not pad %Y
      std::snprintf(expect, sizeof expect, "%04d%s.%03dZ", tm.tm_year + 1900, buf + std::strcspn(buf, "-"), ms);
    }
    ASSERT_EQ(FormatTime(t), expect) << t;
  }
}

}  // namespace
}  // namespace opscale

namespace opscale {
namespace {

TEST(PeriodicTest, RunsUntilDestroyed) {
  std::atomic<int> runs{0};
  {
    Periodic p(std::chrono::milliseconds(5), [&] { ++runs; });
    while (runs < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int after = runs;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(runs, after);  // no run once the destructor returned
}

}  // namespace
}  // namespace opscale
