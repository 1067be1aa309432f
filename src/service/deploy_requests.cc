#include "service/deploy_requests.h"

#include <boost/json.hpp>

#include "common/ids.h"

namespace opscale {

namespace json = boost::json;

struct DeployRequestService::Target {
  Database db;
  Resource res;
};

namespace {

AccessSet DeployRequestAccesses() {
  return {Access::kReadDeployRequest, Access::kCreateDeployRequest, Access::kApproveDeployRequest,
          Access::kReviewDeployRequest};
}

bool SameActor(const Actor& a, const Actor& b) { return a.type == b.type && a.id == b.id; }

}  // namespace

std::string DeployRequestService::EncodeDdl(const std::vector<std::string>& statements) {
  json::array a;
  for (const auto& s : statements) a.emplace_back(s);
  return json::serialize(a);
}

std::vector<std::string> DeployRequestService::DecodeDdl(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& s : v.as_array())
    if (s.is_string()) out.emplace_back(s.as_string().c_str());
  return out;
}

Result<DeployRequestService::Target> DeployRequestService::Resolve(const RequestContext& ctx,
                                                                   const std::string& org,
                                                                   const std::string& db,
                                                                   AccessSet any, Access named) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db));
  AccessSet held = Authorizer::Held(ctx.principal, resolved.second);
  if (!held.HasAny(DeployRequestAccesses().Union(any))) return Status::NotFound();
  if (!held.HasAny(any))
    return Status::PermissionDenied("missing access '" + std::string(AccessName(named)) + "' on " +
                                    resolved.second.Describe());
  return Target{std::move(resolved.first), std::move(resolved.second)};
}

Result<DeployRequest> DeployRequestService::Find(const Target& t, int64_t number) {
  auto dr = core_->store().GetDeployRequest(t.db.id, number);
  if (!dr.ok() && dr.status().code() == Code::kNotFound)
    return Status::NotFound("deploy request " + std::to_string(number) + " not found in database " +
                            t.db.name);
  return dr;
}

DeployRequestView DeployRequestService::View(const Target& t, DeployRequest dr) {
  DeployRequestView v;
  auto b = core_->store().GetBranch(t.db.id, dr.branch);
  if (b.ok()) v.branch_id = b->id;
  auto reviews = core_->store().ListDeployRequestReviews(dr.id);
  if (reviews.ok()) v.num_comments = static_cast<int>(reviews->size());
  v.dr = std::move(dr);
  return v;
}

Status DeployRequestService::Save(const RequestContext& ctx, const Target& t,
                                  const DeployRequest& dr, const std::string& action) {
  AuditEvent e = ServiceCore::Event(ctx, t.db.org_id, action, "DeployRequest", dr.id,
                                    t.db.name + "/" + std::to_string(dr.number));
  e.target_type = "Database";
  e.target_id = t.db.id;
  e.target_display_name = t.db.name;
  return core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.UpdateDeployRequest(dr));
    return tx.InsertAuditEvent(e);
  });
}

Result<std::vector<DeployRequestView>> DeployRequestService::List(const RequestContext& ctx,
                                                                  const std::string& org,
                                                                  const std::string& db) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kReadDeployRequest},
                                             Access::kReadDeployRequest));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<DeployRequest> all,
                           core_->store().ListDeployRequests(t.db.id));
  std::vector<DeployRequestView> out;
  for (auto& dr : all) out.push_back(View(t, std::move(dr)));
  return out;
}

Result<DeployRequestView> DeployRequestService::Create(const RequestContext& ctx,
                                                       const std::string& org,
                                                       const std::string& db,
                                                       const std::string& branch,
                                                       const std::string& into,
                                                       const std::string& notes) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kCreateDeployRequest},
                                             Access::kCreateDeployRequest));
  if (branch.empty()) return Status::Unprocessable("branch is required");
  std::string into_branch = into.empty() ? t.db.default_branch : into;
  if (into_branch == branch)
    return Status::Unprocessable("a deploy request needs two different branches (branch and into_branch are both " +
                                 branch + ")");
  auto from = core_->store().GetBranch(t.db.id, branch);
  if (!from.ok()) {
    if (from.status().code() == Code::kNotFound)
      return Status::NotFound("branch " + branch + " not found in database " + t.db.name);
    return from.status();
  }
  auto to = core_->store().GetBranch(t.db.id, into_branch);
  if (!to.ok()) {
    if (to.status().code() == Code::kNotFound)
      return Status::NotFound("branch " + into_branch + " not found in database " + t.db.name);
    return to.status();
  }
  OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> ddl,
                           core_->engine().DiffSchemas(ServiceCore::SchemaName(*to),
                                                       ServiceCore::SchemaName(*from)));
  DeployRequest dr;
  dr.id = NewId();
  dr.database_id = t.db.id;
  dr.org_id = t.db.org_id;
  dr.branch = branch;
  dr.into_branch = into_branch;
  dr.notes = notes;
  dr.deployment_state = ddl.empty() ? "no_changes" : "ready";
  dr.created_by = ctx.principal.AsActor();
  if (ctx.principal.is_token()) {
    auto tok = core_->store().GetServiceToken(t.db.org_id, ctx.principal.id);
    if (tok.ok()) dr.created_by_token_owner = tok->created_by.id;
  }
  dr.ddl_json = EncodeDdl(ddl);
  dr.created_at = dr.updated_at = NowMs();
  AuditEvent e = ServiceCore::Event(ctx, t.db.org_id, "deploy_request.created", "DeployRequest",
                                    dr.id, "");
  e.target_type = "Database";
  e.target_id = t.db.id;
  e.target_display_name = t.db.name;
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(int64_t max, tx.MaxDeployRequestNumber(t.db.id));
    dr.number = max + 1;
    e.auditable_display_name = t.db.name + "/" + std::to_string(dr.number);
    OPSCALE_RETURN_IF_ERROR(tx.InsertDeployRequest(dr));
    return tx.InsertAuditEvent(e);
  }));
  return View(t, std::move(dr));
}

