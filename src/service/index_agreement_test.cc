// The fast path must say what the store says. Two parts:
//  - a smoke run of the credential-index benchmarks' scenario (bench/) at a
//    tiny size, so the benchmarks cannot rot;
//  - a randomized differential test: random orgs, databases, tokens and
//    grants written to a real SQLite store, the index loaded from it (and
//    then kept current the way the services do), and thousands of random
//    (header, access, resource) questions answered both by Authenticator +
//    Authorizer and by reading the store directly and applying the rules
//    independently (see Oracle below).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>
#include <set>

#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "index_scenario.h"
#include "service/core.h"

namespace opscale {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/opscale-index-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string kKey(32, 'k');

// --- Smoke run of the benchmark scenario ---

TEST(IndexBenchSmokeTest, VerifyAndAuthorizeScenario) {
  CredentialIndex index{SecretHasher(kKey)};
  bench::Scenario s =
      bench::MakeScenario({.tokens = 200, .organizations = 4, .databases = 20}, index.hasher());
  ASSERT_EQ(s.grants.size(), 200u * bench::kGrantsPerToken);
  index.Load(bench::SnapshotOf(s));
  Authenticator auth(&index);
  for (size_t i = 0; i < s.tokens.size(); ++i) {
    EXPECT_TRUE(bench::VerifyAndAuthorize(auth, s.headers[i], s.read_targets[i], NowMs())) << i;
    std::string wrong = s.tokens[i].id + ":" + GenerateSecret(kServiceTokenPrefix);
    EXPECT_FALSE(bench::VerifyAndAuthorize(auth, wrong, s.read_targets[i], NowMs())) << i;
  }
}

TEST(IndexBenchSmokeTest, StartUpFromStoreScenario) {
  TempDir dir;
  auto store = OpenStore("sqlite", dir.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  CredentialIndex index{SecretHasher(kKey)};
  bench::Scenario s =
      bench::MakeScenario({.tokens = 200, .organizations = 4, .databases = 20}, index.hasher());
  ASSERT_TRUE(bench::WriteScenario(**store, s, /*batch=*/64).ok());
  ServiceCore core(store->get(), &index, nullptr);
  ASSERT_TRUE(core.ReloadIndex().ok());
  EXPECT_EQ(index.service_token_count(), 200u);
  Authenticator auth(&index);
  for (size_t i = 0; i < s.tokens.size(); ++i)
    EXPECT_TRUE(bench::VerifyAndAuthorize(auth, s.headers[i], s.read_targets[i], NowMs())) << i;
}

// --- Randomized differential test ---

// The store-side answer, computed from rows alone with the rules spelled out
// again here (SPEC §3), not with the Authorizer: a token outside the
// resource's organization sees nothing; it sees a database if it holds any
// database-level access on it or read_databases on the organization; a
// branch if, in addition, it holds one of the branch-read accesses on the
// database; and then an access is allowed if held at its own level.
class Oracle {
 public:
  Oracle(Store* store, std::vector<std::string> org_ids)
      : store_(store), org_ids_(std::move(org_ids)) {}

  Code Answer(const std::string& header, Access a, const Resource& r, TimeMs now) const {
    auto colon = header.find(':');
    if (colon == std::string::npos) return Code::kUnauthenticated;
    const std::string id = header.substr(0, colon), secret = header.substr(colon + 1);
    std::optional<ServiceToken> token;
    for (const auto& org : org_ids_) {
      auto t = store_->GetServiceToken(org, id);
      if (t.ok()) token = *t;
    }
    if (!token) return Code::kUnauthenticated;
    // Independent of SecretHasher: OpenSSL's one-shot HMAC.
    if (crypto::Hex(crypto::HmacSha256(kKey, secret)) != token->secret_hash)
      return Code::kUnauthenticated;
    if (token->expires_at && *token->expires_at <= now) return Code::kUnauthenticated;
    auto grants = store_->ListGrants(id);
    EXPECT_TRUE(grants.ok());

    auto held_on_org = [&](const std::string& name) {
      for (const auto& g : *grants)
        if (g.resource_type == ResourceType::kOrganization && g.access == name) return true;
      return false;
    };
    auto held_on_db = [&](const std::string& name) {
      for (const auto& g : *grants)
        if (g.resource_type == ResourceType::kDatabase && g.resource_id == r.database_id &&
            g.access == name)
          return true;
      return false;
    };
    auto any_db_level_on_db = [&] {
      for (const auto& g : *grants) {
        auto known = ParseAccess(g.access);
        if (g.resource_type == ResourceType::kDatabase && g.resource_id == r.database_id && known &&
            Info(*known).level == AccessLevel::kDatabase)
          return true;
      }
      return false;
    };

    if (token->org_id != r.org_id) return Code::kNotFound;
    if (r.kind != Resource::Kind::kOrganization) {
      if (!any_db_level_on_db() && !held_on_org("read_databases")) return Code::kNotFound;
      if (r.kind == Resource::Kind::kBranch) {
        bool branch_read = false;
        for (const char* n : {"read_branch", "delete_branch", "create_branch",
                              "connect_production_branch", "connect_branch"})
          branch_read |= held_on_db(n);
        if (!branch_read) return Code::kNotFound;
      }
    }
    const std::string name(AccessName(a));
    const bool allowed = Info(a).level == AccessLevel::kOrganization
                             ? held_on_org(name)
                             : r.kind != Resource::Kind::kOrganization && held_on_db(name);
    return allowed ? Code::kOk : Code::kPermissionDenied;
  }

 private:
  Store* store_;
  std::vector<std::string> org_ids_;
};

class IndexAgreementTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    auto store = OpenStore("sqlite", dir_.path());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    core_ = std::make_unique<ServiceCore>(store_.get(), &index_, nullptr);
    rng_.seed(GetParam());
  }

