// StoreHealth: whether this server may answer requests, given the state of
// its store (DESIGN "fail closed": could not decide is not yes).
//
// Many answers come from memory (the credential index, the metadata cache),
// so a store that is deleted, replaced, damaged, unreadable or unreachable
// under a running server could otherwise keep answering 200 with what it
// remembers. The rule: Store::CheckHealth() is asked every 250 ms by the
// store watcher (ExternalChangeWatch) and after any request that failed with
// 500 or 503; while it fails, the API refuses every request that could
// grant access (/v1, /oauth, /auth, /healthz) with 503, the API's error body
// and Retry-After. It heals by itself: the first probe that passes again
// reloads the index from the store and lets requests through.
// Transitions are logged with the reason; callers only see "unavailable".
//
// Thread-safety: healthy() is lock-free; probes are serialized.
#pragma once

#include <atomic>
#include <mutex>

#include "common/clock.h"
#include "storage/store.h"

namespace opscale {

class StoreHealth {
 public:
  explicit StoreHealth(Store* store) : store_(store) {}

  // The outcome of the last probe (true before the first).
  bool healthy() const { return healthy_.load(std::memory_order_acquire); }
  // Asks the store now, records and returns the outcome (true: healthy).
  // `healed`, if given, is set when this probe ended an unhealthy spell.
  bool Probe(bool* healed = nullptr);
  // Probe() unless one ran in the last 10 ms (then its outcome): for the
  // request path, so a flood of failing requests costs few probes.
  bool ProbeSoon();
  // Records a failure found elsewhere (e.g. the index reload after healing).
  void MarkUnhealthy(const Status& why);

 private:
  void Record(const Status& st, bool* healed);

  Store* store_;
  std::atomic<bool> healthy_{true};
  std::atomic<TimeMs> last_probe_ms_{0};
  std::mutex probe_mu_;
};

}  // namespace opscale
