// One audit-log entry: who did what to which resource, when.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "domain/actor.h"

namespace opscale {

struct AuditEvent {
  int64_t seq = 0;  // assigned by the store, increasing; used as the cursor
  std::string id;
  std::string org_id;
  Actor actor;
  std::string action;          // "service_token.created", "database.deleted", ...
  std::string auditable_type;  // "ServiceToken", "Database", "Branch", ...
  std::string auditable_id;
  std::string auditable_display_name;
  std::string target_type;
  std::string target_id;
  std::string target_display_name;
  std::string metadata_json = "{}";  // never holds a secret
  std::string remote_ip;
  TimeMs created_at = 0;
};

}  // namespace opscale
