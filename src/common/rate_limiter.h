// RateLimiter: at most `limit` events per `window` for each key (a client
// address, a credential id, an email), counted in memory. Used for the API's
// request budgets and for the failed sign-in and failed authentication
// throttles.
//
// Sliding-window counter: a key holds the count of its current window and of
// the previous one, and the previous count weighs in proportion to how much
// of it still overlaps the last `window`. That is two integers per key (not a
// timestamp per event), and unlike a token bucket a fresh key gets exactly
// `limit` events, never more, in its first window. A key's windows start at
// its first event, not at a wall-clock boundary.
//
// Memory is bounded: keys idle for two windows are dropped (a sweep per shard
// at most once a window), and a shard that is still full evicts an arbitrary
// key, which only forgets that key's count.
//
// The caller passes the time (so tests need no sleeps). Thread-safety: all
// methods are safe to call concurrently; keys are spread over shards with a
// mutex each, so concurrent requests rarely wait on one another.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"

namespace opscale {

// Milliseconds on a clock that never jumps, the time to give a RateLimiter:
// a wall-clock step must neither lift nor stretch a block. Not epoch-based.
TimeMs MonotonicMs();

struct RateDecision {
  bool allowed = true;
  int64_t limit = 0;          // the budget per window
  int64_t remaining = 0;      // events still allowed now (after this one, if counted)
  int64_t retry_after_s = 0;  // when refused: whole seconds until one more fits (>= 1)
};

class RateLimiter {
 public:
  // `limit` events per `window_ms`; limit <= 0 turns the limiter off (every
  // call allows, nothing is stored). `max_keys` bounds the keys held.
  RateLimiter(int64_t limit, int64_t window_ms, size_t max_keys = 100000);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  bool enabled() const { return limit_ > 0; }
  int64_t limit() const { return limit_; }
  int64_t window_ms() const { return window_ms_; }

  // Counts one event for `key` if it fits in the budget; a refused event is
  // not counted (so a client that waits as told gets through).
  RateDecision Acquire(std::string_view key, TimeMs now);
  // Counts one event whatever the budget (e.g. a failure that happened).
  void Record(std::string_view key, TimeMs now);
  // Whether one more event would fit, without counting it: allowed=false
  // once `limit` events are in the window.
  RateDecision Peek(std::string_view key, TimeMs now);
  // Forgets `key` (e.g. a successful sign-in clears its failures).
  void Forget(std::string_view key);
  // Keys currently held (for tests of the memory bound).
  size_t size() const;

 private:
  struct Entry {
    TimeMs start = 0;  // start of the current window
    int64_t prev = 0;  // events in the window before it
    int64_t curr = 0;  // events in the current window
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Entry, Hash, std::equal_to<>> keys;
    TimeMs next_sweep = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(std::string_view key);
  // The entry for `key`, inserted if absent (after a sweep if due or full).
  Entry& Get(Shard& s, std::string_view key, TimeMs now);
  void Roll(Entry& e, TimeMs now) const;
  RateDecision Decide(const Entry& e, TimeMs now) const;

  const int64_t limit_;
  const int64_t window_ms_;
  const size_t max_keys_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace opscale
