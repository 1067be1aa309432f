// Small pieces shared by the command files: joining, paging through list endpoints, and the
// "map" results pscale prints for deletes. Not thread-safe (works on one Context).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "cli/api_client.h"
#include "cli/context.h"
#include "cli/errors.h"

namespace opscale::cli {

std::string Join(const std::vector<std::string>& items, std::string_view sep);

// Items of a page-paginated list, following next_page (per_page=100) until the last page.
struct Listing {
  std::vector<boost::json::object> items;
  std::optional<ApiError> error;
};
Listing FetchAllPages(Context& ctx, const std::string& path);

// One page of a list: `page`/`per_page` added to the query.
Listing FetchPage(Context& ctx, const std::string& path, int page, int per_page);

// pscale's results that are Go maps: human text, or the JSON object (keys must be given in
// sorted order); CSV fails as pscale's does ("cannot use map[string]string, ...").
Outcome PrintMapResult(Context& ctx, const std::string& human_line, const boost::json::object& sorted);

// Epoch ms as CSV text ("0" when absent).
inline std::string MsText(int64_t ms) {
  return std::to_string(ms > 0 ? ms : 0);
}
inline const char* YesNo(bool b) {
  return b ? "Yes" : "No";
}
inline const char* TrueFalse(bool b) {
  return b ? "true" : "false";
}

}  // namespace opscale::cli
