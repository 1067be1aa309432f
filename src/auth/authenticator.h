// Authenticator: turns an Authorization header into a Principal (DESIGN
// rule 4). Accepted forms:
//   "<ID>:<TOKEN>"       service token (no scheme word)
//   "Bearer <TOKEN>"     user API / OAuth access token (pscale_oauth_...)
// Missing, malformed, unknown, wrong, expired and deleted credentials all
// fail with the same 401 status and message.
//
// When the credential is not in the index at all, it may ask `on_miss` (if
// set) whether the store changed behind its back (another process created a
// token); if that returns true the index was refreshed and the check is
// retried once. A known credential with a wrong secret, or an expired one,
// never calls it: those cost no store access.
//
// Thread-safety: Authenticate is safe to call concurrently.
#pragma once

#include <functional>
#include <string>

#include "auth/credential_index.h"
#include "auth/principal.h"
#include "common/status.h"

namespace opscale {

inline constexpr const char* kUnauthorizedMessage =
    "Unauthorized: provide a valid service token as 'Authorization: <ID>:<TOKEN>' or an API "
    "token as 'Authorization: Bearer <TOKEN>'";

class Authenticator {
 public:
  using MissHook = std::function<bool()>;
  using UsedHook = std::function<void(const Principal&, std::optional<TimeMs> last_used_at)>;

  explicit Authenticator(const CredentialIndex* index) : index_(index) {}
  void set_on_miss(MissHook hook) { on_miss_ = std::move(hook); }
  // Called after each successful check (to record last_used_at, throttled).
  void set_on_used(UsedHook hook) { on_used_ = std::move(hook); }
  // Asked before every check whether the index may be trusted (several
  // nodes: a node that lost the change feed refreshes from the store or
  // refuses with 503 rather than trust a stale cache).
  void set_gate(std::function<Status()> gate) { gate_ = std::move(gate); }

  Result<Principal> Authenticate(const std::string& authorization_header, TimeMs now) const;
  // A dashboard session cookie's value: the same uniform 401 on any failure.
  Result<Principal> AuthenticateSession(const std::string& session_secret, TimeMs now) const;

 private:
  Result<Principal> Check(const std::string& header, TimeMs now,
                          std::optional<TimeMs>* last_used_at) const;
  // Runs `check` (Result<Principal>(std::optional<TimeMs>* last_used_at)),
  // then the miss and used hooks; any failure becomes the uniform 401.
  template <typename CheckFn>
  Result<Principal> WithHooks(const CheckFn& check) const;

  const CredentialIndex* index_;
  MissHook on_miss_;
  UsedHook on_used_;
  std::function<Status()> gate_;
};

}  // namespace opscale
