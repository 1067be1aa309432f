// Hides secrets in text shown by --debug. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

namespace opscale::cli {

inline constexpr std::string_view kMasked = "***";

// Replaces every pscale_tkn_…, pscale_oauth_… and pscale_pw_… string, and the string values
// of the JSON keys "token", "plain_text", "password", "api_token", "plain_text_refresh_token",
// "device_code" (and the other secret-bearing keys listed in mask.cc), with ***. Works on text
// that is not valid JSON too.
std::string MaskSecrets(std::string_view text);

// For application/x-www-form-urlencoded text (a form body or a URL query): the values of the
// secret fields (token, access_token, refresh_token, device_code, client_secret, code,
// code_verifier, password, ...) become ***; every other value gets MaskSecrets.
std::string MaskFormBody(std::string_view form);

// A URL with MaskSecrets applied and its query string masked as by MaskFormBody.
std::string MaskUrl(std::string_view url);

// The value to print for a request header: *** for Authorization (whatever its scheme),
// otherwise the value with MaskSecrets applied.
std::string MaskHeaderValue(std::string_view name, std::string_view value);

}  // namespace opscale::cli
