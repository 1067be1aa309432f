// Service tokens: create, list, show, delete, and grant/revoke accesses
// (SPEC §3). Every change is audited; the in-memory index is updated by the
// same write, so a deleted token or removed access fails on the next request.
//
// Thread-safety: safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "service/core.h"

namespace opscale {

// A grant with the name of the resource it is on.
struct GrantView {
  Grant grant;
  std::string resource_name;
  TimeMs resource_created_at = 0;
  TimeMs resource_updated_at = 0;
};

struct ServiceTokenView {
  ServiceToken token;
  std::vector<GrantView> grants;
  std::optional<std::string> secret;  // set only by Create
};

class ServiceTokenService {
 public:
  explicit ServiceTokenService(ServiceCore* core) : core_(core) {}

  // ttl_seconds: nullopt or 0 means no expiry; negative is Unprocessable.
  Result<ServiceTokenView> Create(const RequestContext& ctx, const std::string& org,
                                  std::optional<std::string> name,
                                  std::optional<int64_t> ttl_seconds);
  Result<std::vector<ServiceTokenView>> List(const RequestContext& ctx, const std::string& org);
  Result<ServiceTokenView> Get(const RequestContext& ctx, const std::string& org,
                               const std::string& id);
  Status Delete(const RequestContext& ctx, const std::string& org, const std::string& id);

  // database empty: organization-level accesses. Returns the token's grants
  // on that resource after the change.
  Result<std::vector<GrantView>> AddAccess(const RequestContext& ctx, const std::string& org,
                                           const std::string& id, const std::string& database,
                                           const std::vector<std::string>& accesses);
  Status RemoveAccess(const RequestContext& ctx, const std::string& org, const std::string& id,
                      const std::string& database, const std::vector<std::string>& accesses);

 private:
  // What AddAccess and RemoveAccess share: the checked org, token, target
  // resource and parsed accesses.
  struct AccessChange {
    Organization org;
    ServiceToken token;
    Resource target;
    ResourceType type = ResourceType::kOrganization;
    std::string resource_id, resource_name;
    std::optional<Database> database;  // the target, when it is a database
    std::vector<Access> accesses;
  };
  Result<AccessChange> PrepareChange(const RequestContext& ctx, const std::string& org,
                                     const std::string& id, const std::string& database,
                                     const std::vector<std::string>& names);
  static AuditEvent ChangeEvent(const RequestContext& ctx, const AccessChange& c,
                                const std::string& action, const std::vector<std::string>& names);
  Result<ServiceTokenView> Load(const Organization& org, const std::string& id);
  // `known`, if given, is used for grants on that database instead of
  // reading it from the store.
  Result<std::vector<GrantView>> Views(const Organization& org, const std::vector<Grant>& grants,
                                       const Database* known = nullptr);

  ServiceCore* core_;
};

}  // namespace opscale
