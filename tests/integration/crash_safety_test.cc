// Crash safety (SPEC §7, issue 9 item 5): several clients run a storm of
// service-token creates, grants, revokes and deletes over the real API;
// opscaled is killed with SIGKILL after a random number of acknowledged
// writes and restarted on the same data dir. Then every acknowledged write
// must be there and every acknowledged delete gone (through the API, in the
// store itself, and in the rebuilt credential index), no grant may point at
// a missing token, and the audit log must hold an event for every
// acknowledged write and none for a write that was never made. A request in
// flight at the kill may have gone either way, but whole: its change and its
// audit event together or neither.
//
// Each client owns its tokens, so the order of the writes on a token is the
// order that client made them, and at most one write per client is in doubt.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

constexpr int kClients = 4;
constexpr int kCrashes = 3;
const std::vector<std::string> kOrgAccesses = {"read_organization", "read_databases",
                                               "read_service_tokens", "read_audit_logs",
                                               "read_invoices"};
const std::vector<std::string> kDbAccesses = {"read_database", "read_branch", "create_branch",
                                              "connect_branch", "read_deploy_request"};

// What a token holds, as "Organization:<id>/<access>" or "Database:<id>/<access>".
using GrantSet = std::set<std::string>;

struct TokenState {
  bool exists = false;
  GrantSet grants;
  bool operator==(const TokenState&) const = default;
};

enum class Kind { kCreate, kGrant, kRevoke, kDelete };
enum class Outcome { kAcked, kRefused, kInDoubt };
// What became of a write in doubt, once the restarted server was read.
enum class Resolved { kNotYet, kApplied, kNotApplied, kEither };

