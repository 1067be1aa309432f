#include "cli/mask.h"

#include <strings.h>

#include <array>
#include <cctype>

namespace opscale::cli {
namespace {

constexpr std::array<std::string_view, 3> kSecretPrefixes = {"pscale_tkn_", "pscale_oauth_", "pscale_pw_"};

constexpr std::array<std::string_view, 10> kSecretKeys = {
    "token",        "plain_text",    "password",      "api_token",      "plain_text_refresh_token",
    "access_token", "refresh_token", "client_secret", "admin_password", "device_code",
};

// Secret fields of form bodies and query strings (OAuth token, revoke and device requests).
constexpr std::array<std::string_view, 12> kSecretFormKeys = {
    "token",         "access_token", "refresh_token", "device_code",   "client_secret", "code",
    "code_verifier", "password",     "api_token",     "service_token", "plain_text",    "id_token",
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent- and plus-decoding of a form key.
std::string FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

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

std::string MaskFormBody(std::string_view form) {
  std::string out;
  out.reserve(form.size());
  size_t start = 0;
  while (start <= form.size()) {
    size_t amp = form.find('&', start);
    std::string_view pair =
        form.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out += MaskSecrets(pair);
    } else {
      std::string key = FormDecode(pair.substr(0, eq));
      bool secret = false;
      for (auto k : kSecretFormKeys) secret = secret || key == k;
      out.append(pair.substr(0, eq + 1));
      out += secret ? std::string(kMasked) : MaskSecrets(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    start = amp + 1;
  }
  return out;
}

std::string MaskUrl(std::string_view url) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return MaskSecrets(url);
  size_t hash = url.find('#', q);
  std::string out = MaskSecrets(url.substr(0, q + 1));
  out +=
      MaskFormBody(url.substr(q + 1, hash == std::string_view::npos ? std::string_view::npos : hash - q - 1));
  if (hash != std::string_view::npos) out += MaskSecrets(url.substr(hash));
  return out;
}

std::string MaskHeaderValue(std::string_view name, std::string_view value) {
  if (name.size() == 13 && strncasecmp(name.data(), "authorization", 13) == 0) return std::string(kMasked);
  return MaskSecrets(value);
}

}  // namespace opscale::cli
