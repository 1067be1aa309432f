#include "index_scenario.h"

#include <random>

#include "auth/access.h"
#include "auth/token_format.h"
#include "common/ids.h"

namespace opscale::bench {
namespace {

constexpr TimeMs kEpoch = 1'700'000'000'000;

// Ids from the seeded generator: the layout is reproducible, and 1M ids do
// not cost 1M calls to the OS random source.
std::string Id(std::mt19937_64& rng) {
  std::string id(12, 'a');
  for (char& c : id) c = kLowerAlnum[rng() % kLowerAlnum.size()];
  return id;
}

std::vector<Access> AccessesAt(AccessLevel level) {
  std::vector<Access> out;
  for (const auto& info : AccessCatalog())
    if (info.level == level) out.push_back(info.access);
  return out;
}

}  // namespace

Scenario MakeScenario(const ScenarioOptions& o, const SecretHasher& hasher) {
  std::mt19937_64 rng(o.seed);
  Scenario s;
  for (size_t i = 0; i < o.organizations; ++i)
    s.orgs.push_back(Organization{Id(rng), "org-" + std::to_string(i), kEpoch, kEpoch});
  std::vector<std::vector<size_t>> dbs_of_org(o.organizations);
  for (size_t i = 0; i < o.databases; ++i) {
    Database d;
    d.id = Id(rng);
    d.org_id = s.orgs[i % o.organizations].id;
    d.name = "db-" + std::to_string(i);
    d.created_by = Actor{ActorType::kSystem, "", "bench"};
    d.created_at = d.updated_at = kEpoch;
    dbs_of_org[i % o.organizations].push_back(i);
    s.databases.push_back(std::move(d));
  }

  const std::vector<Access> org_level = AccessesAt(AccessLevel::kOrganization);
  std::vector<Access> db_level = AccessesAt(AccessLevel::kDatabase);
  std::erase(db_level, Access::kReadBranch);
  s.tokens.reserve(o.tokens);
  s.grants.reserve(o.tokens * kGrantsPerToken);
  s.headers.reserve(o.tokens);
  s.read_targets.reserve(o.tokens);
  for (size_t i = 0; i < o.tokens; ++i) {
    const size_t org = rng() % o.organizations;
    ServiceToken t;
    t.id = Id(rng);
    t.org_id = s.orgs[org].id;
    t.name = "ci-token-" + std::to_string(1'000'000 + i);
    std::string secret = GenerateSecret(kServiceTokenPrefix);
    t.secret_hash = hasher.Hash(secret);
    t.created_by = Actor{ActorType::kSystem, "", "bench"};
    t.created_at = t.updated_at = kEpoch + static_cast<TimeMs>(i);
    s.headers.push_back(t.id + ":" + secret);

    auto grant = [&](ResourceType type, const std::string& resource_id, Access a) {
      s.grants.push_back(Grant{Id(rng), t.id, type, resource_id, std::string(AccessName(a)),
                               t.created_at});
    };
    grant(ResourceType::kOrganization, t.org_id, org_level[rng() % org_level.size()]);
    // Two databases of its organization (the same one twice if it has one).
    const auto& dbs = dbs_of_org[org];
    const Database& a = s.databases[dbs[rng() % dbs.size()]];
    const Database& b = s.databases[dbs[rng() % dbs.size()]];
    grant(ResourceType::kDatabase, a.id, Access::kReadBranch);
    // Four distinct (database, access) pairs: draw the second access on `a`
    // from the first half of the list and both on `b` from the second half.
    const size_t half = db_level.size() / 2;
    grant(ResourceType::kDatabase, a.id, db_level[rng() % half]);
    const size_t x = half + rng() % (db_level.size() - half);
    size_t y = half + rng() % (db_level.size() - half - 1);
    if (y >= x) ++y;
    grant(ResourceType::kDatabase, b.id, db_level[x]);
    grant(ResourceType::kDatabase, b.id, db_level[y]);
    s.read_targets.push_back(Resource::Org(t.org_id, s.orgs[org].name).Database(a.id, a.name));
    s.tokens.push_back(std::move(t));
  }
  return s;
}

IndexSnapshot SnapshotOf(const Scenario& s) {
  IndexSnapshot snap;
  snap.orgs = s.orgs;
  snap.service_tokens = s.tokens;
  snap.grants = s.grants;
  return snap;
}

Status WriteScenario(Store& store, const Scenario& s, size_t batch) {
  OPSCALE_RETURN_IF_ERROR(store.Transact([&](Store& tx) -> Status {
    for (const auto& org : s.orgs) OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(org));
    for (const auto& db : s.databases) OPSCALE_RETURN_IF_ERROR(tx.InsertDatabase(db));
    return Status::Ok();
  }));
  for (size_t begin = 0; begin < s.tokens.size(); begin += batch) {
    const size_t end = std::min(s.tokens.size(), begin + batch);
    OPSCALE_RETURN_IF_ERROR(store.Transact([&](Store& tx) -> Status {
      for (size_t i = begin; i < end; ++i) {
        OPSCALE_RETURN_IF_ERROR(tx.InsertServiceToken(s.tokens[i]));
        for (int g = 0; g < kGrantsPerToken; ++g)
          OPSCALE_RETURN_IF_ERROR(tx.InsertGrant(s.grants[i * kGrantsPerToken + g]));
      }
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

}  // namespace opscale::bench
