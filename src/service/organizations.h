// Organizations as seen by a caller, and the audit log.
// Thread-safety: safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "service/core.h"

namespace opscale {

class OrganizationService {
 public:
  explicit OrganizationService(ServiceCore* core) : core_(core) {}

  // Only organizations the caller belongs to.
  Result<std::vector<Organization>> List(const RequestContext& ctx);
  // Needs read_organization.
  Result<Organization> Get(const RequestContext& ctx, const std::string& org);
  // Needs read_audit_logs. Newest first; before_seq <= 0 starts at the newest.
  Result<std::vector<AuditEvent>> AuditLog(const RequestContext& ctx, const std::string& org,
                                           int64_t before_seq, int limit);
  // Counts databases the caller can see (for the organization object).
  Result<int> DatabaseCount(const Organization& org);

 private:
  ServiceCore* core_;
};

}  // namespace opscale
