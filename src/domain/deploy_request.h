// Deploy requests and their reviews (data-plane-facts §3). Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "domain/actor.h"

namespace opscale {

struct DeployRequest {
  std::string id;
  int64_t number = 0;  // 1, 2, 3... per database
  std::string database_id;
  std::string org_id;
  std::string branch;
  std::string into_branch;
  std::string notes;
  std::string state = "open";  // open | closed
  std::string deployment_state = "pending";
  bool approved = false;
  Actor created_by;
  // For a ServiceToken creator: the id of the principal who created that token.
  std::string created_by_token_owner;
  std::string ddl_json = "[]";  // the diff statements at creation (JSON array text)
  std::string error;            // the engine's message when a deploy failed
  std::optional<Actor> closed_by;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  std::optional<TimeMs> closed_at;
  std::optional<TimeMs> deployed_at;
  std::optional<TimeMs> queued_at;
  std::optional<TimeMs> started_at;
  std::optional<TimeMs> finished_at;
};

struct DeployRequestReview {
  std::string id;
  std::string deploy_request_id;
  std::string state;  // approved | commented
  std::string body;
  Actor created_by;
  TimeMs created_at = 0;
};

}  // namespace opscale