  size_t Pick(size_t n) { return rng_() % n; }
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }

  // Random population, written to the store only (the index is loaded later).
  void Populate() {
    const TimeMs now = NowMs();
    ASSERT_TRUE(store_->Transact([&](Store& tx) -> Status {
      for (int o = 0; o < 3; ++o) {
        Organization org{NewId(), "org" + std::to_string(o), now, now};
        OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(org));
        orgs_.push_back(org);
        for (int d = 0; d < 4; ++d) {
          Database db;
          db.id = NewId();
          db.org_id = org.id;
          db.name = "db" + std::to_string(d);
          db.created_at = db.updated_at = now;
          OPSCALE_RETURN_IF_ERROR(tx.InsertDatabase(db));
          dbs_.push_back(db);
        }
      }
      for (int i = 0; i < 60; ++i) {
        ServiceToken t;
        t.id = NewId();
        t.org_id = orgs_[Pick(orgs_.size())].id;
        if (Chance(70)) t.name = "token " + std::to_string(i);
        const std::string secret = GenerateSecret(kServiceTokenPrefix);
        t.secret_hash = crypto::Hex(crypto::HmacSha256(kKey, secret));
        if (Chance(15)) t.expires_at = now - 1 - static_cast<TimeMs>(Pick(100000));  // expired
        else if (Chance(20)) t.expires_at = now + 3'600'000;
        t.created_at = t.updated_at = now;
        OPSCALE_RETURN_IF_ERROR(tx.InsertServiceToken(t));
        tokens_.push_back(t);
        secrets_.push_back(secret);
        const int n = static_cast<int>(Pick(9));
        for (int g = 0; g < n; ++g) OPSCALE_RETURN_IF_ERROR(tx.InsertGrant(RandomGrant(t)));
      }
      return Status::Ok();
    }).ok());
  }

  // A grant as the services make them, plus some the services would refuse
  // (other org's database, an access of the other level, an unknown name):
  // the two paths must agree on those too.
  Grant RandomGrant(const ServiceToken& t) {
    static const std::vector<std::string> kOrgLevel = Names(AccessLevel::kOrganization);
    static const std::vector<std::string> kDbLevel = Names(AccessLevel::kDatabase);
    Grant g;
    g.id = NewId();
    g.token_id = t.id;
    g.created_at = NowMs();
    const bool on_org = Chance(30);
    g.resource_type = on_org ? ResourceType::kOrganization : ResourceType::kDatabase;
    if (on_org) {
      g.resource_id = t.org_id;
    } else {
      std::vector<const Database*> own;
      for (const auto& db : dbs_)
        if (db.org_id == t.org_id) own.push_back(&db);
      g.resource_id = Chance(85) ? own[Pick(own.size())]->id : dbs_[Pick(dbs_.size())].id;
    }
    const auto& same = on_org ? kOrgLevel : kDbLevel;
    const auto& other = on_org ? kDbLevel : kOrgLevel;
    if (Chance(5)) g.access = "not_an_access_yet";
    else if (Chance(5)) g.access = other[Pick(other.size())];
    else g.access = same[Pick(same.size())];
    return g;
  }

  const Organization& OrgOf(const ServiceToken& t) const {
    for (const auto& o : orgs_)
      if (o.id == t.org_id) return o;
    return orgs_.front();
  }

  static std::vector<std::string> Names(AccessLevel level) {
    std::vector<std::string> out;
    for (const auto& info : AccessCatalog())
      if (info.level == level) out.emplace_back(info.name);
    return out;
  }

  // Changes made the way the services make them: store write, then index.
  void Mutate() {
    for (int i = 0; i < 8; ++i) {  // delete tokens
      const ServiceToken t = tokens_[Pick(tokens_.size())];
      (void)core_->Write([&](Store& tx) { return tx.DeleteServiceToken(t.id); },
                         [&] { index_.RemoveServiceToken(t.id); });
    }
    for (int i = 0; i < 30; ++i) {  // remove grants
      const ServiceToken& t = tokens_[Pick(tokens_.size())];
      auto grants = store_->ListGrants(t.id);
      ASSERT_TRUE(grants.ok());
      if (grants->empty()) continue;
      const Grant g = (*grants)[Pick(grants->size())];
      ASSERT_TRUE(core_->Write(
          [&](Store& tx) { return tx.DeleteGrant(g.token_id, g.resource_type, g.resource_id, g.access); },
          [&] { index_.RemoveGrant(g.token_id, g.resource_type, g.resource_id, g.access); }).ok());
    }
    for (int i = 0; i < 40; ++i) {  // add grants (a deleted token's fail in the store)
      const ServiceToken& t = tokens_[Pick(tokens_.size())];
      const Grant g = RandomGrant(t);
      (void)core_->Write([&](Store& tx) { return tx.InsertGrant(g); },
                         [&] { index_.PutGrant(g); });
    }
    const Database db = dbs_[Pick(dbs_.size())];  // delete a database and its grants
    ASSERT_TRUE(core_->Write([&](Store& tx) { return tx.DeleteDatabase(db.id); },
                             [&] { index_.RemoveDatabase(db.id); }).ok());
  }

  // Asks both paths `n` random questions; returns how many were allowed.
  int Compare(int n) {
    Authenticator auth(&index_);
    std::vector<std::string> org_ids;
    for (const auto& o : orgs_) org_ids.push_back(o.id);
    Oracle oracle(store_.get(), org_ids);
    const auto catalog = AccessCatalog();
    int allowed = 0;
    std::set<Code> seen;
    for (int i = 0; i < n; ++i) {
      const size_t t = Pick(tokens_.size());
      std::string header;
      const int kind = static_cast<int>(Pick(100));
      if (kind < 75) header = tokens_[t].id + ":" + secrets_[t];
      else if (kind < 85) header = tokens_[t].id + ":" + GenerateSecret(kServiceTokenPrefix);
      else if (kind < 90) header = tokens_[t].id + ":" + secrets_[Pick(secrets_.size())];
      else if (kind < 95) header = NewId() + ":" + secrets_[t];
      else header = tokens_[t].id + ":" + secrets_[t].substr(0, 40);
      // Half the questions are about something the token was granted (else
      // nearly every answer would be a refusal), half are random.
      Access a = catalog[Pick(catalog.size())].access;
      const Database* db = &dbs_[Pick(dbs_.size())];
      bool on_org = Pick(3) == 0;
      auto grants = store_->ListGrants(tokens_[t].id);
      if (grants.ok() && !grants->empty() && Chance(50)) {
        const Grant& g = (*grants)[Pick(grants->size())];
        a = ParseAccess(g.access).value_or(a);
        on_org = g.resource_type == ResourceType::kOrganization;
        for (const auto& d : dbs_)
          if (!on_org && d.id == g.resource_id) db = &d;
      }
      const Organization* db_org = nullptr;
      for (const auto& o : orgs_)
        if (o.id == db->org_id) db_org = &o;
      Resource r;
      if (on_org) {
        const Organization& o = Chance(80) ? OrgOf(tokens_[t]) : orgs_[Pick(orgs_.size())];
        r = Resource::Org(o.id, o.name);
      } else {
        r = Resource::Org(db_org->id, db_org->name).Database(db->id, db->name);
        if (Chance(50)) r = r.Branch("main", Chance(50));
      }

      const TimeMs now = NowMs();
      auto p = auth.Authenticate(header, now);
      const Code fast = p.ok() ? Authorizer::Authorize(*p, a, r).code() : p.status().code();
      const Code slow = oracle.Answer(header, a, r, now);
      if (p.ok()) {
        EXPECT_EQ(Authorizer::IsAllowed(*p, a, r), fast == Code::kOk);
      }
      EXPECT_EQ(fast, slow) << "seed " << GetParam() << " query " << i << ": token "
                            << tokens_[t].id << ", access " << AccessName(a) << " on "
                            << r.Describe() << " (header kind " << kind << ")";
      if (fast != slow) return allowed;  // one failure is enough to debug
      allowed += fast == Code::kOk;
      seen.insert(fast);
    }
    // The questions must have exercised every outcome.
    EXPECT_EQ(seen.size(), 4u) << "seed " << GetParam();
    return allowed;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  CredentialIndex index_{SecretHasher(kKey)};
  std::unique_ptr<ServiceCore> core_;
  std::mt19937_64 rng_;
  std::vector<Organization> orgs_;
  std::vector<Database> dbs_;
  std::vector<ServiceToken> tokens_;  // including the ones deleted later
  std::vector<std::string> secrets_;
};

TEST_P(IndexAgreementTest, IndexAndStoreAgree) {
  Populate();
  ASSERT_TRUE(core_->ReloadIndex().ok());
  EXPECT_GT(Compare(3000), 100);  // loaded from the store
  Mutate();
  EXPECT_GT(Compare(3000), 100);  // kept current by the write path
  ASSERT_TRUE(core_->ReloadIndex().ok());
  EXPECT_GT(Compare(3000), 100);  // reloaded after the changes
}

INSTANTIATE_TEST_SUITE_P(Seeds, IndexAgreementTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace opscale
