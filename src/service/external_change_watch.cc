#include "service/external_change_watch.h"

#include "service/core.h"

namespace opscale {

ExternalChangeWatch::ExternalChangeWatch(ServiceCore* core, std::chrono::milliseconds interval)
    : core_(core), interval_(interval) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      (void)core_->RefreshIfChangedExternally();
      lock.lock();
    }
  });
}

ExternalChangeWatch::~ExternalChangeWatch() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace opscale
