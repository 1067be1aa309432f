// Differential authorization (issue 9 item 7, in the style of SpiceDB's
// consistency tests): two organizations with databases, branches and
// passwords; random users (admins and members, some in both organizations)
// and service tokens with random organization- and database-level grants.
// For every principal and every resource, three answers must agree:
//   1. what the list endpoints return,
//   2. what the per-resource GETs allow,
//   3. an independent model of the rules, written here from SPEC §3,
//      reference/endpoint-accesses.md and docs/auth.md (not from the code).
// The seed is fixed (override with OPSCALE_TEST_SEED) and printed on failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;
using Names = std::set<std::string>;

// --- The model: access sets from endpoint-accesses.md and SPEC §3 ---

// DB*: any of these on a database lets the holder read it (get_database, list_databases).
const Names kDbStar = {
    "read_database", "delete_database", "write_database", "read_branch", "delete_branch",
    "create_branch", "promote_branches", "demote_branches", "delete_production_branch",
    "connect_branch", "connect_production_branch", "connect_production_read_only_branch",
    "delete_branch_password", "delete_production_branch_password",
    "delete_production_read_only_branch_password", "read_deploy_request", "create_deploy_request",
    "approve_deploy_request", "read_comment", "create_comment", "restore_backup",
    "restore_production_branch_backup", "read_backups", "write_backups", "delete_backups",
    "delete_production_branch_backups", "write_branch_vschema", "write_production_branch_vschema"};
// BR-R: list_branches, get_branch.
const Names kBranchRead = {"read_branch", "delete_branch", "create_branch",
                           "connect_production_branch", "connect_branch"};
// PW-R: list_passwords, get_password.
const Names kPasswordRead = {"read_branch", "delete_branch", "create_branch",
                             "connect_production_branch", "connect_production_read_only_branch",
                             "connect_branch"};
// Accesses that act on a branch's passwords without reading them (PW-W and
// the deletes): their holder knows the passwords exist, so a missing read is
// a 403 (SPEC §3: 404 only for what the caller may not see at all).
const Names kPasswordOther = {"connect_production_branch", "connect_production_read_only_branch",
                              "connect_branch", "delete_branch_password",
                              "delete_production_branch_password",
                              "delete_production_read_only_branch_password"};
// SPEC §3: what a member holds (admins hold everything).
const Names kMemberOrg = {"read_organization", "read_databases"};
const Names kMemberDb = {"read_database", "create_branch", "read_branch", "delete_branch",
                         "connect_branch", "create_deploy_request", "read_deploy_request",
                         "create_comment", "read_comment", "read_backups"};

// What tokens are granted at random (the four names outside DB* that no
// read endpoint lists, e.g. create_branch_password, are left out).
const std::vector<std::string> kOrgPool = {"read_organization", "read_databases",
                                           "read_service_tokens", "read_audit_logs",
                                           "write_service_tokens", "create_databases"};
const std::vector<std::string> kDbPool = {
    "read_database", "write_database", "read_branch", "create_branch", "delete_branch",
    "connect_branch", "connect_production_branch", "connect_production_read_only_branch",
    "delete_branch_password", "read_deploy_request", "read_backups", "delete_production_branch"};

bool Any(const Names& held, const Names& wanted) {
  for (const auto& a : held)
    if (wanted.count(a)) return true;
  return false;
}

struct Branch {
  std::string name;
  std::vector<std::string> passwords;  // ids
};
struct Database {
  std::string name;
  std::vector<Branch> branches;
};
struct Org {
  std::string name;
  std::vector<Database> dbs;
  std::vector<std::string> tokens;          // service token ids
  std::map<std::string, std::string> members;  // email -> role
};

struct Principal {
  std::string label;
  std::string header;
  // A service token: its organization and grants. A user: a role per organization.
  bool token = false;
  std::string token_org;
  Names org_grants;
  std::map<std::string, Names> db_grants;  // database name -> accesses
  std::map<std::string, std::string> roles;  // org -> "admin" | "member"

