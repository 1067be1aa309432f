// CopyStore: moves everything an opscale store holds into another store
// (`opscaled migrate --from <sqlite data dir> --to postgres://…`): users,
// memberships, API tokens and sessions, service tokens and grants (as
// hashes), databases, branches, passwords, deploy requests and reviews, OAuth
// applications and refresh tokens, and the audit log in its order. One
// transaction on the target: it all arrives or nothing does. Secrets stay
// hashed, so the target verifies them only with the same token key.
//
// Short-lived OAuth codes and device logins are not copied. The source is
// only read. Thread-safety: call with no server running on either store.
#pragma once

#include <map>
#include <string>

#include "storage/store.h"

namespace opscale {

struct CopyReport {
  std::map<std::string, int64_t> counts;  // "organizations" -> n, ...
};

// FailedPrecondition-like Conflict if the target already holds an
// organization, unless `allow_non_empty`.
Result<CopyReport> CopyStore(Store& from, Store& to, bool allow_non_empty);

}  // namespace opscale
