// Members of an organization: list (read_organization) and add
// (write_organization, which among users only admins hold). Adding creates
// the user if new and returns, once, a password and an API token.
// Thread-safety: safe to call concurrently.
#pragma once

#include <string>
#include <vector>

#include "service/bootstrap.h"
#include "service/core.h"

namespace opscale {

struct MemberView {
  Membership membership;
  User user;
};

struct AddedMember {
  MemberView member;
  std::string password;   // empty if the user already existed
  std::string api_token;  // pscale_oauth_...
};

class MemberService {
 public:
  explicit MemberService(ServiceCore* core) : core_(core), bootstrap_(core) {}

  // By email.
  Result<std::vector<MemberView>> List(const RequestContext& ctx, const std::string& org);
  // 409 if the user is already a member; 422 for a bad email.
  Result<AddedMember> Add(const RequestContext& ctx, const std::string& org,
                          const std::string& email, Role role);

 private:
  ServiceCore* core_;
  BootstrapService bootstrap_;
};

}  // namespace opscale
