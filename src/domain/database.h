// Databases and their branches. Plain values.
#pragma once

#include <string>

#include "common/clock.h"
#include "domain/actor.h"

namespace opscale {

struct Database {
  std::string id;
  std::string org_id;
  std::string name;
  std::string region = "us-east";
  std::string kind = "mysql";
  std::string state = "ready";
  std::string default_branch = "main";
  std::string notes;
  bool require_approval_for_deploy = false;
  Actor created_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct Branch {
  std::string id;
  std::string database_id;
  std::string name;
  std::string parent_branch;  // empty for a database's first production branch
  std::string region = "us-east";
  bool production = false;
  bool safe_migrations = false;
  bool ready = true;
  Actor created_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

}  // namespace opscale
