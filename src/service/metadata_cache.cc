#include "service/metadata_cache.h"

#include <mutex>

namespace opscale {
namespace {

template <typename Map>
std::optional<typename Map::mapped_type> Find(const Map& map, const std::string& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace

MetadataCache::Generation MetadataCache::generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

void MetadataCache::Clear() {
  std::unique_lock lock(mu_);
  ++generation_;
  orgs_.clear();
  dbs_.clear();
  branches_.clear();
}

std::optional<Organization> MetadataCache::Org(const std::string& name) const {
  std::shared_lock lock(mu_);
  return Find(orgs_, name);
}

std::optional<Database> MetadataCache::Db(const std::string& org_id,
                                          const std::string& name) const {
  std::shared_lock lock(mu_);
  return Find(dbs_, Key(org_id, name));
}

std::optional<Branch> MetadataCache::BranchOf(const std::string& database_id,
                                              const std::string& name) const {
  std::shared_lock lock(mu_);
  return Find(branches_, Key(database_id, name));
}

template <typename Map, typename V>
void MetadataCache::Put(Generation g, Map& map, std::string key, const V& v) {
  std::unique_lock lock(mu_);
  if (g != generation_) return;  // the store changed since the value was read
  if (map.size() >= kMaxEntries) map.clear();
  map.insert_or_assign(std::move(key), v);
}

void MetadataCache::PutOrg(Generation g, const Organization& org) { Put(g, orgs_, org.name, org); }

void MetadataCache::PutDb(Generation g, const Database& db) {
  Put(g, dbs_, Key(db.org_id, db.name), db);
}

void MetadataCache::PutBranch(Generation g, const Branch& b) {
  Put(g, branches_, Key(b.database_id, b.name), b);
}

}  // namespace opscale
