// Pure pieces of `pscale deploy-request` (table, CSV, JSON shapes and time strings), split out
// so they can be tested without a server. Thread-safe (pure functions).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/printer.h"
#include "common/clock.h"

namespace opscale::cli {

// The deploy-request table's own relative times: "less than a minute ago" (also for future
// times), "N minutes ago", "N hours ago", "N days ago"; "" when `epoch_ms` <= 0.
std::string DeployRequestTime(int64_t epoch_ms, TimeMs now);

// pscale's DeployRequest / Deployment / DeployRequestReview JSON models.
boost::json::object DeployRequestJson(const boost::json::object& dr);
boost::json::object DeploymentJson(const boost::json::object& deployment);
boost::json::object DeployRequestReviewJson(const boost::json::object& review);

// Table, CSV and JSON (an array) of deploy requests.
Output DeployRequestsOutput(const std::vector<boost::json::object>& drs, TimeMs now);
// One deploy request (JSON: the object).
Output DeployRequestOutput(const boost::json::object& dr, TimeMs now);

// strconv.ParseUint(s, 10, 64): the number, or the Go error text
// (`strconv.ParseUint: parsing "x": invalid syntax` / `value out of range`).
struct ParsedNumber {
  std::optional<uint64_t> value;
  std::string error;
};
ParsedNumber ParseDeployRequestNumber(std::string_view s);

}  // namespace opscale::cli
