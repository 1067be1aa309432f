// TunnelRegistry: the live `connect` tunnels of this node, by who opened them
// and what they reach, so that revoking a credential (or deleting a database
// or branch) can sever every tunnel it opened at once.
//
// Each tunnel registers a `closer` that makes its sockets fail immediately
// (RunServerTunnel's shuts both sockets down and stops its relay). Severing
// removes the entries and runs their closers under the registry's lock, so a
// closer never runs after its Unregister() returned: the tunnel may close
// its file descriptors right after Unregister() without racing a closer.
// Closers must therefore be quick (no blocking I/O) and must not call back
// into the registry.
//
// Severing only closes sockets: the returned engine user names let the
// caller also kill those users' database sessions (a query already running
// in MariaDB is not stopped by a closed socket alone).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace opscale::tunnel {

struct TunnelInfo {
  std::string principal_id;     // the token/user that opened the tunnel
  std::string org_id;
  std::string database_id;
  std::string branch_name;
  std::string engine_username;  // the MariaDB account the tunnel logs in as
  std::string remote_ip;        // the CLI's address, for listings
  std::chrono::system_clock::time_point opened_at{};  // Register sets it when unset
};

using TunnelId = uint64_t;

struct SeverResult {
  int count = 0;  // tunnels severed
  // Distinct engine user names of those tunnels (sorted; empty names left out).
  std::vector<std::string> engine_usernames;
};

class TunnelRegistry {
 public:
  TunnelRegistry() = default;
  TunnelRegistry(const TunnelRegistry&) = delete;
  TunnelRegistry& operator=(const TunnelRegistry&) = delete;

  // Adds a live tunnel; ids are never reused.
  TunnelId Register(TunnelInfo info, std::function<void()> closer);
  // Removes it (no-op when already severed or unknown). After return its
  // closer will not be called.
  void Unregister(TunnelId id);

  SeverResult SeverByPrincipal(const std::string& principal_id);
  SeverResult SeverByDatabase(const std::string& database_id);
  SeverResult SeverByBranch(const std::string& database_id, const std::string& branch_name);
  SeverResult SeverByEngineUser(const std::string& engine_username);
  // Severs every tunnel for which `predicate` is true (called under the
  // lock: it must not call into the registry).
  SeverResult SeverIf(const std::function<bool(const TunnelInfo&)>& predicate);
  SeverResult SeverAll();

  size_t Count() const;
  std::vector<TunnelInfo> List() const;

 private:
  struct Entry {
    TunnelInfo info;
    std::function<void()> closer;
  };
  mutable std::mutex mu_;
  TunnelId next_id_ = 1;             // guarded by mu_
  std::map<TunnelId, Entry> live_;  // guarded by mu_
};

}  // namespace opscale::tunnel
