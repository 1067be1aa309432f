#include "auth/authenticator.h"

#include "auth/token_format.h"

namespace opscale {

AuthOutcome Authenticator::Check(const std::string& header, TimeMs now) const {
  for (unsigned char c : header)
    if (c < 0x20 || c > 0x7e) return {};  // non-ASCII or control bytes: never a credential
  static const std::string kBearer = "Bearer ";
  if (header.compare(0, kBearer.size(), kBearer) == 0) {
    std::string secret = header.substr(kBearer.size());
    if (!IsWellFormedSecret(secret, kApiTokenPrefix)) return {};
    return index_->CheckBearer(secret, now);
  }
  auto colon = header.find(':');
  if (colon == std::string::npos || header.find(':', colon + 1) != std::string::npos) return {};
  std::string id = header.substr(0, colon);
  std::string secret = header.substr(colon + 1);
  if (!IsWellFormedId(id) || !IsWellFormedSecret(secret, kServiceTokenPrefix)) return {};
  return index_->CheckServiceToken(id, secret, now);
}

Result<Principal> Authenticator::Authenticate(const std::string& header, TimeMs now) const {
  if (header.empty()) return Status::Unauthenticated(kUnauthorizedMessage);
  if (gate_) OPSCALE_RETURN_IF_ERROR(gate_());
  AuthOutcome out = Check(header, now);
  if (!out.principal && on_miss_ && on_miss_()) out = Check(header, now);
  if (!out.principal) return Status::Unauthenticated(kUnauthorizedMessage);
  if (on_used_) on_used_(*out.principal, out.last_used_at);
  return std::move(*out.principal);
}

Result<Principal> Authenticator::AuthenticateSession(const std::string& secret,
                                                    TimeMs now) const {
  if (gate_) OPSCALE_RETURN_IF_ERROR(gate_());
  auto check = [&]() -> AuthOutcome {
    if (!IsWellFormedSecret(secret, kApiTokenPrefix)) return {};
    return index_->CheckBearer(secret, now, CredentialIndex::BearerKind::kSession);
  };
  AuthOutcome out = check();
  if (!out.principal && on_miss_ && on_miss_()) out = check();
  if (!out.principal) return Status::Unauthenticated(kUnauthorizedMessage);
  if (on_used_) on_used_(*out.principal, out.last_used_at);
  return std::move(*out.principal);
}

}  // namespace opscale
