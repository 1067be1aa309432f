// MetadataCache: organizations, databases and branches by name, as last read
// from the store, so that a read request (GET a branch, say) touches no store
// at all: with SQLite each read is a transaction with file locks, about a
// quarter of a small request's cost (bench/README.md, row 2).
//
// Correctness rests on one rule: every change to the store reaches
// ServiceCore (its own Write, or a reload after another process or node
// committed), and ServiceCore calls Clear() after it. A reader that missed
// takes generation() BEFORE reading the store and passes it to Put*(); the
// value is kept only if no Clear() happened meanwhile, so a value read before
// a commit can never be cached after that commit's Clear().
//
// Negative answers (not found) are not cached. Each map is emptied when it
// outgrows kMaxEntries, so memory stays bounded.
//
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "domain/database.h"
#include "domain/organization.h"

namespace opscale {

class MetadataCache {
 public:
  using Generation = uint64_t;
  static constexpr size_t kMaxEntries = 100'000;

  Generation generation() const;
  // Forgets everything (the store changed).
  void Clear();

  std::optional<Organization> Org(const std::string& name) const;
  std::optional<Database> Db(const std::string& org_id, const std::string& name) const;
  std::optional<Branch> BranchOf(const std::string& database_id, const std::string& name) const;

  void PutOrg(Generation g, const Organization& org);
  void PutDb(Generation g, const Database& db);
  void PutBranch(Generation g, const Branch& b);

 private:
  static std::string Key(const std::string& parent_id, const std::string& name) {
    return parent_id + '\n' + name;  // ids never hold a newline
  }
  template <typename Map, typename V>
  void Put(Generation g, Map& map, std::string key, const V& v);

  mutable std::shared_mutex mu_;
  Generation generation_ = 0;
  std::unordered_map<std::string, Organization> orgs_;  // by name
  std::unordered_map<std::string, Database> dbs_;       // by Key(org id, name)
  std::unordered_map<std::string, Branch> branches_;    // by Key(database id, name)
};

}  // namespace opscale
