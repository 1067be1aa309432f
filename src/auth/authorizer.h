// Authorizer: answers (Principal, Access, Resource) (DESIGN rules 4, 7, 8).
//
// Visibility rule (SPEC §3): a resource the principal may not read is
// NotFound, never a hint that it exists; on a resource it may read, a missing
// access is PermissionDenied naming the access. Pure functions; thread-safe.
#pragma once

#include "auth/access.h"
#include "auth/principal.h"
#include "auth/resource.h"
#include "common/status.h"

namespace opscale {

class Authorizer {
 public:
  // Accesses held at the level of `r`: organization accesses for an org
  // resource; database accesses for a database or branch resource.
  static AccessSet Held(const Principal& p, const Resource& r);
  // Organization-level accesses held in r's organization.
  static AccessSet HeldInOrg(const Principal& p, const std::string& org_id);
  // True if the principal belongs to the organization (user role or token's org).
  static bool InOrg(const Principal& p, const std::string& org_id);
  // Whether the principal may see `r` at all (walks up the parents).
  static bool CanSee(const Principal& p, const Resource& r);
  // One check, two faces.
  static bool IsAllowed(const Principal& p, Access a, const Resource& r);
  static Status Authorize(const Principal& p, Access a, const Resource& r);
  // Authorize with any of several accesses (endpoint lists "any of").
  static Status AuthorizeAny(const Principal& p, AccessSet any, Access named, const Resource& r);
};

}  // namespace opscale
