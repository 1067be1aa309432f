// Small text helpers shared by the layers. Pure functions; thread-safe.
#pragma once

#include <string>

namespace opscale {

// ASCII lower-casing (header names, emails, protocol tokens); other bytes unchanged.
inline std::string AsciiLower(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

}  // namespace opscale
