// The component schemas of the OpenAPI document, as JSON text (an object
// keyed by schema name). Internal to src/api.
#pragma once

#include <string_view>

namespace opscale::api {

std::string_view OpenApiComponentSchemas();

}  // namespace opscale::api
