#include "api/http_types.h"

namespace opscale::api {

const std::string& Request::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

std::string Request::QueryParam(const std::string& name, bool* found) const {
  for (const auto& [key, value] : query) {
    if (key == name) {
      if (found) *found = true;
      return value;
    }
  }
  if (found) *found = false;
  return {};
}

}  // namespace opscale::api
