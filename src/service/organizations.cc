#include "service/organizations.h"

namespace opscale {

Result<std::vector<Organization>> OrganizationService::List(const RequestContext& ctx) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Organization> all, core_->store().ListOrganizations());
  std::vector<Organization> out;
  for (auto& o : all)
    if (Authorizer::InOrg(ctx.principal, o.id)) out.push_back(std::move(o));
  return out;
}

Result<Organization> OrganizationService::Get(const RequestContext& ctx, const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kReadOrganization,
                                                Resource::Org(org.id, org.name)));
  return org;
}

Result<std::vector<AuditEvent>> OrganizationService::AuditLog(const RequestContext& ctx,
                                                              const std::string& name,
                                                              int64_t before_seq, int limit) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kReadAuditLogs,
                                                Resource::Org(org.id, org.name)));
  return core_->store().ListAuditEvents(org.id, before_seq, limit);
}

Result<int> OrganizationService::DatabaseCount(const Organization& org) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Database> dbs, core_->store().ListDatabases(org.id));
  return static_cast<int>(dbs.size());
}

}  // namespace opscale
