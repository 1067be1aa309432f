#include "service/sessions.h"

#include <algorithm>

#include "auth/token_format.h"
#include "common/ids.h"
#include "common/text.h"
#include "service/bootstrap.h"

namespace opscale {

namespace {

constexpr const char* kWrongCredentials = "Wrong email or password.";

// A valid Argon2id hash of a random password, verified against when the email
// is unknown, so that a wrong email costs as long as a wrong password.
const std::string& DecoyHash() {
  static const std::string hash = [] {
    auto h = HashPassword(RandomString(24, kBase62));
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

}  // namespace

std::string SessionService::CsrfToken(const std::string& secret) const {
  return core_->index().hasher().Hash("csrf:" + secret);
}

Status SessionService::DropExpiredSessions(TimeMs now) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  for (const auto& t : all) {
    if (t.kind != kSessionKind || !t.expires_at || *t.expires_at > now) continue;
    OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) { return tx.DeleteApiToken(t.id); },
                                         [&] { core_->index().RemoveApiToken(t.id); }));
  }
  return Status::Ok();
}

Result<SessionInfo> SessionService::Login(const std::string& raw_email,
                                          const std::string& password,
                                          const std::string& remote_ip, int64_t* retry_after_s) {
  *retry_after_s = 0;
  const std::string email = AsciiLower(raw_email);
  TimeMs now = NowMs();
  // The failure windows run on the monotonic clock: a wall-clock step must
  // neither lift nor stretch a block.
  TimeMs tick = MonotonicMs();
  RateDecision by_email = email_failures_.Peek(email, tick);
  RateDecision by_address = address_failures_.Peek(remote_ip, tick);
  if (!by_email.allowed || !by_address.allowed) {
    int64_t wait = std::max(by_email.retry_after_s, by_address.retry_after_s);
    *retry_after_s = wait;
    return Status::RateLimited("Too many failed sign-in attempts. Try again in " +
                               std::to_string(wait) + " seconds.");
  }
  if (email.empty() || password.empty())
    return Status::Unprocessable("email and password are required");

  auto user = core_->store().GetUserByEmail(email);
  bool ok = false;
  if (user.ok()) {
    ok = VerifyPassword(password, user->password_hash);
  } else if (user.status().code() == Code::kNotFound) {
    (void)VerifyPassword(password, DecoyHash());
  } else {
    return user.status();  // store trouble: fail closed, not "wrong password"
  }
  if (!ok) {
    email_failures_.Record(email, tick);
    address_failures_.Record(remote_ip, tick);
    return Status::Unauthenticated(kWrongCredentials);
  }
  email_failures_.Forget(email);
  OPSCALE_RETURN_IF_ERROR(DropExpiredSessions(now));

  SessionInfo out;
  out.secret = GenerateSecret(kApiTokenPrefix);
  ApiToken token;
  token.id = NewId();
  token.user_id = user->id;
  token.kind = kSessionKind;
  token.name = "dashboard session";
  token.secret_hash = core_->index().hasher().Hash(out.secret);
  token.created_at = now;
  token.expires_at = now + options_.ttl_ms;
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) { return tx.InsertApiToken(token); },
                                       [&] { core_->index().PutApiToken(token); }));
  out.user = std::move(user).value();
  out.csrf_token = CsrfToken(out.secret);
  out.expires_at = *token.expires_at;
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Membership> ms, core_->store().ListMemberships());
  for (const auto& m : ms) {
    if (m.user_id != out.user.id) continue;
    if (auto name = core_->index().OrgNameById(m.org_id)) out.organizations.emplace_back(*name, m.role);
  }
  std::sort(out.organizations.begin(), out.organizations.end());
  return out;
}

Result<SessionInfo> SessionService::Describe(const RequestContext& ctx, const std::string& secret) {
  SessionInfo out;
  OPSCALE_ASSIGN_OR_RETURN(out.user, core_->store().GetUserById(ctx.principal.id));
  out.csrf_token = CsrfToken(secret);
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> all, core_->store().ListApiTokens());
  for (const auto& t : all)
    if (t.id == ctx.principal.credential_id && t.expires_at) out.expires_at = *t.expires_at;
  for (const auto& [org_id, role] : ctx.principal.roles)
    if (auto name = core_->index().OrgNameById(org_id)) out.organizations.emplace_back(*name, role);
  std::sort(out.organizations.begin(), out.organizations.end());
  return out;
}

Status SessionService::Logout(const RequestContext& ctx) {
  const std::string id = ctx.principal.credential_id;
  return core_->Write([&](Store& tx) { return tx.DeleteApiToken(id); },
                      [&] { core_->index().RemoveApiToken(id); });
}

}  // namespace opscale
