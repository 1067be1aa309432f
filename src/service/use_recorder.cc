#include "service/use_recorder.h"

#include "storage/store.h"

namespace opscale {

UseRecorder::UseRecorder(Store* store) : store_(store) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !pending_.empty(); });
      auto batch = std::move(pending_);
      pending_.clear();
      const bool stop = stop_;
      lock.unlock();
      WriteAll(std::move(batch));
      if (stop) return;
      lock.lock();
    }
  });
}

UseRecorder::~UseRecorder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void UseRecorder::Record(Kind kind, const std::string& id, TimeMs when) {
  {
    std::lock_guard lock(mu_);
    TimeMs& t = pending_[{kind, id}];
    if (when > t) t = when;
  }
  cv_.notify_one();
}

void UseRecorder::WriteAll(std::map<std::pair<Kind, std::string>, TimeMs> batch) {
  for (const auto& [key, when] : batch) {
    if (key.first == Kind::kServiceToken) {
      (void)store_->TouchServiceToken(key.second, when);
    } else {
      (void)store_->TouchApiToken(key.second, when);
    }
  }
}

}  // namespace opscale