struct Op {
  Kind kind;
  int client = 0;
  std::string token_name;  // creates are recognised by name (the id is in the reply)
  std::string token_id;    // "" for a create in doubt
  std::string resource;    // "Organization:<id>" or "Database:<id>"
  std::vector<std::string> accesses;  // sorted, distinct
  Outcome outcome = Outcome::kInDoubt;
  Resolved resolved = Resolved::kNotYet;
  int status = 0;
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

TokenState Apply(TokenState s, const Op& op) {
  switch (op.kind) {
    case Kind::kCreate: return TokenState{true, {}};
    case Kind::kDelete: return TokenState{};
    case Kind::kGrant:
      if (s.exists)
        for (const auto& a : op.accesses) s.grants.insert(op.resource + "/" + a);
      return s;
    case Kind::kRevoke:
      if (s.exists)
        for (const auto& a : op.accesses) s.grants.erase(op.resource + "/" + a);
      return s;
  }
  return s;
}

// The audit event a write leaves, as a comparable key.
std::string AuditKey(const Op& op) {
  switch (op.kind) {
    case Kind::kCreate: return "created|" + op.token_name;
    case Kind::kDelete: return "deleted|" + op.token_id;
    case Kind::kGrant: return "granted_access|" + op.token_id + "|" + op.resource + "|" + Join(op.accesses);
    case Kind::kRevoke: return "removed_access|" + op.token_id + "|" + op.resource + "|" + Join(op.accesses);
  }
  return "";
}

struct OwnedToken {
  std::string id, name, secret;
  TokenState state;
};

// Observed tokens of the organization: id -> (name, state).
struct Observed {
  std::map<std::string, std::pair<std::string, TokenState>> tokens;
};

class CrashSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env_seed = std::getenv("OPSCALE_TEST_SEED");
    seed_ = env_seed ? std::strtoull(env_seed, nullptr, 10) : std::random_device{}();
    RecordProperty("seed", std::to_string(seed_));
    std::cout << "seed " << seed_ << " (rerun with OPSCALE_TEST_SEED=" << seed_ << ")\n";
    server_ = std::make_unique<Server>("acme");
    admin_ = BearerHeader(server_->admin().api_token);
    HttpReply org = Api("GET", "/v1/organizations/acme");
    ASSERT_EQ(org.status, 200) << org.body;
    org_resource_ = "Organization:" + std::string(org.Json().as_object()["id"].as_string());
    HttpReply db = Api("POST", "/v1/organizations/acme/databases", R"({"name":"crashdb"})");
    ASSERT_EQ(db.status, 201) << db.body;
    db_resource_ = "Database:" + std::string(db.Json().as_object()["id"].as_string());
  }

  HttpReply Api(const std::string& method, const std::string& path, const std::string& body = "") {
    return CallApi(server_->url(), method, path, admin_, body);
  }

  // One client's part of the storm, until the server stops answering.
  void Client(int client, int crash, uint64_t seed, const std::string& url) {
    std::mt19937_64 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    std::vector<OwnedToken>& mine = owned_[client];
    const std::string base = "/v1/organizations/acme/service-tokens";
    for (int n = 0; n < 2000 && !stop_; ++n) {
      std::vector<size_t> live, gone;
      for (size_t i = 0; i < mine.size(); ++i) (mine[i].state.exists ? live : gone).push_back(i);
      Op op;
      op.client = client;
      OwnedToken* t = nullptr;
      const int roll = static_cast<int>(rng() % 100);
      if (live.empty() || roll < 25) {
        op.kind = Kind::kCreate;
        op.token_name = "c" + std::to_string(client) + "-r" + std::to_string(crash) + "-" + std::to_string(n);
      } else {
        // 5%: a write on a token this client deleted (must be refused, unaudited).
        const bool on_gone = !gone.empty() && roll >= 95;
        t = &mine[on_gone ? gone[pick(gone.size())] : live[pick(live.size())]];
        op.token_id = t->id;
        op.token_name = t->name;
        op.kind = roll < 60 ? Kind::kGrant : roll < 85 ? Kind::kRevoke : roll < 95 ? Kind::kDelete
                            : static_cast<Kind>(1 + pick(3));
        const bool on_db = rng() % 2;
        op.resource = on_db ? db_resource_ : org_resource_;
        const auto& pool = on_db ? kDbAccesses : kOrgAccesses;
        std::set<std::string> chosen;
        for (size_t k = 1 + pick(3); chosen.size() < k;) chosen.insert(pool[pick(pool.size())]);
        op.accesses.assign(chosen.begin(), chosen.end());
      }
      HttpReply r;
      std::string access_body;
      if (op.kind == Kind::kGrant || op.kind == Kind::kRevoke) {
        json::array names;
        for (const auto& a : op.accesses) names.emplace_back(a);
        access_body = json::serialize(json::object{
            {"database", op.resource == db_resource_ ? "crashdb" : ""}, {"access", names}});
      }
      switch (op.kind) {
        case Kind::kCreate:
          r = CallApi(url, "POST", base, admin_, json::serialize(json::object{{"name", op.token_name}}));
          break;
        case Kind::kGrant: r = CallApi(url, "POST", base + "/" + op.token_id + "/access", admin_, access_body); break;
        case Kind::kRevoke: r = CallApi(url, "DELETE", base + "/" + op.token_id + "/access", admin_, access_body); break;
        case Kind::kDelete: r = CallApi(url, "DELETE", base + "/" + op.token_id, admin_); break;
      }
      op.status = r.status;
      const bool expect_ok = op.kind == Kind::kCreate || t->state.exists;
      // A reply cut short by the kill: its status arrived, its token may not have.
      if (op.kind == Kind::kCreate && r.status == 200 && !r.Json().is_object()) r.status = 0;
      if (r.status >= 200 && r.status < 300) {
        op.outcome = Outcome::kAcked;
        if (op.kind == Kind::kCreate) {
          json::object o = r.Json().as_object();
          mine.push_back({std::string(o["id"].as_string()), op.token_name,
                          std::string(o["token"].as_string()), TokenState{true, {}}});
          op.token_id = mine.back().id;
        } else {
          t->state = Apply(t->state, op);
        }
        if (!expect_ok) Fail("acknowledged a write on a deleted token: " + AuditKey(op));
        ++acked_;
      } else if (r.status >= 400 && r.status < 500) {
        op.outcome = Outcome::kRefused;
        if (expect_ok) Fail("refused (" + std::to_string(r.status) + ") " + AuditKey(op) + ": " + Masked(r.body));
        else if (r.status != 404) Fail("a write on a deleted token got " + std::to_string(r.status));
      } else {
        // No answer (the kill) or a server error: in doubt. This client stops.
        op.outcome = Outcome::kInDoubt;
        if (r.status >= 500) Fail("server error " + std::to_string(r.status) + " for " + AuditKey(op) + ": " + r.body);
      }
      {
        std::lock_guard lock(mu_);
        ops_.push_back(op);
      }
      if (op.outcome == Outcome::kInDoubt) return;
    }
  }

  void Fail(const std::string& why) {
    std::lock_guard lock(mu_);
    failures_.push_back(why);
  }

  // The organization's tokens and grants as the store holds them, read with
  // the store's own client while opscaled is down.
  Observed ReadStore() {
    Observed o;
    std::vector<std::string> lines_tokens, lines_grants;
    auto run = [&](const std::string& sql) -> std::vector<std::string> {
      RunResult r;
      if (server_->store_url().empty())
        r = RunProcess({"/usr/bin/sqlite3", "-batch", "-noheader", "-separator", "|",
                        server_->data_dir() + "/data/opscale.db", sql});
      else
        r = RunProcess({"/usr/bin/psql", server_->store_url(), "-qAt", "-F", "|", "-c", sql});
      EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
      std::vector<std::string> lines;
      std::istringstream in(r.out);
      for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
      return lines;
    };
    if (server_->store_url().empty()) {
      EXPECT_EQ(run("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
      EXPECT_EQ(run("PRAGMA foreign_key_check"), std::vector<std::string>{});
    }
    // No grant points at a missing token.
    EXPECT_EQ(run("SELECT g.id FROM grants g LEFT JOIN service_tokens t ON t.id = g.token_id "
                  "WHERE t.id IS NULL"),
              std::vector<std::string>{});
    for (const auto& line : run("SELECT t.id, coalesce(t.name, '') FROM service_tokens t JOIN "
                                "organizations o ON o.id = t.org_id WHERE o.name = 'acme'")) {
      auto bar = line.find('|');
      o.tokens[line.substr(0, bar)] = {line.substr(bar + 1), TokenState{true, {}}};
    }
    for (const auto& line : run("SELECT token_id, resource_type, resource_id, access FROM grants")) {
      std::vector<std::string> f;
      std::istringstream in(line);
      for (std::string x; std::getline(in, x, '|');) f.push_back(x);
      auto it = o.tokens.find(f.at(0));
      if (it == o.tokens.end()) continue;  // another org's token (none here)
      it->second.second.grants.insert(f.at(1) + ":" + f.at(2) + "/" + f.at(3));
    }
    return o;
  }

  // The same through the API of the restarted server.
  Observed ReadApi() {
    Observed o;
    int status = 0;
    auto tokens = ListAll(server_->url(), "/v1/organizations/acme/service-tokens", admin_, &status);
    EXPECT_EQ(status, 200);
    for (auto& t : tokens) {
      TokenState s{true, {}};
      for (const auto& g : t["service_token_accesses"].as_array()) {
        const auto& go = g.as_object();
        s.grants.insert(std::string(go.at("resource_type").as_string()) + ":" +
                        std::string(go.at("resource_id").as_string()) + "/" +
                        std::string(go.at("access").as_string()));
      }
      o.tokens[std::string(t["id"].as_string())] = {
          t["name"].is_null() ? "" : std::string(t["name"].as_string()), s};
    }
    return o;
  }

  // Checks `seen` against the clients' models; a write in doubt may have
  // gone either way. With `settle`, records how each went.
  void Check(const Observed& seen, const std::string& where, bool settle) {
    SCOPED_TRACE(where + ", seed " + std::to_string(seed_));
    std::set<std::string> explained;
    std::map<std::string, Op*> doubt_by_name, doubt_by_id;
    for (auto& op : ops_) {
      if (op.outcome != Outcome::kInDoubt || op.resolved != Resolved::kNotYet) continue;
      if (op.kind == Kind::kCreate) doubt_by_name[op.token_name] = &op;
      else doubt_by_id[op.token_id] = &op;
    }
    for (auto& mine : owned_) {
      for (auto& t : mine) {
        explained.insert(t.id);
        auto it = seen.tokens.find(t.id);
        TokenState got = it == seen.tokens.end() ? TokenState{} : it->second.second;
        const TokenState& before = t.state;
        auto doubt = doubt_by_id.find(t.id);
        if (doubt == doubt_by_id.end()) {
          EXPECT_EQ(got.exists, before.exists) << "token " << t.name;
          EXPECT_EQ(got.grants, before.grants) << "token " << t.name;
          continue;
        }
        Op& op = *doubt->second;
        TokenState after = Apply(before, op);
        EXPECT_TRUE(got == before || got == after)
            << "token " << t.name << " after a write in doubt: " << AuditKey(op);
        if (!settle) continue;
        // A write on a deleted token cannot happen; otherwise the state tells,
        // unless the write would not have changed it.
        op.resolved = !before.exists ? Resolved::kNotApplied
                      : before == after ? Resolved::kEither
                      : got == after    ? Resolved::kApplied
                                        : Resolved::kNotApplied;
        t.state = got;
      }
    }
    for (const auto& [id, entry] : seen.tokens) {
      if (explained.count(id)) continue;
      auto doubt = doubt_by_name.find(entry.first);
      if (doubt == doubt_by_name.end()) {
        ADD_FAILURE() << "token " << id << " (" << entry.first << ") was never acknowledged";
        continue;
      }
      EXPECT_TRUE(entry.second.grants.empty()) << "new token " << entry.first;
      if (settle) {
        Op& op = *doubt->second;
        op.resolved = Resolved::kApplied;
        op.token_id = id;
        // Its client keeps it (without the secret it never received).
        owned_[op.client].push_back({id, entry.first, "", entry.second});
        doubt_by_name.erase(doubt);
      }
    }
    if (settle) {
      // Creates in doubt that left no token did not happen (and must not be audited).
      for (auto& [name, op] : doubt_by_name) op->resolved = Resolved::kNotApplied;
    }
  }

  // Every acknowledged write (and every write in doubt that took effect) has
  // its event; no event without a write that could have made it.
  void CheckAuditLog() {
    SCOPED_TRACE("audit log, seed " + std::to_string(seed_));
    std::map<std::string, int> events;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      HttpReply r = Api("GET", "/v1/organizations/acme/audit-log?limit=100" +
                                   (cursor.empty() ? "" : "&starting_after=" + cursor));
      ASSERT_EQ(r.status, 200) << r.body;
      json::value v = r.Json();
      json::object& o = v.as_object();
      for (const auto& e : o["data"].as_array()) {
        const json::object& ev = e.as_object();
        if (!ev.at("auditable_type").is_string() || ev.at("auditable_type").as_string() != "ServiceToken")
          continue;
        std::string action = std::string(ev.at("action").as_string());
        std::string key;
        if (action == "created") {
          key = "created|" + std::string(ev.at("auditable_display_name").as_string());
        } else if (action == "deleted") {
          key = "deleted|" + std::string(ev.at("auditable_id").as_string());
        } else {
          std::vector<std::string> names;
          for (const auto& a : ev.at("metadata").as_object().at("accesses").as_array())
            names.emplace_back(a.as_string());
          std::sort(names.begin(), names.end());
          key = action + "|" + std::string(ev.at("auditable_id").as_string()) + "|" +
                std::string(ev.at("target_type").as_string()) + ":" +
                std::string(ev.at("target_id").as_string()) + "|" + Join(names);
        }
        ++events[key];
      }
      if (!o["has_next"].as_bool()) break;
      cursor = std::string(o["cursor_end"].as_string());
    }
    std::map<std::string, std::pair<int, int>> bounds;  // key -> [min, max] events
    for (const auto& op : ops_) {
      auto& [lo, hi] = bounds[AuditKey(op)];
      const bool happened = op.outcome == Outcome::kAcked || op.resolved == Resolved::kApplied;
      const bool maybe = op.outcome == Outcome::kInDoubt && op.resolved == Resolved::kEither;
      lo += happened;
      hi += happened || maybe;
    }
    for (const auto& [key, n] : events) {
      auto b = bounds.find(key);
      EXPECT_TRUE(b != bounds.end()) << "an audit event for a write nobody made: " << key;
      if (b == bounds.end()) continue;
      EXPECT_GE(n, b->second.first) << key;
      EXPECT_LE(n, b->second.second) << key;
    }
    for (const auto& [key, b] : bounds) {
      if (b.first == 0) continue;
      EXPECT_TRUE(events.count(key)) << "no audit event for acknowledged " << key;
    }
  }

  // The rebuilt credential index agrees with the store: a surviving token
  // authenticates and holds exactly read_organization as modelled; a deleted
  // one gets 401.
  void CheckIndex() {
    SCOPED_TRACE("credential index, seed " + std::to_string(seed_));
    int checked = 0;
    for (const auto& mine : owned_) {
      for (const auto& t : mine) {
        if (t.secret.empty() || checked++ % 3) continue;  // a sample keeps this cheap
        HttpReply r = CallApi(server_->url(), "GET", "/v1/organizations/acme", TokenHeader(t.id, t.secret));
        if (!t.state.exists) {
          EXPECT_EQ(r.status, 401) << "deleted token " << t.name;
        } else {
          const bool can = t.state.grants.count(org_resource_ + "/read_organization") > 0;
          EXPECT_EQ(r.status, can ? 200 : 403) << "token " << t.name;
        }
      }
    }
  }

  uint64_t seed_ = 0;
  std::unique_ptr<Server> server_;
  std::string admin_, org_resource_, db_resource_;
  std::vector<OwnedToken> owned_[kClients];
  std::mutex mu_;
  std::vector<Op> ops_;
  std::vector<std::string> failures_;
  std::atomic<int> acked_{0};
  std::atomic<bool> stop_{false};
};

