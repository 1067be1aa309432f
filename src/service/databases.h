// Databases and branches (SPEC §5 control-plane side; the MariaDB engine is
// attached in a later release). Each use case enforces its access with the
// 404/403 rule and audits every change.
//
// Thread-safety: safe to call concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "service/core.h"

namespace opscale {

struct DatabaseSettings {
  std::optional<bool> require_approval_for_deploy;
  std::optional<std::string> notes;
};

class DatabaseService {
 public:
  explicit DatabaseService(ServiceCore* core) : core_(core) {}

  // Databases the caller can see (empty when it sees none).
  Result<std::vector<Database>> List(const RequestContext& ctx, const std::string& org);
  // Creates the database and its production branch `main`. A service token
  // that creates a database is granted every database-level access on it.
  Result<Database> Create(const RequestContext& ctx, const std::string& org,
                          const std::string& name, const std::string& region);
  Result<Database> Get(const RequestContext& ctx, const std::string& org, const std::string& name);
  Result<Database> Update(const RequestContext& ctx, const std::string& org,
                          const std::string& name, const DatabaseSettings& settings);
  Status Delete(const RequestContext& ctx, const std::string& org, const std::string& name);

  Result<std::vector<Branch>> ListBranches(const RequestContext& ctx, const std::string& org,
                                           const std::string& db);
  // parent empty: the database's default branch.
  Result<Branch> CreateBranch(const RequestContext& ctx, const std::string& org,
                              const std::string& db, const std::string& name,
                              const std::string& parent);
  Result<Branch> GetBranch(const RequestContext& ctx, const std::string& org,
                           const std::string& db, const std::string& name);
  Status DeleteBranch(const RequestContext& ctx, const std::string& org, const std::string& db,
                      const std::string& name);
  // The branch's tables and their DDL, from the engine.
  Result<std::vector<engine::TableDdl>> BranchSchema(const RequestContext& ctx,
                                                     const std::string& org, const std::string& db,
                                                     const std::string& name);

 private:
  ServiceCore* core_;
};

}  // namespace opscale
