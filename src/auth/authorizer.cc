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
  if (p.is_token()) return p.database_accesses.Get(r.database_id);
  return Limited(p, p.roles.at(r.org_id) == Role::kAdmin ? AccessSet::All(AccessLevel::kDatabase)
                                                         : MemberDatabaseSet());
}

namespace {

// What the principal holds where a check on `r` looks: in r's organization,
// and on r's database (for a database or branch). Computed once per check.
struct Holdings {
  bool in_org = false;
  AccessSet org;
  AccessSet db;
};

Holdings HoldingsFor(const Principal& p, const Resource& r) {
  Holdings h;
  h.in_org = Authorizer::InOrg(p, r.org_id);
  if (!h.in_org) return h;
  const bool on_db = r.kind != Resource::Kind::kOrganization;
  if (p.is_token()) {  // HeldInOrg and Held, without checking the org again
    h.org = p.org_accesses;
    if (on_db) h.db = p.database_accesses.Get(r.database_id);
  } else {
    h.org = Authorizer::HeldInOrg(p, r.org_id);
    if (on_db) h.db = Authorizer::Held(p, r);
  }
  return h;
}

// CanSee, walking up the parents: an org is visible to its members; a
// database to holders of any database access on it or of read_databases; a
// branch, if its database is, to holders of a branch-read access.
bool Visible(const Holdings& h, Resource::Kind kind) {
  if (!h.in_org) return false;
  if (kind == Resource::Kind::kOrganization) return true;
  const bool database =
      h.db.HasAny(DatabaseVisibleSet()) || h.org.Has(Access::kReadDatabases);
  if (kind == Resource::Kind::kDatabase) return database;
  return database && h.db.HasAny(BranchReadSet());
}

bool Allowed(const Holdings& h, Access a, Resource::Kind kind) {
  if (Info(a).level == AccessLevel::kOrganization) return h.org.Has(a);
  return kind != Resource::Kind::kOrganization && h.db.Has(a);  // db access needs a db
}

}  // namespace

bool Authorizer::CanSee(const Principal& p, const Resource& r) {
  return Visible(HoldingsFor(p, r), r.kind);
}

bool Authorizer::IsAllowed(const Principal& p, Access a, const Resource& r) {
  const Holdings h = HoldingsFor(p, r);
  return Visible(h, r.kind) && Allowed(h, a, r.kind);
}

Status Authorizer::Authorize(const Principal& p, Access a, const Resource& r) {
  return AuthorizeAny(p, AccessSet{a}, a, r);
}

Status Authorizer::AuthorizeAny(const Principal& p, AccessSet any, Access named, const Resource& r) {
  const Holdings h = HoldingsFor(p, r);
  if (!Visible(h, r.kind)) return Status::NotFound();
  // Allowed() for any access in `any`, as two set tests.
  const AccessSet org_level = AccessSet::All(AccessLevel::kOrganization);
  if (h.org.HasAny(any.Intersect(org_level))) return Status::Ok();
  if (r.kind != Resource::Kind::kOrganization && h.db.HasAny(any.Minus(org_level)))
    return Status::Ok();
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