TEST_F(CrashSafetyTest, KillDuringAStormOfTokenWritesLosesNothingAcknowledged) {
  std::mt19937_64 rng(seed_);
  for (int crash = 0; crash < kCrashes; ++crash) {
    SCOPED_TRACE("crash " + std::to_string(crash));
    const int kill_after = acked_.load() + 20 + static_cast<int>(rng() % 60);
    stop_ = false;
    std::vector<std::thread> clients;
    const std::string url = server_->url();
    for (int c = 0; c < kClients; ++c) {
      const uint64_t client_seed = rng();
      clients.emplace_back([this, c, crash, client_seed, url] { Client(c, crash, client_seed, url); });
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (acked_.load() < kill_after && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    server_->Kill();
    stop_ = true;  // a client between two requests stops here
    for (auto& t : clients) t.join();
    ASSERT_GE(acked_.load(), kill_after) << "the storm was too slow";
    for (const auto& f : failures_) ADD_FAILURE() << f;
    ASSERT_TRUE(failures_.empty());

    Check(ReadStore(), "store after the kill", false);
    server_->Restart();
    Check(ReadApi(), "API after the restart", true);
    int in_doubt = 0, applied = 0;
    for (const auto& op : ops_) {
      in_doubt += op.outcome == Outcome::kInDoubt;
      applied += op.resolved == Resolved::kApplied;
    }
    std::cout << "crash " << crash << ": killed after " << acked_.load() << " acknowledged writes in all; "
              << in_doubt << " in doubt so far, " << applied << " of them applied\n";
    CheckIndex();
    CheckAuditLog();
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace opscale::testutil
