#include "service/branch_modes.h"

#include <vector>

namespace opscale {

namespace {

bool DdlAllowed(const Branch& b) { return !(b.production && b.safe_migrations); }

struct Resolved {
  Database db;
  Branch branch;
  Resource res;
};

// 404 unless the caller holds a branch-read access or one of `any`; then 403
// naming `named` unless it holds one of `any`.
Result<Resolved> ResolveFor(ServiceCore& core, const RequestContext& ctx, const std::string& org,
                            const std::string& db, const std::string& branch, AccessSet any,
                            Access named) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core.ResolveDatabase(ctx, org, db));
  AccessSet held = Authorizer::Held(ctx.principal, resolved.second);
  if (!held.HasAny(BranchReadSet().Union(any))) return Status::NotFound();
  auto b = core.GetBranch(resolved.first.id, branch);
  if (!b.ok()) {
    if (b.status().code() == Code::kNotFound) return Status::NotFound();
    return b.status();
  }
  Resource r = resolved.second.Branch(b->name, b->production);
  if (!held.HasAny(any))
    return Status::PermissionDenied("missing access '" + std::string(AccessName(named)) +
                                    "' on " + r.Describe());
  return Resolved{std::move(resolved.first), std::move(b).value(), std::move(r)};
}

}  // namespace

Result<Branch> BranchModeService::SetSafeMigrations(const RequestContext& ctx,
                                                    const std::string& org, const std::string& db,
                                                    const std::string& branch, bool enabled) {
  OPSCALE_ASSIGN_OR_RETURN(Resolved r, ResolveFor(*core_, ctx, org, db, branch,
                                                  {Access::kWriteDatabase}, Access::kWriteDatabase));
  Branch updated = r.branch;
  updated.safe_migrations = enabled;
  return Apply(ctx, r.db, r.branch, std::move(updated),
               enabled ? "branch.safe_migrations_enabled" : "branch.safe_migrations_disabled");
}

Result<Branch> BranchModeService::SetProduction(const RequestContext& ctx, const std::string& org,
                                                const std::string& db, const std::string& branch,
                                                bool production) {
  Access named = production ? Access::kPromoteBranches : Access::kDemoteBranches;
  OPSCALE_ASSIGN_OR_RETURN(
      Resolved r, ResolveFor(*core_, ctx, org, db, branch,
                             {named, Access::kConnectProductionBranch}, named));
  if (!production && r.branch.production) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<Branch> all, core_->store().ListBranches(r.db.id));
    int prod = 0;
    for (const auto& b : all) prod += b.production ? 1 : 0;
    if (prod <= 1)
      return Status::Unprocessable("branch " + r.branch.name + " is the only production branch of database " +
                                   r.db.name + "; at least one production branch must remain");
  }
  Branch updated = r.branch;
  updated.production = production;
  return Apply(ctx, r.db, r.branch, std::move(updated),
               production ? "branch.promoted" : "branch.demoted");
}

Result<Branch> BranchModeService::Apply(const RequestContext& ctx, const Database& db,
                                        const Branch& current, Branch updated,
                                        const std::string& action) {
  updated.updated_at = NowMs();
  bool before = DdlAllowed(current), after = DdlAllowed(updated);
  std::vector<std::string> changed;  // admin accounts whose DDL grants were switched
  if (before != after) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<Password> passwords,
                             core_->store().ListPasswords(current.id));
    const std::string schema = ServiceCore::SchemaName(current);
    for (const auto& p : passwords) {
      if (p.role != "admin") continue;
      Status st = core_->engine().SetDdlAllowed(p.username, schema, engine::Role::kAdmin, after);
      if (!st.ok()) {
        for (const auto& u : changed)
          (void)core_->engine().SetDdlAllowed(u, schema, engine::Role::kAdmin, before);
        return st;
      }
      changed.push_back(p.username);
    }
  }
  AuditEvent e = ServiceCore::Event(ctx, db.org_id, action, "Branch", updated.id, updated.name);
  e.target_type = "Database";
  e.target_id = db.id;
  e.target_display_name = db.name;
  Status st = core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.UpdateBranch(updated));
    return tx.InsertAuditEvent(e);
  });
  if (!st.ok()) {
    for (const auto& u : changed)
      (void)core_->engine().SetDdlAllowed(u, ServiceCore::SchemaName(current),
                                          engine::Role::kAdmin, before);
    return st;
  }
  return updated;
}

}  // namespace opscale
