// Validation of user-supplied names. Each returns Ok or an InvalidArgument
// status whose message says what a valid name looks like.
#pragma once

#include <string_view>

#include "common/status.h"

namespace opscale {

// Databases and branches: 1-64 chars, lowercase letters, digits and dashes,
// not starting or ending with a dash.
Status ValidateResourceName(std::string_view kind, std::string_view name);
// Organizations: same rule.
Status ValidateOrgName(std::string_view name);
// Service token names: 1-255 printable chars (UTF-8 allowed, no control chars).
Status ValidateTokenName(std::string_view name);
// Email: something@something, 3-254 chars, no spaces or control chars.
Status ValidateEmail(std::string_view email);

}  // namespace opscale
