#include "common/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace opscale {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr TimeMs kT0 = 1'000'000;

TEST(RateLimiterTest, AFreshKeyGetsExactlyTheLimitInItsFirstWindow) {
  RateLimiter rl(600, kMinute);
  for (int i = 0; i < 600; ++i) {
    RateDecision d = rl.Acquire("token:a", kT0 + i * 10);
    ASSERT_TRUE(d.allowed) << "request " << i + 1;
    EXPECT_EQ(d.limit, 600);
    EXPECT_EQ(d.remaining, 599 - i);
  }
  RateDecision d = rl.Acquire("token:a", kT0 + 6000);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  // The whole window's count fades in the next window: the first slot opens
  // when 1/600 of it is gone, 100 ms into it.
  EXPECT_EQ(d.retry_after_s, (kT0 + kMinute + 100 - (kT0 + 6000) + 999) / 1000);
}

TEST(RateLimiterTest, ARefusedRequestIsNotCountedAndTheClientGetsInWhenTold) {
  RateLimiter rl(3, kMinute);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rl.Acquire("k", kT0).allowed);
  RateDecision refused = rl.Acquire("k", kT0 + 1000);
  ASSERT_FALSE(refused.allowed);
  ASSERT_GE(refused.retry_after_s, 1);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(rl.Acquire("k", kT0 + 1000).allowed);
  TimeMs told = kT0 + 1000 + refused.retry_after_s * 1000;
  EXPECT_FALSE(rl.Acquire("k", told - 1000).allowed);
  EXPECT_TRUE(rl.Acquire("k", told).allowed);
}

TEST(RateLimiterTest, RetryAfterIsAtLeastOneSecond) {
  RateLimiter rl(2, 500);  // a window shorter than a second
  ASSERT_TRUE(rl.Acquire("k", kT0).allowed);
  ASSERT_TRUE(rl.Acquire("k", kT0).allowed);
  RateDecision d = rl.Acquire("k", kT0 + 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 1);
}

TEST(RateLimiterTest, KeysHaveSeparateBudgets) {
  RateLimiter rl(2, kMinute);
  EXPECT_TRUE(rl.Acquire("address:10.0.0.1", kT0).allowed);
  EXPECT_TRUE(rl.Acquire("address:10.0.0.1", kT0).allowed);
  EXPECT_FALSE(rl.Acquire("address:10.0.0.1", kT0).allowed);
  EXPECT_TRUE(rl.Acquire("address:10.0.0.2", kT0).allowed);
  EXPECT_TRUE(rl.Acquire("token:x", kT0).allowed);
}

TEST(RateLimiterTest, TheSlidingWindowNeverAdmitsTwiceTheLimitAcrossABoundary) {
  // A fixed window would let 2x the limit through around its boundary.
  // A key whose window started at kT0 spends its budget at the end of it,
  // then asks again just after the boundary.
  RateLimiter rl2(100, kMinute);
  ASSERT_TRUE(rl2.Acquire("k", kT0).allowed);
  for (int i = 0; i < 99; ++i) ASSERT_TRUE(rl2.Acquire("k", kT0 + 59'000).allowed);
  int admitted = 0;
  for (int i = 0; i < 200; ++i) admitted += rl2.Acquire("k", kT0 + 61'000).allowed ? 1 : 0;
  // At 61 s, 59/60 of the previous 100 still count: 1 more fits, not 100.
  EXPECT_EQ(admitted, 1);
}

TEST(RateLimiterTest, TheBudgetRecoversGraduallyThenFully) {
  RateLimiter rl(60, kMinute);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(rl.Acquire("k", kT0).allowed);
  EXPECT_FALSE(rl.Acquire("k", kT0 + 59'999).allowed);
  // Half-way through the next window, half of the old count has faded.
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += rl.Acquire("k", kT0 + 90'000).allowed ? 1 : 0;
  EXPECT_EQ(admitted, 30);
  // Two idle windows later the key starts afresh.
  admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += rl.Acquire("k", kT0 + 300'000).allowed ? 1 : 0;
  EXPECT_EQ(admitted, 60);
}

TEST(RateLimiterTest, PeekAndRecordCountFailuresWithoutAdmitting) {
  RateLimiter failures(3, kMinute);
  EXPECT_TRUE(failures.Peek("ip:1", kT0).allowed);
  EXPECT_EQ(failures.size(), 0u) << "Peek of an unknown key stores nothing";
  failures.Record("ip:1", kT0);
  failures.Record("ip:1", kT0);
  EXPECT_TRUE(failures.Peek("ip:1", kT0).allowed);
  failures.Record("ip:1", kT0);
  RateDecision d = failures.Peek("ip:1", kT0 + 5000);
  EXPECT_FALSE(d.allowed);
  EXPECT_GE(d.retry_after_s, 1);
  EXPECT_FALSE(failures.Peek("ip:1", kT0 + 5000).allowed) << "Peek does not count";
  failures.Forget("ip:1");
  EXPECT_TRUE(failures.Peek("ip:1", kT0 + 5000).allowed);
}

TEST(RateLimiterTest, RecordKeepsCountingPastTheLimit) {
  RateLimiter rl(2, kMinute);
  for (int i = 0; i < 10; ++i) rl.Record("k", kT0);
  // 10 in the window: the next window must fade to below 2, 9/10 of it.
  RateDecision d = rl.Peek("k", kT0 + 1000);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, (kMinute + kMinute * 9 / 10 - 1000 + 999) / 1000);
  EXPECT_FALSE(rl.Peek("k", kT0 + kMinute + kMinute * 9 / 10 - 1).allowed);
  EXPECT_TRUE(rl.Peek("k", kT0 + kMinute + kMinute * 9 / 10).allowed);
}

TEST(RateLimiterTest, ZeroMeansOff) {
  RateLimiter rl(0, kMinute);
  EXPECT_FALSE(rl.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(rl.Acquire("k", kT0).allowed);
  rl.Record("k", kT0);
  EXPECT_TRUE(rl.Peek("k", kT0).allowed);
  EXPECT_EQ(rl.size(), 0u);
}

TEST(RateLimiterTest, IdleKeysAreDroppedAndMemoryIsBounded) {
  RateLimiter rl(5, kMinute, /*max_keys=*/160);
  for (int i = 0; i < 10000; ++i) rl.Acquire("address:" + std::to_string(i), kT0);
  EXPECT_LE(rl.size(), 160u);
  // Keys idle for two windows go at the next sweep.
  for (int i = 0; i < 64; ++i) rl.Acquire("later:" + std::to_string(i), kT0 + 3 * kMinute);
  EXPECT_EQ(rl.size(), 64u);
}

TEST(RateLimiterTest, ConcurrentAcquiresNeverAdmitMoreThanTheLimit) {
  RateLimiter rl(1000, kMinute);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) admitted += rl.Acquire("token:shared", kT0).allowed ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1000);
}

}  // namespace
}  // namespace opscale
