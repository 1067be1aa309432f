// TunnelHost: owns this node's live connect tunnels: their registry and the
// threads relaying them (one per tunnel, never an HTTP worker). Destruction
// severs every tunnel and waits for the threads to finish.
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "tunnel/tunnel_registry.h"

namespace opscale::api {

class TunnelHost {
 public:
  TunnelHost() = default;
  ~TunnelHost() {
    registry_.SeverAll();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return live_ == 0; });
  }
  tunnel::TunnelRegistry& registry() { return registry_; }

  // Runs `fn` (a whole tunnel's life) on its own thread.
  void Spawn(std::function<void()> fn) {
    {
      std::lock_guard lock(mu_);
      ++live_;
    }
    std::thread([this, fn = std::move(fn)] {
      fn();
      std::lock_guard lock(mu_);
      --live_;
      cv_.notify_all();
    }).detach();
  }

 private:
  tunnel::TunnelRegistry registry_;
  std::mutex mu_;
  std::condition_variable cv_;
  int live_ = 0;
};

}  // namespace opscale::api
