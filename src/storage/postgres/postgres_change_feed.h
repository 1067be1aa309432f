// PostgresChangeFeed: ChangeFeed over LISTEN/NOTIFY on channel
// "opscale_changes". One connection listens on a thread of its own (and
// checks itself with a query every second, so a silently dead server is
// noticed); another publishes with pg_notify(). Either reconnects on its own;
// while the listener is down the feed reports unhealthy.
//
// Thread-safety: see ChangeFeed.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "storage/change_feed.h"

namespace opscale::postgres {

class PostgresChangeFeed final : public ChangeFeed {
 public:
  explicit PostgresChangeFeed(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~PostgresChangeFeed() override;

  Status Start(NoteFn on_note, HealthFn on_health) override;
  Status Publish(const std::string& note) override;
  void Stop() override;

 private:
  void Listen();
  PGconn* Connect(const char* application_name);

  std::string conninfo_;
  NoteFn on_note_;
  HealthFn on_health_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex publish_mu_;
  PGconn* publisher_ = nullptr;
};

}  // namespace opscale::postgres
