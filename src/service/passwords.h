// Branch passwords (SPEC §5, data-plane-facts §1): each password is one real
// MariaDB account on its branch's schema, with grants by role. The secret is
// generated here, returned once by Create and never stored (the engine keeps
// only MariaDB's own hash).
//
// Accesses (endpoint-accesses.md): list/get need any of PW-R; create, update
// and renew need connect_branch on development branches and
// connect_production_branch on production ones (or
// connect_production_read_only_branch for a reader password); delete needs
// delete_branch_password / delete_production_branch_password. A caller holding
// none of the password accesses on the database gets 404, otherwise a missing
// access is a 403 naming it.
//
// Order of effects: engine first, then store (+ audit); if the store write
// fails the engine account is dropped again.
//
// TTL: a reaper thread (StartReaper) wakes every second and drops expired
// accounts, deleting their rows with a "database_branch_password.expired"
// audit event.
//
// Thread-safety: every method is safe to call concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "domain/password.h"
#include "service/core.h"

namespace opscale {

// A password with its branch; plain_text is set only by Create.
struct PasswordView {
  Password password;
  Branch branch;
  std::string schema;  // the MariaDB schema to connect to
  std::string plain_text;
};

struct NewPassword {
  std::string name;                   // empty: "<branch>-YYYY-MM-DD-<6 chars>"
  std::string role = "admin";         // reader | writer | readwriter | admin
  std::optional<int64_t> ttl_seconds;  // 0 or absent: no expiry
};

class PasswordService {
 public:
  explicit PasswordService(ServiceCore* core) : core_(core) {}
  ~PasswordService();  // stops the reaper
  PasswordService(const PasswordService&) = delete;
  PasswordService& operator=(const PasswordService&) = delete;

  Result<std::vector<PasswordView>> List(const RequestContext& ctx, const std::string& org,
                                         const std::string& db, const std::string& branch);
  // 201 semantics: the view carries plain_text.
  Result<PasswordView> Create(const RequestContext& ctx, const std::string& org,
                              const std::string& db, const std::string& branch,
                              const NewPassword& spec);
  Result<PasswordView> Get(const RequestContext& ctx, const std::string& org,
                           const std::string& db, const std::string& branch,
                           const std::string& id);
  // Renames (the only mutable field opscale supports).
  Result<PasswordView> Update(const RequestContext& ctx, const std::string& org,
                              const std::string& db, const std::string& branch,
                              const std::string& id, const std::string& name);
  // Drops the account (killing its sessions), then the row.
  Status Delete(const RequestContext& ctx, const std::string& org, const std::string& db,
                const std::string& branch, const std::string& id);
  // expires_at = now + ttl_seconds; 422 for a password without ttl.
  Result<PasswordView> Renew(const RequestContext& ctx, const std::string& org,
                             const std::string& db, const std::string& branch,
                             const std::string& id);

  // Drops every expired password now; returns how many were dropped.
  int ReapExpired(TimeMs now);
  // Starts the 1 s reaper thread (idempotent). Stopped by StopReaper or the destructor.
  void StartReaper();
  void StopReaper();

 private:
  struct Target;
  Result<Target> Resolve(const RequestContext& ctx, const std::string& org,
                         const std::string& db, const std::string& branch);
  Result<Password> Find(const Target& t, const std::string& id);
  PasswordView View(const Target& t, Password p) const;

  ServiceCore* core_;
  std::mutex reaper_mu_;
  std::condition_variable reaper_cv_;
  bool reaper_stop_ = false;
  std::thread reaper_;
};

}  // namespace opscale
