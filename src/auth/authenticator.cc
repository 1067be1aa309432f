#include "auth/authenticator.h"

#include <cstdint>
#include <cstring>

#include "auth/token_format.h"

namespace opscale {
namespace {

// True if a byte is not printable ASCII (0x20-0x7e): never part of a
// credential. Eight bytes at a time (every request's header goes through
// this): a byte below 0x20 sets its top bit when 0x20 is subtracted (and
// did not have it), a byte above 0x7e has it set once 0x01 is added. A
// borrow or carry into the next byte only starts at a bad byte, so the
// answer is exact.
bool HasNonPrintable(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kTops = 0x8080808080808080ULL;
  uint64_t bad = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    bad |= ((w - kOnes * 0x20) & ~w) | (w + kOnes * (0x7f - 0x7e)) | w;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    bad |= c < 0x20 || c > 0x7e ? kTops : 0;
  }
  return (bad & kTops) != 0;
}

}  // namespace

Result<Principal> Authenticator::Check(const std::string& header, TimeMs now,
                                       std::optional<TimeMs>* last_used_at) const {
  if (HasNonPrintable(header)) return Status::Unauthenticated("");  // control or non-ASCII
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view h = header;
  if (h.starts_with(kBearer)) {
    std::string_view secret = h.substr(kBearer.size());
    if (!IsWellFormedSecret(secret, kApiTokenPrefix)) return Status::Unauthenticated("");
    return index_->CheckBearer(std::string(secret), now, CredentialIndex::BearerKind::kApiToken,
                               last_used_at);
  }
  auto colon = h.find(':');
  if (colon == std::string_view::npos || h.find(':', colon + 1) != std::string_view::npos)
    return Status::Unauthenticated("");
  std::string_view id = h.substr(0, colon);
  if (!IsWellFormedId(id)) return Status::Unauthenticated("");
  // The index checks the secret's form too.
  return index_->CheckServiceToken(id, h.substr(colon + 1), now, last_used_at);
}

template <typename CheckFn>
Result<Principal> Authenticator::WithHooks(const CheckFn& check) const {
  // One named result, returned on every path, so the Principal is built in
  // place (moving one costs ~0.1 us, a tenth of the whole check).
  std::optional<TimeMs> last_used_at;
  Result<Principal> p = check(&last_used_at);
  if (!p.ok() && p.status().code() == Code::kNotFound && on_miss_ && on_miss_())
    p = check(&last_used_at);
  if (!p.ok()) {
    p = Status::Unauthenticated(kUnauthorizedMessage);
  } else if (on_used_) {
    on_used_(*p, last_used_at);
  }
  return p;
}

Result<Principal> Authenticator::Authenticate(const std::string& header, TimeMs now) const {
  if (header.empty()) return Status::Unauthenticated(kUnauthorizedMessage);
  if (gate_) OPSCALE_RETURN_IF_ERROR(gate_());
  return WithHooks(
      [&](std::optional<TimeMs>* last_used_at) { return Check(header, now, last_used_at); });
}

Result<Principal> Authenticator::AuthenticateSession(const std::string& secret,
                                                    TimeMs now) const {
  if (gate_) OPSCALE_RETURN_IF_ERROR(gate_());
  return WithHooks([&](std::optional<TimeMs>* last_used_at) -> Result<Principal> {
    if (!IsWellFormedSecret(secret, kApiTokenPrefix)) return Status::Unauthenticated("");
    return index_->CheckBearer(secret, now, CredentialIndex::BearerKind::kSession, last_used_at);
  });
}

}  // namespace opscale