Result<DeployRequestView> DeployRequestService::Get(const RequestContext& ctx,
                                                    const std::string& org, const std::string& db,
                                                    int64_t number) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kReadDeployRequest},
                                             Access::kReadDeployRequest));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  return View(t, std::move(dr));
}

Result<DeployRequestView> DeployRequestService::Close(const RequestContext& ctx,
                                                      const std::string& org,
                                                      const std::string& db, int64_t number) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kCreateDeployRequest},
                                             Access::kCreateDeployRequest));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  if (dr.state == "closed") return View(t, std::move(dr));
  dr.state = "closed";
  dr.closed_by = ctx.principal.AsActor();
  dr.closed_at = dr.updated_at = NowMs();
  OPSCALE_RETURN_IF_ERROR(Save(ctx, t, dr, "deploy_request.closed"));
  return View(t, std::move(dr));
}

Status DeployRequestService::CheckApprover(const Target& t, const Principal& p,
                                           const DeployRequest& dr) {
  const Actor& creator = dr.created_by;
  if (p.is_token()) {
    if (creator.type == ActorType::kServiceToken && creator.id == p.id)
      return Status::PermissionDenied("a service token cannot approve a deploy request it created");
    if (!Authorizer::Held(p, t.res).Has(Access::kApproveDeployRequest))
      return Status::PermissionDenied("missing access 'approve_deploy_request' on " + t.res.Describe());
    return Status::Ok();
  }
  // A user: must be an admin of the organization.
  auto role = p.roles.find(t.db.org_id);
  if (role == p.roles.end() || role->second != Role::kAdmin)
    return Status::PermissionDenied(
        "only organization administrators (or service tokens with approve_deploy_request) can "
        "approve deploy requests");
  if (creator.type == ActorType::kServiceToken && dr.created_by_token_owner == p.id)
    return Status::PermissionDenied(
        "you cannot approve a deploy request created by a service token you created");
  if (SameActor(creator, p.AsActor())) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<Membership> members, core_->store().ListMemberships());
    int admins = 0;
    for (const auto& m : members)
      if (m.org_id == t.db.org_id && m.role == Role::kAdmin) ++admins;
    if (admins != 1)
      return Status::PermissionDenied("you cannot approve your own deploy request");
  }
  return Status::Ok();
}

Result<DeployRequestReview> DeployRequestService::Review(const RequestContext& ctx,
                                                         const std::string& org,
                                                         const std::string& db, int64_t number,
                                                         const std::string& state,
                                                         const std::string& body) {
  if (state != "approved" && state != "commented")
    return Status::Unprocessable("review state must be approved or commented");
  bool approve = state == "approved";
  AccessSet any = approve ? AccessSet{Access::kApproveDeployRequest, Access::kReviewDeployRequest}
                          : AccessSet{Access::kCreateComment, Access::kApproveDeployRequest,
                                      Access::kReviewDeployRequest};
  OPSCALE_ASSIGN_OR_RETURN(
      Target t, Resolve(ctx, org, db, any,
                        approve ? Access::kApproveDeployRequest : Access::kCreateComment));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  if (approve) {
    if (dr.state == "closed")
      return Status::Unprocessable("deploy request " + std::to_string(number) + " is closed");
    OPSCALE_RETURN_IF_ERROR(CheckApprover(t, ctx.principal, dr));
  }
  DeployRequestReview r;
  r.id = NewId();
  r.deploy_request_id = dr.id;
  r.state = state;
  r.body = body;
  r.created_by = ctx.principal.AsActor();
  r.created_at = NowMs();
  if (approve) {
    dr.approved = true;
    dr.updated_at = r.created_at;
  }
  AuditEvent e = ServiceCore::Event(ctx, t.db.org_id,
                                    approve ? "deploy_request.approved" : "deploy_request.commented",
                                    "DeployRequest", dr.id, t.db.name + "/" + std::to_string(dr.number));
  e.target_type = "Database";
  e.target_id = t.db.id;
  e.target_display_name = t.db.name;
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.InsertDeployRequestReview(r));
    if (approve) OPSCALE_RETURN_IF_ERROR(tx.UpdateDeployRequest(dr));
    return tx.InsertAuditEvent(e);
  }));
  return r;
}

