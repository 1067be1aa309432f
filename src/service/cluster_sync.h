// ClusterSync: keeps this node's in-memory credential index in step with the
// other opscaled nodes on the same PostgreSQL (SPEC §2, §3 "revocation is
// immediate ... on every node").
//
// After every committed write this node publishes a note on the store's
// ChangeFeed; every other node reloads its index (and, for a revocation,
// closes the tunnels and engine sessions it holds for it), then answers
// with an ack. The writer waits for the acks of every live node (a node is
// live if it said hello within the last 2 s) for at most 1 s before its
// request returns, so a token deleted on one node is refused by the next
// request on any healthy node.
//
// Fail closed: while the feed is disconnected (notes may be lost), Gate()
// reloads the index from the store before each request and refuses with 503
// if the store cannot be read; when the feed is back, the index is reloaded
// once and the cache is trusted again.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "service/core.h"
#include "storage/change_feed.h"

namespace opscale {

class ClusterSync {
 public:
  ClusterSync(ServiceCore* core, std::unique_ptr<ChangeFeed> feed);
  ~ClusterSync();

  // Starts the feed and the heartbeat, and hooks into the core.
  Status Start();
  void Stop();

  // Before each authentication: Ok when the index may be trusted.
  Status Gate();

  const std::string& node_id() const { return node_id_; }
  bool healthy() const { return healthy_; }

 private:
  void OnNote(const std::string& note);
  void OnHealth(bool connected);
  void Committed(const Revocation* r);
  std::vector<std::string> LivePeers();

  ServiceCore* core_;
  std::unique_ptr<ChangeFeed> feed_;
  std::string node_id_;
  std::atomic<bool> healthy_{false};
  std::atomic<bool> stop_{false};
  std::thread heartbeat_;

  std::mutex mu_;
  std::condition_variable acked_cv_;
  std::map<std::string, TimeMs> peers_;               // node id -> last hello
  std::map<int64_t, std::set<std::string>> acks_;     // our seq -> nodes that applied it
  int64_t seq_ = 0;
};

}  // namespace opscale
