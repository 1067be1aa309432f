// Branch modes: safe migrations on/off, promote to production, demote to
// development (data-plane-facts §2). Each returns the updated branch.
//
// Whether a branch's admin passwords may run DDL follows
// !(production && safe_migrations); when a change flips it, every admin
// password of the branch is granted or revoked its DDL privileges in the
// engine (revoking also ends its sessions) before the store is written.
//
// Accesses: safe migrations need write_database (the public API states none;
// it changes what production passwords may do, so a database-settings access);
// promote needs promote_branches or connect_production_branch; demote needs
// demote_branches or connect_production_branch. Callers who cannot see the
// branch get 404. Demoting the last production branch is a 422.
//
// Thread-safety: safe to call concurrently.
#pragma once

#include <string>

#include "service/core.h"

namespace opscale {

class BranchModeService {
 public:
  explicit BranchModeService(ServiceCore* core) : core_(core) {}

  Result<Branch> SetSafeMigrations(const RequestContext& ctx, const std::string& org,
                                   const std::string& db, const std::string& branch, bool enabled);
  Result<Branch> SetProduction(const RequestContext& ctx, const std::string& org,
                               const std::string& db, const std::string& branch, bool production);

 private:
  // Applies `updated` (same id as `current`) with the given audit action.
  Result<Branch> Apply(const RequestContext& ctx, const Database& db, const Branch& current,
                       Branch updated, const std::string& action);

  ServiceCore* core_;
};

}  // namespace opscale
