#include "auth/authorizer.h"

#include "auth/oauth_scopes.h"

namespace opscale {

std::string Resource::Describe() const {
  switch (kind) {
    case Kind::kOrganization: return "organization " + org_name;
    case Kind::kDatabase: return "database " + database_name;
    case Kind::kBranch: return "branch " + database_name + "/" + branch_name;
  }
  return "resource";
}

bool Authorizer::InOrg(const Principal& p, const std::string& org_id) {
  if (p.is_token()) return p.org_id == org_id;
  return p.roles.count(org_id) > 0;
}

namespace {
AccessSet Limited(const Principal& p, AccessSet held) {
  return p.scope_limit ? held.Intersect(*p.scope_limit) : held;
}
}  // namespace

AccessSet Authorizer::HeldInOrg(const Principal& p, const std::string& org_id) {
  if (!InOrg(p, org_id)) return {};
  if (p.is_token()) return p.org_accesses;
  return Limited(p, p.roles.at(org_id) == Role::kAdmin ? AccessSet::All(AccessLevel::kOrganization)
                                                       : MemberOrganizationSet());
}

AccessSet Authorizer::Held(const Principal& p, const Resource& r) {
  if (r.kind == Resource::Kind::kOrganization) return HeldInOrg(p, r.org_id);
  if (!InOrg(p, r.org_id)) return {};
  if (p.is_token()) {
    auto it = p.database_accesses.find(r.database_id);
    return it == p.database_accesses.end() ? AccessSet{} : it->second;
  }
  return Limited(p, p.roles.at(r.org_id) == Role::kAdmin ? AccessSet::All(AccessLevel::kDatabase)
                                                         : MemberDatabaseSet());
}

bool Authorizer::CanSee(const Principal& p, const Resource& r) {
  switch (r.kind) {
    case Resource::Kind::kOrganization:
      return InOrg(p, r.org_id);
    case Resource::Kind::kDatabase:
      if (!InOrg(p, r.org_id)) return false;
      return Held(p, r).HasAny(DatabaseVisibleSet()) ||
             HeldInOrg(p, r.org_id).Has(Access::kReadDatabases);
    case Resource::Kind::kBranch:
      return CanSee(p, *r.Parent()) && Held(p, r).HasAny(BranchReadSet());
  }
  return false;  // fail closed
}

bool Authorizer::IsAllowed(const Principal& p, Access a, const Resource& r) {
  if (!CanSee(p, r)) return false;
  if (Info(a).level == AccessLevel::kOrganization) return HeldInOrg(p, r.org_id).Has(a);
  if (r.kind == Resource::Kind::kOrganization) return false;  // db access needs a db
  return Held(p, r).Has(a);
}

Status Authorizer::Authorize(const Principal& p, Access a, const Resource& r) {
  return AuthorizeAny(p, AccessSet{a}, a, r);
}

Status Authorizer::AuthorizeAny(const Principal& p, AccessSet any, Access named, const Resource& r) {
  if (!CanSee(p, r)) return Status::NotFound();
  for (Access a : any.ToVector())
    if (IsAllowed(p, a, r)) return Status::Ok();
  if (p.scope_limit) {
    Principal unscoped = p;
    unscoped.scope_limit.reset();
    if (IsAllowed(unscoped, named, r)) {
      std::string needed;
      for (const auto& s : ScopesAllowing(named)) needed += (needed.empty() ? "" : " or ") + s;
      return Status::PermissionDenied("the OAuth token's scopes do not allow '" +
                                      std::string(AccessName(named)) + "' on " + r.Describe() +
                                      (needed.empty() ? std::string(" (no OAuth scope allows it)")
                                                      : " (needs scope " + needed + ")"));
    }
  }
  return Status::PermissionDenied("missing access '" + std::string(AccessName(named)) + "' on " +
                                  r.Describe());
}

}  // namespace opscale
