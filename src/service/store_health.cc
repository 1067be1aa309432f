#include "service/store_health.h"

#include <spdlog/spdlog.h>

namespace opscale {

bool StoreHealth::Probe(bool* healed) {
  std::lock_guard lock(probe_mu_);
  last_probe_ms_.store(NowMs(), std::memory_order_relaxed);
  Record(store_->CheckHealth(), healed);
  return healthy();
}

bool StoreHealth::ProbeSoon() {
  TimeMs last = last_probe_ms_.load(std::memory_order_relaxed);
  if (NowMs() - last < 10) return healthy();
  return Probe();
}

void StoreHealth::MarkUnhealthy(const Status& why) {
  std::lock_guard lock(probe_mu_);
  Record(why.ok() ? Status::Unavailable("unknown store failure") : why, nullptr);
}

void StoreHealth::Record(const Status& st, bool* healed) {
  const bool was = healthy_.load(std::memory_order_acquire);
  if (healed) *healed = st.ok() && !was;
  if (st.ok() == was) return;
  if (st.ok()) {
    spdlog::warn("the store answers again: serving requests");
  } else {
    spdlog::error("the store is unavailable, refusing every request with 503 until it is back: {}",
                  st.message());
  }
  healthy_.store(st.ok(), std::memory_order_release);
}

}  // namespace opscale
