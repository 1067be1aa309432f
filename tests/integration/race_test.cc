// Races (issue 9 item 6): many clients grant, revoke and delete on the SAME
// service token at once, over the real API, with overlapping access lists on
// the same database and on the organization. Afterwards the token's state
// must be the result of SOME serial order of the operations that respects
// their real-time order and explains every reply (a linearization, found by
// search in an independent model), the store and the credential index must
// agree with the API, and the audit log must itself be such a serial order.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <sstream>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 6;
constexpr int kOpsPerClient = 5;
constexpr int kRounds = 5;

// The accesses in play; a state is a bitmask over this list.
struct AccessBit {
  const char* name;
  bool on_db;
};
constexpr AccessBit kAccesses[] = {
    {"read_organization", false}, {"read_databases", false}, {"read_audit_logs", false},
    {"read_database", true},      {"read_branch", true},     {"create_branch", true},
    {"connect_branch", true},
};
constexpr int kAccessCount = sizeof(kAccesses) / sizeof(kAccesses[0]);
uint32_t ResourceMask(bool on_db) {
  uint32_t m = 0;
  for (int i = 0; i < kAccessCount; ++i)
    if (kAccesses[i].on_db == on_db) m |= 1u << i;
  return m;
}
int BitOf(const std::string& name) {
  for (int i = 0; i < kAccessCount; ++i)
    if (name == kAccesses[i].name) return i;
  return -1;
}

struct State {
  bool exists = false;
  uint32_t grants = 0;
  bool operator==(const State&) const = default;
  bool operator<(const State& o) const { return std::tie(exists, grants) < std::tie(o.exists, o.grants); }
};

std::string Describe(const State& s) {
  if (!s.exists) return "(deleted)";
  std::string out = "{";
  for (int i = 0; i < kAccessCount; ++i)
    if (s.grants & (1u << i)) out += std::string(out.size() > 1 ? "," : "") + kAccesses[i].name;
  return out + "}";
}

enum class Kind { kGrant, kRevoke, kDelete };

struct Op {
  Kind kind;
  bool on_db = false;
  uint32_t mask = 0;  // accesses named in the request
  Clock::time_point invoked, answered;
  int status = 0;
  uint32_t returned = 0;  // a 200 grant: the token's grants on that resource after it
  std::string Describe() const {
    std::string k = kind == Kind::kGrant ? "grant" : kind == Kind::kRevoke ? "revoke" : "delete";
    if (kind != Kind::kDelete) k += " " + opscale::testutil::Describe(State{true, mask}) + (on_db ? " on racedb" : " on acme");
    return k + " -> " + std::to_string(status);
  }
};

// Applies `op` to `s` if its reply is possible in state `s`; false if not.
bool Step(const Op& op, State& s) {
  const bool ok = op.status / 100 == 2;
  if (ok != s.exists) return false;  // 2xx iff the token exists; else 404
  if (!ok) return true;
  switch (op.kind) {
    case Kind::kGrant:
      s.grants |= op.mask;
      return (s.grants & ResourceMask(op.on_db)) == op.returned;
    case Kind::kRevoke: s.grants &= ~op.mask; return true;
    case Kind::kDelete: s = State{}; return true;
  }
  return false;
}

// Wing & Gong style search: is there a serial order of every client's
// operations, keeping each client's order and the real-time order (an
// operation answered before another was sent comes first), in which every
// reply is explained and which ends in `final_state`?
bool Linearizable(const std::vector<std::vector<Op>>& clients, State start, State final_state) {
  std::set<std::pair<std::vector<size_t>, State>> seen;
  std::vector<size_t> pos(clients.size(), 0);
  std::function<bool(State)> dfs = [&](State s) -> bool {
    if (!seen.insert({pos, s}).second) return false;
    bool done = true;
    Clock::time_point first_answer = Clock::time_point::max();
    for (size_t c = 0; c < clients.size(); ++c) {
      if (pos[c] == clients[c].size()) continue;
      done = false;
      first_answer = std::min(first_answer, clients[c][pos[c]].answered);
    }
    if (done) return s == final_state;
    for (size_t c = 0; c < clients.size(); ++c) {
      if (pos[c] == clients[c].size()) continue;
      const Op& op = clients[c][pos[c]];
      if (op.invoked > first_answer) continue;  // something else must come first
      State next = s;
      if (!Step(op, next)) continue;
      ++pos[c];
      const bool found = dfs(next);
      --pos[c];
      if (found) return true;
    }
    return false;
  };
  return dfs(start);
}

class RaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env_seed = std::getenv("OPSCALE_TEST_SEED");
    seed_ = env_seed ? std::strtoull(env_seed, nullptr, 10) : std::random_device{}();
    RecordProperty("seed", std::to_string(seed_));
    std::cout << "seed " << seed_ << " (rerun with OPSCALE_TEST_SEED=" << seed_ << ")\n";
    server_ = std::make_unique<Server>("acme");
    admin_ = BearerHeader(server_->admin().api_token);
    HttpReply db = Api("POST", "/v1/organizations/acme/databases", R"({"name":"racedb"})");
    ASSERT_EQ(db.status, 201) << db.body;
    db_id_ = std::string(db.Json().as_object()["id"].as_string());
  }

  HttpReply Api(const std::string& method, const std::string& path, const std::string& body = "") {
    return CallApi(server_->url(), method, path, admin_, body);
  }

  static std::string AccessBody(bool on_db, uint32_t mask) {
    json::array names;
    for (int i = 0; i < kAccessCount; ++i)
      if (mask & (1u << i)) names.emplace_back(kAccesses[i].name);
    return json::serialize(json::object{{"database", on_db ? "racedb" : ""}, {"access", names}});
  }

  // Grants in a service_token_accesses / access-list array, as a mask.
  uint32_t MaskOf(const json::array& accesses) {
    uint32_t m = 0;
    for (const auto& g : accesses) {
      const json::object& o = g.as_object();
      int bit = BitOf(std::string(o.at("access").as_string()));
      EXPECT_GE(bit, 0) << "unexpected access " << o.at("access");
      const bool on_db = o.at("resource_type").as_string() == "Database";
      if (on_db) {
        EXPECT_EQ(std::string(o.at("resource_id").as_string()), db_id_);
      }
      if (bit >= 0) {
        EXPECT_EQ(kAccesses[bit].on_db, on_db);
        m |= 1u << bit;
      }
    }
    return m;
  }

  State ReadApi(const std::string& id) {
    HttpReply r = Api("GET", "/v1/organizations/acme/service-tokens/" + id);
    if (r.status == 404) return State{};
    EXPECT_EQ(r.status, 200) << r.body;
    return State{true, MaskOf(r.Json().as_object()["service_token_accesses"].as_array())};
  }

  State ReadStore(const std::string& id) {
    const std::string sql_token = "SELECT count(*) FROM service_tokens WHERE id = '" + id + "'";
    const std::string sql_grants =
        "SELECT resource_type || ':' || resource_id || ':' || access FROM grants WHERE token_id = '" + id + "'";
    auto run = [&](const std::string& sql) {
      RunResult r = server_->store_url().empty()
                        ? RunProcess({"/usr/bin/sqlite3", "-batch", "-noheader",
                                      server_->data_dir() + "/data/opscale.db", sql})
                        : RunProcess({"/usr/bin/psql", server_->store_url(), "-qAt", "-c", sql});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      return r.out;
    };
    State s;
    s.exists = run(sql_token) == "1\n";
    std::istringstream in(run(sql_grants));
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const std::string access = line.substr(line.rfind(':') + 1);
      const bool on_db = line.rfind("Database:", 0) == 0;
      int bit = BitOf(access);
      EXPECT_GE(bit, 0) << line;
      if (on_db) {
        EXPECT_EQ(line, "Database:" + db_id_ + ":" + access);
      }
      if (bit >= 0) s.grants |= 1u << bit;
    }
    return s;
  }

  // What the token itself can do, i.e. what the credential index holds.
  void CheckIndex(const std::string& id, const std::string& secret, const State& s) {
    const std::string auth = TokenHeader(id, secret);
    HttpReply org = CallApi(server_->url(), "GET", "/v1/organizations/acme", auth);
    if (!s.exists) {
      EXPECT_EQ(org.status, 401);
      return;
    }
    EXPECT_EQ(org.status, (s.grants & (1u << BitOf("read_organization"))) ? 200 : 403);
    HttpReply db = CallApi(server_->url(), "GET", "/v1/organizations/acme/databases/racedb", auth);
    const bool sees_db = (s.grants & ResourceMask(true)) || (s.grants & (1u << BitOf("read_databases")));
    EXPECT_EQ(db.status, sees_db ? 200 : 404);
  }

  // The token's audit events, oldest first, must replay as a serial history
  // of the acknowledged operations ending in `final_state`.
  // `setup`: the grants made before the race, as keys.
  void CheckAuditLog(const std::string& id, const std::vector<std::vector<Op>>& clients,
                     const std::vector<std::string>& setup, State final_state) {
    std::vector<json::object> events;  // newest first
    std::string cursor;
    bool found_create = false;
    for (int page = 0; page < 100 && !found_create; ++page) {
      HttpReply r = Api("GET", "/v1/organizations/acme/audit-log?limit=100" +
                                   (cursor.empty() ? "" : "&starting_after=" + cursor));
      ASSERT_EQ(r.status, 200) << r.body;
      json::value v = r.Json();
      for (const auto& e : v.as_object()["data"].as_array()) {
        const json::object& o = e.as_object();
        if (!o.at("auditable_id").is_string() || o.at("auditable_id").as_string() != id) continue;
        if (o.at("audit_action").as_string() == "service_token.created") {
          found_create = true;
          break;
        }
        events.push_back(o);
      }
      if (!v.as_object()["has_next"].as_bool()) break;
      cursor = std::string(v.as_object()["cursor_end"].as_string());
    }
    ASSERT_TRUE(found_create);
    std::multiset<std::string> acked(setup.begin(), setup.end()), audited;
    for (const auto& ops : clients)
      for (const auto& op : ops)
        if (op.status / 100 == 2)
          acked.insert((op.kind == Kind::kGrant ? "grant " : op.kind == Kind::kRevoke ? "revoke " : "delete ") +
                       (op.kind == Kind::kDelete ? "" : (op.on_db ? "db " : "org ") + std::to_string(op.mask)));
    State s{true, 0};
    std::string history;
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      const std::string action = std::string(it->at("audit_action").as_string());
      history += action + " ";
      EXPECT_TRUE(s.exists) << "an event after the token's deletion: " << history;
      if (action == "service_token.deleted") {
        audited.insert("delete ");
        s = State{};
        continue;
      }
      uint32_t mask = 0;
      for (const auto& a : it->at("metadata").as_object().at("accesses").as_array())
        mask |= 1u << BitOf(std::string(a.as_string()));
      const bool on_db = it->at("target_type").as_string() == "Database";
      if (action == "service_token.granted_access") {
        audited.insert("grant " + std::string(on_db ? "db " : "org ") + std::to_string(mask));
        s.grants |= mask;
      } else {
        audited.insert("revoke " + std::string(on_db ? "db " : "org ") + std::to_string(mask));
        s.grants &= ~mask;
      }
    }
    EXPECT_EQ(acked, audited) << "audit events vs acknowledged operations";
    EXPECT_EQ(Describe(s), Describe(final_state)) << "the audit log replayed: " << history;
  }

  uint64_t seed_ = 0;
  std::unique_ptr<Server> server_;
  std::string admin_, db_id_;
};