Result<std::vector<DeployRequestReview>> DeployRequestService::Reviews(const RequestContext& ctx,
                                                                       const std::string& org,
                                                                       const std::string& db,
                                                                       int64_t number) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kReadDeployRequest},
                                             Access::kReadDeployRequest));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  return core_->store().ListDeployRequestReviews(dr.id);
}

Result<std::vector<std::string>> DeployRequestService::Diff(const RequestContext& ctx,
                                                            const std::string& org,
                                                            const std::string& db, int64_t number) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kReadDeployRequest},
                                             Access::kReadDeployRequest));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  return DecodeDdl(dr.ddl_json);
}

Result<DeployRequestView> DeployRequestService::Cancel(const RequestContext& ctx,
                                                       const std::string& org,
                                                       const std::string& db, int64_t number) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kCreateDeployRequest},
                                             Access::kCreateDeployRequest));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  return Status::Unprocessable("deploy request " + std::to_string(number) +
                               " is not queued (deployment state " + dr.deployment_state +
                               "); opscale deploys run at once, so there is nothing to cancel");
}

Result<DeployRequestView> DeployRequestService::Deploy(const RequestContext& ctx,
                                                       const std::string& org,
                                                       const std::string& db, int64_t number) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, {Access::kCreateDeployRequest},
                                             Access::kCreateDeployRequest));
  std::lock_guard lock(deploy_mu_);
  OPSCALE_ASSIGN_OR_RETURN(DeployRequest dr, Find(t, number));
  const std::string n = std::to_string(number);
  if (dr.state == "closed") return Status::Unprocessable("deploy request " + n + " is closed");
  if (dr.deployment_state == "complete" || dr.deployment_state == "complete_pending_revert")
    return Status::Unprocessable("deploy request " + n + " has already been deployed");
  if (dr.deployment_state == "no_changes")
    return Status::Unprocessable("deploy request " + n + " has no schema changes to deploy");
  if (t.db.require_approval_for_deploy) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<DeployRequestReview> reviews,
                             core_->store().ListDeployRequestReviews(dr.id));
    bool ok = false;
    for (const auto& r : reviews) ok = ok || r.state == "approved";
    if (!ok)
      return Status::PermissionDenied("deploy request " + n +
                                      " requires an approving review from an administrator before "
                                      "it can be deployed");
  }
  auto from = core_->store().GetBranch(t.db.id, dr.branch);
  if (!from.ok())
    return Status::Unprocessable("branch " + dr.branch + " of deploy request " + n + " no longer exists");
  auto to = core_->store().GetBranch(t.db.id, dr.into_branch);
  if (!to.ok())
    return Status::Unprocessable("branch " + dr.into_branch + " no longer exists");
  OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> now_ddl,
                           core_->engine().DiffSchemas(ServiceCore::SchemaName(*to),
                                                       ServiceCore::SchemaName(*from)));
  if (now_ddl != DecodeDdl(dr.ddl_json))
    return Status::Conflict("the target branch changed since the deploy request was created; "
                            "the schema changes of deploy request " + n +
                            " no longer apply cleanly to " + dr.into_branch +
                            " (close it and open a new deploy request)");
  TimeMs now = NowMs();
  dr.queued_at = now;
  dr.deployment_state = "queued";
  dr.updated_at = now;
  OPSCALE_RETURN_IF_ERROR(Save(ctx, t, dr, "deploy_request.queued"));
  dr.started_at = NowMs();
  dr.deployment_state = "in_progress";
  dr.updated_at = *dr.started_at;
  OPSCALE_RETURN_IF_ERROR(Save(ctx, t, dr, "deploy_request.started"));
  Status applied = core_->engine().ApplyDdl(ServiceCore::SchemaName(*to), now_ddl);
  dr.finished_at = NowMs();
  dr.updated_at = *dr.finished_at;
  if (applied.ok()) {
    dr.deployment_state = "complete";
    dr.deployed_at = dr.finished_at;
    dr.state = "closed";
    dr.closed_at = dr.finished_at;
    OPSCALE_RETURN_IF_ERROR(Save(ctx, t, dr, "deploy_request.deployed"));
  } else {
    dr.deployment_state = "complete_error";
    dr.error = applied.message();
    OPSCALE_RETURN_IF_ERROR(Save(ctx, t, dr, "deploy_request.failed"));
  }
  return View(t, std::move(dr));
}

}  // namespace opscale
