// Resource: a typed path org -> database -> branch (DESIGN rule 6). The
// Authorizer walks up the parents. Plain value.
#pragma once

#include <optional>
#include <string>

namespace opscale {

struct Resource {
  enum class Kind { kOrganization, kDatabase, kBranch };
  Kind kind = Kind::kOrganization;
  std::string org_id, org_name;
  std::string database_id, database_name;
  std::string branch_name;
  bool production = false;  // branches only

  static Resource Org(std::string id, std::string name) {
    Resource r;
    r.kind = Kind::kOrganization;
    r.org_id = std::move(id);
    r.org_name = std::move(name);
    return r;
  }
  Resource Database(std::string id, std::string name) const {
    Resource r = *this;
    r.kind = Kind::kDatabase;
    r.database_id = std::move(id);
    r.database_name = std::move(name);
    return r;
  }
  Resource Branch(std::string name, bool is_production) const {
    Resource r = *this;
    r.kind = Kind::kBranch;
    r.branch_name = std::move(name);
    r.production = is_production;
    return r;
  }
  std::optional<Resource> Parent() const {
    if (kind == Kind::kOrganization) return std::nullopt;
    Resource r = *this;
    r.kind = kind == Kind::kBranch ? Kind::kDatabase : Kind::kOrganization;
    return r;
  }
  // "organization acme", "database mydb", "branch mydb/dev"
  std::string Describe() const;
};

}  // namespace opscale
