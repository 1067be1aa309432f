#include "service/connect.h"

#include "auth/token_format.h"

namespace opscale {

Result<ConnectTarget> ConnectService::Authorize(const RequestContext& ctx, const std::string& org,
                                                const std::string& db_name,
                                                const std::string& branch_name,
                                                const std::string& password_id) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db_name));
  const Database& db = resolved.first;
  if (!Authorizer::Held(ctx.principal, resolved.second).HasAny(BranchReadSet()))
    return Status::NotFound();
  auto branch = core_->GetBranch(db.id, branch_name);
  if (!branch.ok()) {
    if (branch.status().code() == Code::kNotFound) return Status::NotFound();
    return branch.status();
  }
  Resource r = resolved.second.Branch(branch->name, branch->production);
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(
      ctx.principal,
      branch->production ? Access::kConnectProductionBranch : Access::kConnectBranch, r));
  if (!IsWellFormedId(password_id))
    return Status::NotFound("password " + password_id + " does not exist on branch " + branch->name);
  auto pw = core_->store().GetPassword(branch->id, password_id);
  if (!pw.ok()) {
    if (pw.status().code() == Code::kNotFound)
      return Status::NotFound("password " + password_id + " does not exist on branch " +
                              branch->name);
    return pw.status();
  }
  if (pw->created_by.id != ctx.principal.id)
    return Status::PermissionDenied("a connect tunnel must use a password created by the same "
                                    "credential");
  if (pw->expires_at && *pw->expires_at <= NowMs())
    return Status::PermissionDenied("password " + password_id + " has expired");
  ConnectTarget t;
  t.org_id = db.org_id;
  t.database_id = db.id;
  t.branch_name = branch->name;
  t.engine_username = pw->username;
  t.engine_host = core_->engine().host();
  t.engine_port = core_->engine().port();
  if (t.engine_port == 0) return Status::Unavailable(std::string(engine::kNoEngineMessage));
  return t;
}

bool ConnectService::StillValid(const Principal& p) const {
  if (!p.is_token()) return true;
  return core_->index().HasServiceToken(p.id);
}

}  // namespace opscale
