#include "common/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace opscale {

TimeMs MonotonicMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

RateLimiter::RateLimiter(int64_t limit, int64_t window_ms, size_t max_keys)
    : limit_(std::max<int64_t>(0, limit)),
      window_ms_(std::max<int64_t>(1, window_ms)),
      max_keys_per_shard_(std::max<size_t>(1, max_keys / kShards)) {}

RateLimiter::Shard& RateLimiter::ShardFor(std::string_view key) {
  return shards_[Hash{}(key) % kShards];
}

void RateLimiter::Roll(Entry& e, TimeMs now) const {
  if (now < e.start + window_ms_) return;
  if (now < e.start + 2 * window_ms_) {
    e.prev = e.curr;
    e.start += window_ms_;
  } else {
    e.prev = 0;
    e.start = now;  // idle for a whole window: start afresh at this event
  }
  e.curr = 0;
}

// Events "in the last window" = prev * (W - elapsed) / W + curr. Everything
// is kept multiplied by W to stay in integers.
RateDecision RateLimiter::Decide(const Entry& e, TimeMs now) const {
  const int64_t w = window_ms_;
  const int64_t elapsed = std::clamp<int64_t>(now - e.start, 0, w - 1);
  const int64_t used_w = e.prev * (w - elapsed) + e.curr * w;
  RateDecision d;
  d.limit = limit_;
  d.allowed = used_w + w <= limit_ * w;
  d.remaining = std::max<int64_t>(0, (limit_ * w - used_w) / w);
  if (d.allowed) return d;
  // The first moment one more event fits: later in this window as the
  // previous count fades, or else in the next window, where this window's
  // count becomes the fading one.
  TimeMs at;
  const int64_t room = limit_ - 1;
  if (e.curr <= room && e.prev > 0 && w - (room - e.curr) * w / e.prev < w) {
    at = e.start + w - (room - e.curr) * w / e.prev;
  } else {
    // An empty or small current window lets the next one start open.
    at = e.start + w + (e.curr == 0 ? 0 : std::max<int64_t>(0, w - room * w / e.curr));
  }
  d.retry_after_s = std::max<int64_t>(1, (at - now + 999) / 1000);
  return d;
}

RateLimiter::Entry& RateLimiter::Get(Shard& s, std::string_view key, TimeMs now) {
  auto it = s.keys.find(key);
  if (it != s.keys.end()) {
    Roll(it->second, now);
    return it->second;
  }
  if (now >= s.next_sweep) {
    // Idle for two windows: its counts are zero, the same as absent.
    std::erase_if(s.keys, [&](const auto& kv) { return now >= kv.second.start + 2 * window_ms_; });
    s.next_sweep = now + window_ms_;
  }
  // Still full (a flood of new keys): forget one, in O(1), rather than scan
  // the shard on every new key.
  while (s.keys.size() >= max_keys_per_shard_) s.keys.erase(s.keys.begin());
  return s.keys.emplace(std::string(key), Entry{now, 0, 0}).first->second;
}

RateDecision RateLimiter::Acquire(std::string_view key, TimeMs now) {
  if (!enabled()) return RateDecision{};
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  Entry& e = Get(s, key, now);
  RateDecision d = Decide(e, now);
  if (d.allowed) {
    ++e.curr;
    d.remaining = std::max<int64_t>(0, d.remaining - 1);
  }
  return d;
}

void RateLimiter::Record(std::string_view key, TimeMs now) {
  if (!enabled()) return;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  ++Get(s, key, now).curr;
}

RateDecision RateLimiter::Peek(std::string_view key, TimeMs now) {
  if (!enabled()) return RateDecision{};
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto it = s.keys.find(key);
  if (it == s.keys.end()) return RateDecision{true, limit_, limit_, 0};
  Roll(it->second, now);
  return Decide(it->second, now);
}

void RateLimiter::Forget(std::string_view key) {
  if (!enabled()) return;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  if (auto it = s.keys.find(key); it != s.keys.end()) s.keys.erase(it);
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.keys.size();
  }
  return n;
}

}  // namespace opscale
