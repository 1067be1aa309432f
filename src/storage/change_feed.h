// ChangeFeed: notes between the opscaled nodes that share one store, so that
// each node's in-memory credential index follows every other node's writes
// (SPEC §2: several nodes behave as one). PostgreSQL carries them with
// LISTEN/NOTIFY; a SQLite store has no feed (one node; other processes are
// noticed through Store::ExternalChangeVersion).
//
// Thread-safety: Publish may be called from any thread; the callbacks run on
// the feed's own thread, one at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"

namespace opscale {

class ChangeFeed {
 public:
  using NoteFn = std::function<void(const std::string& note)>;
  using HealthFn = std::function<void(bool connected)>;

  virtual ~ChangeFeed() = default;
  // Starts listening. `on_note` gets every note published by any node (this
  // one included); `on_health(false)` when the feed lost its connection (notes
  // may have been missed), `on_health(true)` once it listens again.
  virtual Status Start(NoteFn on_note, HealthFn on_health) = 0;
  // Sends a note (at most 7900 bytes) to every listening node.
  virtual Status Publish(const std::string& note) = 0;
  // Stops the thread; no callback runs after it returns.
  virtual void Stop() = 0;
};

// The feed of a store spec: nullptr for SQLite, a LISTEN/NOTIFY feed for
// postgres:// URLs.
Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const std::string& store_spec);

}  // namespace opscale
