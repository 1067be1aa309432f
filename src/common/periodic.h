// Periodic: runs `fn` every `interval` on a thread of its own, from
// construction until destruction (the destructor stops and joins it; a run
// in progress finishes first).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace opscale {

class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<void()> fn);
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace opscale
