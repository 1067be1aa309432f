#include "service/cluster_sync.h"

#include <spdlog/spdlog.h>

#include <sstream>

#include "common/ids.h"

namespace opscale {

namespace {

constexpr int64_t kHelloEveryMs = 500;
constexpr int64_t kPeerLiveMs = 2000;
constexpr int64_t kAckWaitMs = 1000;

// Notes are space-separated words; ids and names never hold spaces (names
// are [a-z0-9-_] per domain/names.h), and empty fields travel as "-".
std::string Field(const std::string& s) { return s.empty() ? "-" : s; }
std::string Unfield(const std::string& s) { return s == "-" ? "" : s; }

std::string EncodeRevocation(const Revocation& r) {
  return std::to_string(static_cast<int>(r.kind)) + " " + Field(r.org_id) + " " +
         Field(r.principal_id) + " " + Field(r.database_id) + " " + Field(r.branch_name);
}

}  // namespace

ClusterSync::ClusterSync(ServiceCore* core, std::unique_ptr<ChangeFeed> feed)
    : core_(core), feed_(std::move(feed)), node_id_(NewId()) {}

ClusterSync::~ClusterSync() { Stop(); }

Status ClusterSync::Start() {
  OPSCALE_RETURN_IF_ERROR(feed_->Start([this](const std::string& n) { OnNote(n); },
                                       [this](bool ok) { OnHealth(ok); }));
  core_->set_on_committed([this](const Revocation* r) { Committed(r); });
  heartbeat_ = std::thread([this] {
    while (!stop_) {
      (void)feed_->Publish("hello " + node_id_);
      for (int i = 0; i < 5 && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(kHelloEveryMs / 5));
    }
  });
  return Status::Ok();
}

void ClusterSync::Stop() {
  if (stop_.exchange(true)) return;
  core_->set_on_committed({});
  if (heartbeat_.joinable()) heartbeat_.join();
  feed_->Stop();
}

Status ClusterSync::Gate() {
  if (healthy_) return Status::Ok();
  // Notes may have been missed: trust only what the store says right now.
  Status st = core_->ReloadIndex();
  if (!st.ok())
    return Status::Unavailable("cannot confirm credentials: the shared store is unreachable");
  return Status::Ok();
}

void ClusterSync::OnHealth(bool connected) {
  if (!connected) {
    healthy_ = false;
    spdlog::warn("change feed lost: checking every request against the store until it is back");
    return;
  }
  // Catch up on whatever was missed before trusting the cache again.
  if (core_->ReloadIndex().ok()) {
    healthy_ = true;
    spdlog::info("change feed connected (node {})", node_id_);
  }
}

void ClusterSync::OnNote(const std::string& note) {
  std::istringstream in(note);
  std::string kind, from;
  in >> kind >> from;
  if (from.empty()) return;
  TimeMs now = NowMs();
  {
    std::lock_guard lock(mu_);
    peers_[from] = now;
  }
  if (kind == "hello" || from == node_id_) return;
  if (kind == "ack") {
    std::string to;
    int64_t seq = 0;
    in >> to >> seq;
    if (to != node_id_) return;
    std::lock_guard lock(mu_);
    acks_[seq].insert(from);
    acked_cv_.notify_all();
    return;
  }
  int64_t seq = 0;
  in >> seq;
  if (kind != "change" && kind != "revoke") return;
  Status st = core_->ReloadIndex();
  if (!st.ok()) {
    // Cannot apply it: stop trusting the cache until the store answers.
    healthy_ = false;
    spdlog::warn("could not apply another node's change: {}", st.message());
    return;
  }
  if (kind == "revoke") {
    int k = 0;
    std::string org, principal, db, branch;
    in >> k >> org >> principal >> db >> branch;
    Revocation r{static_cast<Revocation::Kind>(k), Unfield(org), Unfield(principal), Unfield(db),
                 Unfield(branch), {}};
    core_->ApplyRemoteRevoke(r);
  }
  (void)feed_->Publish("ack " + node_id_ + " " + from + " " + std::to_string(seq));
}

std::vector<std::string> ClusterSync::LivePeers() {
  std::vector<std::string> out;
  TimeMs now = NowMs();
  for (const auto& [id, seen] : peers_)
    if (id != node_id_ && now - seen <= kPeerLiveMs) out.push_back(id);
  return out;
}

void ClusterSync::Committed(const Revocation* r) {
  int64_t seq;
  std::vector<std::string> waiting_for;
  {
    std::lock_guard lock(mu_);
    seq = ++seq_;
    waiting_for = LivePeers();
  }
  std::string note = (r ? "revoke " : "change ") + node_id_ + " " + std::to_string(seq);
  if (r) note += " " + EncodeRevocation(*r);
  if (!feed_->Publish(note).ok()) {
    healthy_ = false;
    return;
  }
  if (waiting_for.empty()) return;
  std::unique_lock lock(mu_);
  bool all = acked_cv_.wait_for(lock, std::chrono::milliseconds(kAckWaitMs), [&] {
    const auto& got = acks_[seq];
    for (const auto& p : waiting_for)
      if (!got.count(p)) return false;
    return true;
  });
  if (!all) spdlog::warn("a change was not confirmed by every node within {} ms", kAckWaitMs);
  acks_.erase(seq);
}

}  // namespace opscale
