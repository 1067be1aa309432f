// /v1/organizations/{org}/members: the public list (OrganizationMember
// shape), and an opscale addition, POST {"email","role"}, which adds a user
// (created if new) and returns their first password and an API token once.
#include "api/handler_context.h"
#include "api/request_bodies.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

json::object MemberJson(const MemberView& m) {
  const User& u = m.user;
  return {
      {"id", u.id},
      {"type", "OrganizationMember"},
      {"role", RoleName(m.membership.role)},
      {"created_at", FormatTime(m.membership.created_at)},
      {"updated_at", FormatTime(m.membership.created_at)},
      {"user",
       {{"id", u.id},
        {"type", "User"},
        {"display_name", u.display_name.empty() ? u.email : u.display_name},
        {"name", u.display_name.empty() ? u.email : u.display_name},
        {"email", u.email},
        {"avatar_url", ""},
        {"created_at", FormatTime(u.created_at)},
        {"updated_at", FormatTime(u.updated_at)},
        {"two_factor_auth_configured", false}}},
  };
}

Result<Response> ListMembers(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<MemberView> members,
                           c.platform.members().List(c.ctx, c.Param("org")));
  std::string q = c.req.QueryParam("q");
  if (!q.empty()) {
    std::vector<MemberView> match;
    for (auto& m : members)
      if (m.user.email.find(q) != std::string::npos || m.user.display_name.find(q) != std::string::npos)
        match.push_back(std::move(m));
    members = std::move(match);
  }
  return Json(200, Paginate(c, p, members, [](const MemberView& m) { return json::value(MemberJson(m)); }));
}

Result<Response> AddMember(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(AddMemberBody b, DecodeAddMember(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(AddedMember added,
                           c.platform.members().Add(c.ctx, c.Param("org"), b.email, b.role));
  json::object o = MemberJson(added.member);
  o["password"] = added.password.empty() ? json::value(nullptr) : json::value(added.password);
  o["api_token"] = added.api_token;
  return Json(201, o);
}

}  // namespace

void AddMemberRoutes(ApiRoutes& r) {
  r.Add("GET", "/v1/organizations/{org}/members",
        {.id = "list_organization_members", .summary = "List the organization's members",
         .tag = "Organizations", .accesses = {Access::kReadOrganization},
         .query = {{"q", "string", "Only members whose email or name contains this text"}},
         .response = "Page<OrganizationMember>"},
        ListMembers);
  r.Add("POST", "/v1/organizations/{org}/members",
        {.id = "add_organization_member",
         .summary = "Add a user to the organization (opscale); a new user's first password and API "
                    "token are in this response only",
         .tag = "Organizations", .accesses = {Access::kWriteOrganization},
         .body = "AddMemberRequest", .status = 201, .response = "AddedMember"},
        AddMember);
}

}  // namespace opscale::api