TEST_F(RaceTest, ConcurrentGrantRevokeDeleteOnOneTokenIsLinearizable) {
  std::mt19937_64 rng(seed_);
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(seed_));
    HttpReply created = Api("POST", "/v1/organizations/acme/service-tokens", R"({"name":"racer"})");
    ASSERT_EQ(created.status, 200);
    const std::string id = std::string(created.Json().as_object()["id"].as_string());
    const std::string secret = std::string(created.Json().as_object()["token"].as_string());
    // A random starting set, granted before the race.
    State start{true, 0};
    std::vector<std::string> setup;
    for (bool on_db : {false, true}) {
      uint32_t m = static_cast<uint32_t>(rng()) & ResourceMask(on_db);
      if (!m) continue;
      ASSERT_EQ(Api("POST", "/v1/organizations/acme/service-tokens/" + id + "/access", AccessBody(on_db, m)).status, 200);
      start.grants |= m;
      setup.push_back(std::string("grant ") + (on_db ? "db " : "org ") + std::to_string(m));
    }

    // Plan every client's operations, then run them all at once.
    std::vector<std::vector<Op>> clients(kClients);
    for (auto& ops : clients) {
      for (int i = 0; i < kOpsPerClient; ++i) {
        Op op;
        const int roll = static_cast<int>(rng() % 100);
        op.kind = roll < 50 ? Kind::kGrant : roll < 96 ? Kind::kRevoke : Kind::kDelete;
        op.on_db = rng() % 2;
        // Overlapping lists: 1-3 accesses out of the few on each resource.
        while (op.kind != Kind::kDelete && (!op.mask || rng() % 2)) {
          const uint32_t pool = ResourceMask(op.on_db);
          int bit = static_cast<int>(rng() % kAccessCount);
          if (pool & (1u << bit)) op.mask |= 1u << bit;
        }
        ops.push_back(op);
      }
    }
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    const std::string base = server_->url() + "/v1/organizations/acme/service-tokens/" + id;
    for (size_t c = 0; c < clients.size(); ++c) {
      threads.emplace_back([&, base, c] {
        std::vector<Op>& ops = clients[c];
        std::vector<HttpRequest> requests;
        for (const auto& op : ops)
          requests.push_back(op.kind == Kind::kDelete
                                 ? HttpRequest{"DELETE", base, ""}
                                 : HttpRequest{op.kind == Kind::kGrant ? "POST" : "DELETE",
                                               base + "/access", AccessBody(op.on_db, op.mask)});
        ++ready;
        while (ready < kClients) std::this_thread::yield();
        std::vector<HttpReply> replies;
        if (c % 2) {
          // Back to back on one connection: most pressure, but each reply's
          // time is only known to lie within the whole sequence.
          const Clock::time_point invoked = Clock::now();
          replies = CurlSequence(requests, {admin_});
          for (auto& op : ops) op.invoked = invoked, op.answered = Clock::now();
        } else {
          for (size_t i = 0; i < ops.size(); ++i) {
            ops[i].invoked = Clock::now();
            replies.push_back(Curl(requests[i].method, requests[i].url, {admin_}, requests[i].body));
            ops[i].answered = Clock::now();
          }
        }
        for (size_t i = 0; i < ops.size(); ++i) {
          ops[i].status = replies[i].status;
          if (ops[i].kind == Kind::kGrant && replies[i].status == 200) {
            json::value v = replies[i].Json();
            ops[i].returned = v.is_object() ? MaskOf(v.as_object()["data"].as_array()) : ~0u;
          }
        }
      });
    }
    for (auto& t : threads) t.join();

    std::string log;
    for (size_t c = 0; c < clients.size(); ++c)
      for (const auto& op : clients[c]) {
        log += "  client " + std::to_string(c) + ": " + op.Describe() + "\n";
        const bool expected = op.status == 404 || (op.status == 200 && op.kind == Kind::kGrant) ||
                              (op.status == 204 && op.kind != Kind::kGrant);
        EXPECT_TRUE(expected) << "unexpected reply: " << op.Describe();
      }
    ASSERT_FALSE(HasFailure()) << log;

    const State api = ReadApi(id);
    EXPECT_TRUE(Linearizable(clients, start, api))
        << "no serial order of these operations ends in " << Describe(api) << " from "
        << Describe(start) << ":\n" << log;
    EXPECT_EQ(Describe(ReadStore(id)), Describe(api)) << "store vs API";
    CheckIndex(id, secret, api);
    CheckAuditLog(id, clients, setup, api);
    if (HasFailure()) return;
    if (api.exists) {
      ASSERT_EQ(Api("DELETE", "/v1/organizations/acme/service-tokens/" + id).status, 204);
    }
  }
}