  bool InOrg(const std::string& org) const { return token ? token_org == org : roles.count(org) > 0; }
  bool Admin(const std::string& org) const { return !token && roles.count(org) && roles.at(org) == "admin"; }
  bool HoldsInOrg(const std::string& org, const std::string& access) const {
    if (!InOrg(org)) return false;
    if (token) return org_grants.count(access) > 0;
    return Admin(org) || kMemberOrg.count(access) > 0;
  }
  // Database-level accesses held on org/db (an admin holds all of them).
  bool HoldsAnyOnDb(const std::string& org, const std::string& db, const Names& wanted) const {
    if (!InOrg(org)) return false;
    if (Admin(org)) return true;
    if (!token) return Any(kMemberDb, wanted);
    auto it = db_grants.find(db);
    return it != db_grants.end() && Any(it->second, wanted);
  }
  bool SeesDb(const std::string& org, const std::string& db) const {
    return InOrg(org) && (HoldsInOrg(org, "read_databases") || HoldsAnyOnDb(org, db, kDbStar));
  }
  std::string Describe() const {
    std::string s = label + " [";
    if (token) {
      s += "token of " + token_org + "; org:";
      for (const auto& a : org_grants) s += " " + a;
      for (const auto& [db, as] : db_grants) {
        s += "; " + db + ":";
        for (const auto& a : as) s += " " + a;
      }
    } else {
      for (const auto& [o, r] : roles) s += o + "=" + r + " ";
    }
    return s + "]";
  }
};

// Status the model expects for an org-level endpoint that needs `access`.
int OrgEndpoint(const Principal& p, const std::string& org, const std::string& access) {
  if (!p.InOrg(org)) return 404;
  return p.HoldsInOrg(org, access) ? 200 : 403;
}

class DifferentialAuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env_seed = std::getenv("OPSCALE_TEST_SEED");
    seed_ = env_seed ? std::strtoull(env_seed, nullptr, 10) : 20261128;
    RecordProperty("seed", std::to_string(seed_));
    rng_.seed(seed_);
    server_ = std::make_unique<Server>("acme", "admin@acme.test");
  }
  void TearDown() override {
    if (HasFailure()) std::cout << "seed " << seed_ << " (rerun with OPSCALE_TEST_SEED=" << seed_ << ")\n";
  }

  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  HttpReply Api(const std::string& auth, const std::string& method, const std::string& path,
                const std::string& body = "") {
    return CallApi(server_->url(), method, path, auth, body);
  }

  json::object Opscaled(std::vector<std::string> args) {
    args.insert(args.begin(), OpscaledBin());
    args.insert(args.end(), {"--data-dir", server_->data_dir() + "/data", "--format", "json"});
    RunResult r = RunProcess(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out).as_object() : json::object{};
  }

  // Databases, branches and passwords of one organization, made by its admin.
  void Populate(Org& org, const std::string& admin, const std::vector<std::string>& db_names) {
    const std::string o = "/v1/organizations/" + org.name;
    for (const auto& name : db_names) {
      ASSERT_EQ(Api(admin, "POST", o + "/databases", R"({"name":")" + name + R"("})").status, 201);
      Database db{name, {{"main", {}}}};
      for (size_t i = 0, n = Pick(3); i < n; ++i) {
        const std::string b = "dev" + std::to_string(i);
        ASSERT_EQ(Api(admin, "POST", o + "/databases/" + name + "/branches", R"({"name":")" + b + R"("})").status, 201);
        db.branches.push_back({b, {}});
      }
      for (auto& b : db.branches) {
        if (Pick(3)) continue;
        HttpReply pw = Api(admin, "POST", o + "/databases/" + name + "/branches/" + b.name + "/passwords",
                           R"({"name":"pw","role":"reader"})");
        ASSERT_EQ(pw.status, 201) << Masked(pw.body);
        b.passwords.push_back(std::string(pw.Json().as_object()["id"].as_string()));
      }
      org.dbs.push_back(std::move(db));
    }
  }

  Principal NewToken(Org& org, const std::string& admin, int n) {
    Principal p;
    p.token = true;
    p.token_org = org.name;
    p.label = "token " + std::to_string(n) + " of " + org.name;
    const std::string base = "/v1/organizations/" + org.name + "/service-tokens";
    HttpReply r = Api(admin, "POST", base, R"({"name":"t)" + std::to_string(n) + R"("})");
    EXPECT_EQ(r.status, 200);
    json::object o = r.Json().as_object();
    const std::string id = std::string(o["id"].as_string());
    p.header = TokenHeader(id, std::string(o["token"].as_string()));
    org.tokens.push_back(id);
    auto grant = [&](const std::string& db, const std::vector<std::string>& pool, Names& into) {
      json::array names;
      for (const auto& a : pool)
        if (Pick(3) == 0) {
          names.emplace_back(a);
          into.insert(a);
        }
      if (names.empty()) return;
      HttpReply g = Api(admin, "POST", base + "/" + id + "/access",
                        json::serialize(json::object{{"database", db}, {"access", names}}));
      EXPECT_EQ(g.status, 200) << g.body;
    };
    grant("", kOrgPool, p.org_grants);
    for (const auto& db : org.dbs) {
      if (Pick(2)) continue;
      Names got;
      grant(db.name, kDbPool, got);
      if (!got.empty()) p.db_grants[db.name] = got;
    }
    return p;
  }

  // One expected answer: a status and, for a list on 200, exactly `model`
  // (each item named by `key`).
  struct Expectation {
    std::string path;
    int status;
    bool list = false;
    Names model;
    std::function<std::string(const json::object&)> key;
  };

  // Every list endpoint against the per-resource checks and the model. The
  // reads go out in one batch (CurlGetAll), then are compared.
  void CheckPrincipal(const Principal& p) {
    SCOPED_TRACE(p.Describe() + ", seed " + std::to_string(seed_));
    std::vector<Expectation> want;
    auto get = [&](const std::string& path, int status) { want.push_back({path, status, false, {}, {}}); };
    auto list = [&](const std::string& path, int status, Names model,
                    std::function<std::string(const json::object&)> key) {
      want.push_back({path + "?per_page=100", status, true, std::move(model), std::move(key)});
    };
    auto name = [](const json::object& o) { return std::string(o.at("name").as_string()); };
    auto id = [](const json::object& o) { return std::string(o.at("id").as_string()); };

    Names orgs_model;
    for (const auto& org : orgs_)
      if (p.InOrg(org.name)) orgs_model.insert(org.name);
    list("/v1/organizations", 200, orgs_model, name);
    for (const auto& org : orgs_) {
      const std::string o = "/v1/organizations/" + org.name;
      get(o, OrgEndpoint(p, org.name, "read_organization"));
      get(o + "/audit-log", OrgEndpoint(p, org.name, "read_audit_logs"));
      Names members;
      for (const auto& [email, role] : org.members) members.insert(email + "=" + role);
      list(o + "/members", OrgEndpoint(p, org.name, "read_organization"), members, [](const json::object& m) {
        return std::string(m.at("user").as_object().at("email").as_string()) + "=" +
               std::string(m.at("role").as_string());
      });
      // Service tokens: the list, each token.
      const int tokens_status = OrgEndpoint(p, org.name, "read_service_tokens");
      list(o + "/service-tokens", tokens_status, Names(org.tokens.begin(), org.tokens.end()), id);
      for (const auto& t : org.tokens) get(o + "/service-tokens/" + t, tokens_status);
      // Databases, their branches, the branches' passwords.
      Names dbs_model;
      for (const auto& db : org.dbs) {
        const bool sees = p.SeesDb(org.name, db.name);
        if (sees) dbs_model.insert(db.name);
        const std::string d = o + "/databases/" + db.name;
        get(d, sees ? 200 : 404);
        const bool reads_branches = sees && p.HoldsAnyOnDb(org.name, db.name, kBranchRead);
        Names branches_model;
        for (const auto& b : db.branches) {
          if (reads_branches) branches_model.insert(b.name);
          get(d + "/branches/" + b.name, reads_branches ? 200 : 404);
          const bool reads_pw = sees && p.HoldsAnyOnDb(org.name, db.name, kPasswordRead);
          const int pw_status = !sees ? 404 : reads_pw ? 200
                                : p.HoldsAnyOnDb(org.name, db.name, kPasswordOther) ? 403 : 404;
          const std::string pw = d + "/branches/" + b.name + "/passwords";
          list(pw, pw_status, Names(b.passwords.begin(), b.passwords.end()), id);
          for (const auto& pid : b.passwords) get(pw + "/" + pid, pw_status);
        }
        list(d + "/branches", !sees ? 404 : reads_branches ? 200 : 403, branches_model, name);
      }
      list(o + "/databases", p.InOrg(org.name) ? 200 : 404, dbs_model, name);
    }

    std::vector<std::string> urls;
    for (const auto& w : want) urls.push_back(server_->url() + w.path);
    std::vector<HttpReply> got = CurlGetAll(urls, {p.header});
    for (size_t i = 0; i < want.size(); ++i) {
      const Expectation& w = want[i];
      EXPECT_EQ(got[i].status, w.status) << "GET " << w.path << ": " << Masked(got[i].body.substr(0, 300));
      if (!w.list || w.status != 200 || got[i].status != 200) continue;
      json::value v = got[i].Json();
      ASSERT_TRUE(v.is_object()) << w.path;
      EXPECT_TRUE(!v.as_object().contains("next_page") || v.as_object()["next_page"].is_null()) << w.path;
      Names listed;
      for (const auto& item : v.as_object()["data"].as_array()) listed.insert(w.key(item.as_object()));
      EXPECT_EQ(listed, w.model) << "GET " << w.path;
    }
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<Server> server_;
  std::vector<Org> orgs_;
};

