// Hides secrets in text shown by --debug. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

namespace opscale::cli {

inline constexpr std::string_view kMasked = "***";

// Replaces every pscale_tkn_…, pscale_oauth_… and pscale_pw_… string, and the string values
// of the JSON keys "token", "plain_text", "password", "api_token", "plain_text_refresh_token"
// (and the other secret-bearing keys listed in mask.cc), with ***. Works on text that is not
// valid JSON too.
std::string MaskSecrets(std::string_view text);

// The value to print for a request header: *** for Authorization (whatever its scheme),
// otherwise the value with MaskSecrets applied.
std::string MaskHeaderValue(std::string_view name, std::string_view value);

}  // namespace opscale::cli
