// The CLI version reported by --version, User-Agent and pscale-cli-version. Thread-safe.
#pragma once

namespace opscale::cli {

#ifdef OPSCALE_VERSION
inline constexpr const char* kVersion = OPSCALE_VERSION;
#else
inline constexpr const char* kVersion = "0.0.0-dev";
#endif

// opscale's CLI talks to a local opscaled by default (pscale's default is the public API).
inline constexpr const char* kDefaultApiUrl = "http://127.0.0.1:8080/";

}  // namespace opscale::cli
