// A branch password: one MariaDB account on one branch's schema. Plain value.
// The secret itself is never stored (the engine keeps MariaDB's own hash).
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "domain/actor.h"

namespace opscale {

struct Password {
  std::string id;           // public id, 12 chars [a-z0-9]
  std::string branch_id;
  std::string database_id;
  std::string org_id;
  std::string name;
  std::string role = "admin";  // reader | writer | readwriter | admin (engine::RoleName)
  std::string username;        // the MariaDB user, 20 chars [a-z0-9]; unique
  Actor created_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  std::optional<TimeMs> expires_at;      // set iff ttl_seconds is
  std::optional<int64_t> ttl_seconds;    // > 0 when set
  std::optional<TimeMs> last_used_at;
  bool connect_session = false;  // made by `connect` for one session, not listed to users

  bool Expired(TimeMs now) const { return expires_at && now >= *expires_at; }
};

}  // namespace opscale
