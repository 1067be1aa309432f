#include "service/members.h"

#include <algorithm>

#include "common/text.h"

namespace opscale {

Result<std::vector<MemberView>> MemberService::List(const RequestContext& ctx,
                                                     const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kReadOrganization,
                                                Resource::Org(org.id, org.name)));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Membership> all, core_->store().ListMemberships());
  std::vector<MemberView> out;
  for (auto& m : all) {
    if (m.org_id != org.id) continue;
    OPSCALE_ASSIGN_OR_RETURN(User u, core_->store().GetUserById(m.user_id));
    out.push_back({std::move(m), std::move(u)});
  }
  std::sort(out.begin(), out.end(),
            [](const MemberView& a, const MemberView& b) { return a.user.email < b.user.email; });
  return out;
}

Result<AddedMember> MemberService::Add(const RequestContext& ctx, const std::string& name,
                                       const std::string& raw_email, Role role) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kWriteOrganization,
                                                Resource::Org(org.id, org.name)));
  const std::string email = AsciiLower(raw_email);
  auto existing = core_->store().GetUserByEmail(email);
  if (existing.ok()) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<Membership> all, core_->store().ListMemberships());
    for (const auto& m : all)
      if (m.org_id == org.id && m.user_id == existing->id)
        return Status::Conflict(email + " is already a member of " + org.name);
  }
  OPSCALE_ASSIGN_OR_RETURN(IssuedCredentials cr, bootstrap_.AddUser(org.name, email, role, &ctx));
  AddedMember out;
  out.password = std::move(cr.password);
  out.api_token = std::move(cr.api_token);
  OPSCALE_ASSIGN_OR_RETURN(out.member.user, core_->store().GetUserByEmail(email));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Membership> all, core_->store().ListMemberships());
  for (auto& m : all)
    if (m.org_id == org.id && m.user_id == out.member.user.id) out.member.membership = m;
  return out;
}

}  // namespace opscale
