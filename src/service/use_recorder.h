// UseRecorder: writes credentials' last-used times to the store on a thread
// of its own, so that no request waits for that write (with SQLite it is a
// commit and a flush to disk: a few milliseconds that, taken on the request
// path, showed up as the p99 of row 3 in bench/README.md). Uses are queued
// by credential; a queued time is replaced by a later one, so a burst of
// uses costs one write. Writes still queued when the recorder is destroyed
// are written then. Best effort: a failed write is dropped (the index keeps
// the time; the next use after the throttle interval writes it again).
//
// Thread-safety: Record() is safe to call concurrently.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/clock.h"

namespace opscale {

class Store;

class UseRecorder {
 public:
  explicit UseRecorder(Store* store);
  ~UseRecorder();
  UseRecorder(const UseRecorder&) = delete;
  UseRecorder& operator=(const UseRecorder&) = delete;

  enum class Kind { kServiceToken, kApiToken };
  void Record(Kind kind, const std::string& id, TimeMs when);

 private:
  void WriteAll(std::map<std::pair<Kind, std::string>, TimeMs> batch);

  Store* store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<Kind, std::string>, TimeMs> pending_;  // guarded by mu_
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace opscale