// Grants on a database racing its deletion: whichever wins, no grant may be
// left pointing at the deleted database (in the store, the API or the
// token's own rights), and no grant may be audited after the deletion.
TEST_F(RaceTest, GrantsRacingADatabaseDeleteLeaveNoGrantOnIt) {
  std::mt19937_64 rng(seed_);
  HttpReply created = Api("POST", "/v1/organizations/acme/service-tokens", R"({"name":"grantee"})");
  ASSERT_EQ(created.status, 200);
  const std::string id = std::string(created.Json().as_object()["id"].as_string());
  const std::string secret = std::string(created.Json().as_object()["token"].as_string());
  const std::string base = server_->url() + "/v1/organizations/acme";
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(seed_));
    const std::string name = "vanish" + std::to_string(round);
    HttpReply db = Api("POST", "/v1/organizations/acme/databases", R"({"name":")" + name + R"("})");
    ASSERT_EQ(db.status, 201) << db.body;
    const std::string db_id = std::string(db.Json().as_object()["id"].as_string());
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    const int delete_after = static_cast<int>(rng() % 3);
    for (int c = 0; c < 4; ++c) {
      threads.emplace_back([&, c] {
        std::vector<HttpRequest> grants;
        for (int i = 0; i < 20; ++i) {
          const char* access = kAccesses[3 + (c + i) % 4].name;
          grants.push_back({"POST", base + "/service-tokens/" + id + "/access",
                            R"({"database":")" + name + R"(","access":[")" + access + R"("]})"});
        }
        ++ready;
        while (ready < 5) std::this_thread::yield();
        for (const HttpReply& r : CurlSequence(grants, {admin_}))
          EXPECT_TRUE(r.status == 200 || r.status == 404) << r.status << " " << r.body;
      });
    }
    threads.emplace_back([&] {
      ++ready;
      while (ready < 5) std::this_thread::yield();
      for (int i = 0; i < delete_after; ++i) Curl("GET", base, {admin_});  // let some grants in first
      HttpReply r = Curl("DELETE", base + "/databases/" + name, {admin_});
      EXPECT_EQ(r.status, 204) << r.body;
    });
    for (auto& t : threads) t.join();

    // The store: no grant on a database that does not exist.
    const std::string sql =
        "SELECT count(*) FROM grants WHERE resource_type = 'Database' AND resource_id NOT IN "
        "(SELECT id FROM databases)";
    RunResult r = server_->store_url().empty()
                      ? RunProcess({"/usr/bin/sqlite3", "-batch", "-noheader",
                                    server_->data_dir() + "/data/opscale.db", sql})
                      : RunProcess({"/usr/bin/psql", server_->store_url(), "-qAt", "-c", sql});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "0\n") << "grants left on a deleted database";
    // The API and the token's rights.
    HttpReply got = Api("GET", "/v1/organizations/acme/service-tokens/" + id);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.body.find(db_id), std::string::npos) << "a grant on the deleted database";
    // A database made again under the same name is a new one: no access to it.
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/databases", R"({"name":")" + name + R"("})").status, 201);
    EXPECT_EQ(CallApi(server_->url(), "GET", "/v1/organizations/acme/databases/" + name,
                      TokenHeader(id, secret)).status, 404);
    // The audit log: nothing granted on the database after its deletion.
    HttpReply log = Api("GET", "/v1/organizations/acme/audit-log?limit=100");
    ASSERT_EQ(log.status, 200);
    bool deletion_seen = false;  // newest first: events after the deletion come before it
    json::value log_json = log.Json();
    for (const auto& e : log_json.as_object()["data"].as_array()) {
      const json::object& o = e.as_object();
      if (o.at("audit_action").as_string() == "database.deleted" && o.at("auditable_id").as_string() == db_id) {
        deletion_seen = true;
        break;
      }
      const bool on_it = o.at("target_id").is_string() && o.at("target_id").as_string() == db_id;
      EXPECT_FALSE(on_it && o.at("audit_action").as_string() == "service_token.granted_access")
          << "a grant on database " << name << " audited after its deletion";
    }
    EXPECT_TRUE(deletion_seen);
    if (HasFailure()) return;
  }
}


