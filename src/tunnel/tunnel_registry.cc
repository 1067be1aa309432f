#include "tunnel/tunnel_registry.h"

#include <algorithm>
#include <utility>

namespace opscale::tunnel {

TunnelId TunnelRegistry::Register(TunnelInfo info, std::function<void()> closer) {
  if (info.opened_at == std::chrono::system_clock::time_point{}) {
    info.opened_at = std::chrono::system_clock::now();
  }
  std::lock_guard lock(mu_);
  TunnelId id = next_id_++;
  live_.emplace(id, Entry{std::move(info), std::move(closer)});
  return id;
}

void TunnelRegistry::Unregister(TunnelId id) {
  std::lock_guard lock(mu_);
  live_.erase(id);
}

SeverResult TunnelRegistry::SeverIf(const std::function<bool(const TunnelInfo&)>& predicate) {
  SeverResult result;
  std::lock_guard lock(mu_);
  for (auto it = live_.begin(); it != live_.end();) {
    if (!predicate(it->second.info)) {
      ++it;
      continue;
    }
    // Under the lock on purpose: see the header (no closer after Unregister).
    if (it->second.closer) {
      try {
        it->second.closer();
      } catch (...) {
        // A closer that throws still counts as severed: its entry goes.
      }
    }
    ++result.count;
    if (!it->second.info.engine_username.empty()) {
      result.engine_usernames.push_back(it->second.info.engine_username);
    }
    it = live_.erase(it);
  }
  std::sort(result.engine_usernames.begin(), result.engine_usernames.end());
  result.engine_usernames.erase(
      std::unique(result.engine_usernames.begin(), result.engine_usernames.end()),
      result.engine_usernames.end());
  return result;
}

SeverResult TunnelRegistry::SeverByPrincipal(const std::string& principal_id) {
  return SeverIf([&](const TunnelInfo& t) { return t.principal_id == principal_id; });
}

SeverResult TunnelRegistry::SeverByDatabase(const std::string& database_id) {
  return SeverIf([&](const TunnelInfo& t) { return t.database_id == database_id; });
}

SeverResult TunnelRegistry::SeverByBranch(const std::string& database_id,
                                          const std::string& branch_name) {
  return SeverIf([&](const TunnelInfo& t) {
    return t.database_id == database_id && t.branch_name == branch_name;
  });
}

SeverResult TunnelRegistry::SeverByEngineUser(const std::string& engine_username) {
  return SeverIf([&](const TunnelInfo& t) { return t.engine_username == engine_username; });
}

SeverResult TunnelRegistry::SeverAll() {
  return SeverIf([](const TunnelInfo&) { return true; });
}

size_t TunnelRegistry::Count() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

std::vector<TunnelInfo> TunnelRegistry::List() const {
  std::lock_guard lock(mu_);
  std::vector<TunnelInfo> out;
  out.reserve(live_.size());
  for (const auto& [id, entry] : live_) out.push_back(entry.info);
  return out;
}

}  // namespace opscale::tunnel