TEST_F(DifferentialAuthzTest, ListsEqualPerResourceChecksEqualTheModel) {
  std::vector<Principal> principals;
  // Two organizations and their first admins.
  orgs_.push_back(Org{"acme", {}, {}, {{"admin@acme.test", "admin"}}});
  json::object globex = Opscaled({"org", "create", "--org", "globex", "--admin-email", "admin@globex.test"});
  ASSERT_FALSE(globex.empty());
  orgs_.push_back(Org{"globex", {}, {}, {{"admin@globex.test", "admin"}}});
  const std::string acme_admin = BearerHeader(server_->admin().api_token);
  const std::string globex_admin = BearerHeader(std::string(globex["api_token"].as_string()));
  principals.push_back(Principal{"acme admin", acme_admin, false, "", {}, {}, {{"acme", "admin"}}});
  principals.push_back(Principal{"globex admin", globex_admin, false, "", {}, {}, {{"globex", "admin"}}});

  // Random users: a role in one or both organizations (a user in both has one
  // API token for both). All are made before any of them is used.
  for (int u = 0; u < 6; ++u) {
    Principal p;
    p.label = "user " + std::to_string(u);
    const std::string email = "user" + std::to_string(u) + "@example.com";
    for (auto& org : orgs_) {
      const size_t r = Pick(3);
      if (r == 0 && !(org.name == "globex" && p.roles.empty())) continue;
      const std::string role = r == 1 ? "admin" : "member";
      json::object out = Opscaled({"user", "create", "--org", org.name, "--email", email, "--role", role});
      ASSERT_FALSE(out.empty());
      p.roles[org.name] = role;
      org.members[email] = role;
      p.header = BearerHeader(std::string(out["api_token"].as_string()));  // the last one is valid in both
    }
    principals.push_back(p);
  }

  ASSERT_NO_FATAL_FAILURE(Populate(orgs_[0], acme_admin, {"alpha", "beta", "gamma"}));
  ASSERT_NO_FATAL_FAILURE(Populate(orgs_[1], globex_admin, {"delta", "alpha"}));  // same name, other org
  for (int n = 0; n < 14; ++n) principals.push_back(NewToken(orgs_[0], acme_admin, n));
  for (int n = 0; n < 5; ++n) principals.push_back(NewToken(orgs_[1], globex_admin, n));
  ASSERT_FALSE(HasFailure());

  for (const auto& p : principals) {
    CheckPrincipal(p);
    if (HasFailure()) return;  // one principal's report is enough to read
  }
}

}  // namespace
}  // namespace opscale::testutil