// Grants and revokes racing the token's deletion: each is either before it
// (acknowledged and audited) or after it (404, not audited); nothing is
// audited after the deletion and no grant outlives the token.
TEST_F(RaceTest, WritesRacingATokenDeleteAreAuditedOnlyBeforeIt) {
  std::mt19937_64 rng(seed_ + 1);
  const std::string base = server_->url() + "/v1/organizations/acme/service-tokens";
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + ", seed " + std::to_string(seed_));
    HttpReply created = Api("POST", "/v1/organizations/acme/service-tokens", R"({"name":"doomed"})");
    ASSERT_EQ(created.status, 200);
    const std::string id = std::string(created.Json().as_object()["id"].as_string());
    std::atomic<int> ready{0}, acked_grants{0}, acked_revokes{0};
    std::vector<std::thread> threads;
    const int delete_after = static_cast<int>(rng() % 3);
    for (int c = 0; c < 4; ++c) {
      threads.emplace_back([&, c] {
        std::vector<HttpRequest> writes;
        const std::string body = AccessBody(false, 1u << (c % 3));
        for (int i = 0; i < 20; ++i)
          writes.push_back({i % 2 ? "DELETE" : "POST", base + "/" + id + "/access", body});
        ++ready;
        while (ready < 5) std::this_thread::yield();
        std::vector<HttpReply> replies = CurlSequence(writes, {admin_});
        for (size_t i = 0; i < replies.size(); ++i) {
          const int ok = i % 2 ? 204 : 200;
          EXPECT_TRUE(replies[i].status == ok || replies[i].status == 404) << replies[i].status;
          if (replies[i].status == ok) ++(i % 2 ? acked_revokes : acked_grants);
        }
      });
    }
    threads.emplace_back([&] {
      ++ready;
      while (ready < 5) std::this_thread::yield();
      for (int i = 0; i < delete_after; ++i) Curl("GET", base, {admin_});
      HttpReply r = Curl("DELETE", base + "/" + id, {admin_});
      EXPECT_EQ(r.status, 204) << r.body;
    });
    for (auto& t : threads) t.join();

    EXPECT_EQ(Describe(ReadStore(id)), Describe(State{})) << "grants outlived the token";
    // The token's events, newest first, down to its creation.
    std::vector<std::string> actions;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      HttpReply r = Api("GET", "/v1/organizations/acme/audit-log?limit=100" +
                                   (cursor.empty() ? "" : "&starting_after=" + cursor));
      ASSERT_EQ(r.status, 200);
      json::value v = r.Json();
      for (const auto& e : v.as_object()["data"].as_array()) {
        const json::object& o = e.as_object();
        if (o.at("auditable_id").is_string() && o.at("auditable_id").as_string() == id)
          actions.emplace_back(o.at("audit_action").as_string());
      }
      if (!actions.empty() && actions.back() == "service_token.created") break;
      if (!v.as_object()["has_next"].as_bool()) break;
      cursor = std::string(v.as_object()["cursor_end"].as_string());
    }
    ASSERT_FALSE(actions.empty());
    EXPECT_EQ(actions.front(), "service_token.deleted") << "an event after the token's deletion";
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "service_token.granted_access"), acked_grants.load());
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "service_token.removed_access"), acked_revokes.load());
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace opscale::testutil
