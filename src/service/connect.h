// ConnectService: authorizes a `connect` tunnel (SPEC §5). The CLI first
// makes a short-lived password for the session (POST .../passwords), then
// asks for a tunnel to the branch naming that password; the tunnel is
// allowed only with connect_branch (connect_production_branch on a
// production branch) and only for a password of that branch created by the
// same principal.
//
// Thread-safety: safe to call concurrently.
#pragma once

#include <string>

#include "service/core.h"

namespace opscale {

struct ConnectTarget {
  std::string org_id;
  std::string database_id;
  std::string branch_name;
  std::string engine_username;  // the session password's account
  std::string engine_host;
  int engine_port = 0;
};

class ConnectService {
 public:
  explicit ConnectService(ServiceCore* core) : core_(core) {}

  Result<ConnectTarget> Authorize(const RequestContext& ctx, const std::string& org,
                                  const std::string& db, const std::string& branch,
                                  const std::string& password_id);
  // Whether `principal_id` may still hold tunnels (a service token that was
  // deleted may not). Used right after a tunnel registered, to close the
  // race between authorization and registration.
  bool StillValid(const Principal& p) const;

 private:
  ServiceCore* core_;
};

}  // namespace opscale
