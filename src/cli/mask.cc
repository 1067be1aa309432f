#include "cli/mask.h"

#include <strings.h>

#include <array>
#include <cctype>

namespace opscale::cli {
namespace {

constexpr std::array<std::string_view, 3> kSecretPrefixes = {"pscale_tkn_", "pscale_oauth_", "pscale_pw_"};

constexpr std::array<std::string_view, 9> kSecretKeys = {
    "token",        "plain_text",    "password",      "api_token",      "plain_text_refresh_token",
    "access_token", "refresh_token", "client_secret", "admin_password",
};

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Replaces the string values of secret JSON keys.
std::string MaskJsonValues(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] != '"') {
      out += in[i++];
      continue;
    }
    // Read a quoted string starting at i.
    size_t j = i + 1;
    while (j < in.size() && in[j] != '"') j += (in[j] == '\\') ? 2 : 1;
    if (j >= in.size()) {
      out.append(in.substr(i));
      break;
    }
    std::string_view key = in.substr(i + 1, j - i - 1);
    out.append(in.substr(i, j - i + 1));
    i = j + 1;
    bool secret = false;
    for (auto k : kSecretKeys) secret = secret || key == k;
    if (!secret) continue;
    size_t k = i;
    while (k < in.size() && std::isspace(static_cast<unsigned char>(in[k]))) ++k;
    if (k >= in.size() || in[k] != ':') continue;
    ++k;
    while (k < in.size() && std::isspace(static_cast<unsigned char>(in[k]))) ++k;
    if (k >= in.size() || in[k] != '"') continue;
    size_t end = k + 1;
    while (end < in.size() && in[end] != '"') end += (in[end] == '\\') ? 2 : 1;
    out.append(in.substr(i, k - i + 1));  // separator and opening quote
    out.append(kMasked);
    if (end >= in.size()) return out;  // unterminated: drop the rest
    out += '"';
    i = end + 1;
  }
  return out;
}

}  // namespace

std::string MaskSecrets(std::string_view text) {
  std::string step = MaskJsonValues(text);
  std::string out;
  out.reserve(step.size());
  size_t i = 0;
  while (i < step.size()) {
    bool hit = false;
    for (auto p : kSecretPrefixes) {
      if (step.compare(i, p.size(), p) == 0 && (i == 0 || !IsTokenChar(step[i - 1]))) {
        size_t end = i + p.size();
        while (end < step.size() && IsTokenChar(step[end])) ++end;
        out.append(kMasked);
        i = end;
        hit = true;
        break;
      }
    }
    if (!hit) out += step[i++];
  }
  return out;
}

std::string MaskHeaderValue(std::string_view name, std::string_view value) {
  if (name.size() == 13 && strncasecmp(name.data(), "authorization", 13) == 0) return std::string(kMasked);
  return MaskSecrets(value);
}

}  // namespace opscale::cli
