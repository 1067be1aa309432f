// Tests of the relay and the registry over socketpairs, and of the whole
// server side: HttpServer's upgrade hands the socket to RunServerTunnel,
// which joins it to a real private mariadbd (started once per suite in a
// temporary directory, stopped by pid); a raw socket client plays the CLI.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "api/http_server.h"
#include "engine/private_mariadb.h"
#include "tunnel/relay.h"
#include "tunnel/server_tunnel.h"
#include "tunnel/tunnel_registry.h"

namespace opscale::tunnel {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A socket descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(o.Release()) {}
  Fd& operator=(Fd&& o) noexcept {
    Reset(o.Release());
    return *this;
  }
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

std::pair<Fd, Fd> SocketPair() {
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  return {Fd(sv[0]), Fd(sv[1])};
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    off += static_cast<size_t>(n);
  }
}

// Reads exactly n bytes within `timeout` ("" on EOF/timeout).
std::string ReadN(int fd, size_t n, std::chrono::milliseconds timeout = 5s) {
  std::string out;
  auto deadline = Clock::now() + timeout;
  while (out.size() < n && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t got = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got <= 0) return "";
    out.append(buf, static_cast<size_t>(got));
  }
  return out.size() == n ? out : "";
}

// True when the peer closes (EOF or reset) within `timeout`.
bool WaitClosed(int fd, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
  }
  return false;
}

TEST(RelayTest, CopiesBothWaysPendingFirstAndEndsWhenASideCloses) {
  auto [app, left] = SocketPair();
  auto [right, db] = SocketPair();
  Relay relay(left.get(), right.get());
  auto done = std::async(std::launch::async, [&] { return relay.Run("early-", "hello-"); });
  SendAll(app.get(), "ping");
  EXPECT_EQ(ReadN(db.get(), 10), "early-ping");
  EXPECT_EQ(ReadN(app.get(), 6), "hello-");
  std::string big(300000, 'x');
  const int db_fd = db.get();  // clang 14 (sanitizer builds) cannot capture a structured binding
  std::thread writer([&] { SendAll(db_fd, big); });
  EXPECT_EQ(ReadN(app.get(), big.size()), big);
  writer.join();
  db.Reset();
  ASSERT_EQ(done.wait_for(2s), std::future_status::ready);
  RelayResult r = done.get();
  EXPECT_EQ(r.end, RelayEnd::kRightClosed);
  EXPECT_EQ(r.left_to_right_bytes, 10u);
  EXPECT_EQ(r.right_to_left_bytes, 6u + big.size());
}

TEST(RelayTest, StopEndsARelayBlockedOnAPeerThatDoesNotRead) {
  auto [app, left] = SocketPair();
  auto [right, db] = SocketPair();
  Relay relay(left.get(), right.get());
  auto done = std::async(std::launch::async, [&] { return relay.Run(); });
  // Fill the app's receive side: the relay now waits to write.
  std::string big(4 << 20, 'y');
  const int db_fd = db.get();  // clang 14 (sanitizer builds) cannot capture a structured binding
  std::thread writer([&] {
    size_t off = 0;
    while (off < big.size()) {
      ssize_t n = send(db_fd, big.data() + off, big.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  });
  std::this_thread::sleep_for(100ms);
  auto start = Clock::now();
  relay.Stop();
  ASSERT_EQ(done.wait_for(1s), std::future_status::ready);
  EXPECT_LT(Clock::now() - start, 200ms);
  EXPECT_EQ(done.get().end, RelayEnd::kStopped);
  shutdown(db.get(), SHUT_RDWR);
  writer.join();
}

TEST(RelayTest, StopBeforeRunReturnsAtOnce) {
  auto [a, b] = SocketPair();
  Relay relay(a.get(), b.get());
  relay.Stop();
  EXPECT_EQ(relay.Run().end, RelayEnd::kStopped);
}

// Relays share the process's event loop(s): many at once, each with its own
// traffic, then ended half by a peer closing and half by Stop().
TEST(RelayTest, ManyRelaysAtOnceShareTheLoop) {
  constexpr int kRelays = 24;
  struct Pipe {
    ~Pipe() {
      if (relay) relay->Stop();  // a failed assertion must not leave `done` waiting
    }
    Fd app, left, right, db;
    std::unique_ptr<Relay> relay;
    std::future<RelayResult> done;
  };
  std::vector<Pipe> pipes(kRelays);
  for (Pipe& p : pipes) {
    std::tie(p.app, p.left) = SocketPair();
    std::tie(p.right, p.db) = SocketPair();
    p.relay = std::make_unique<Relay>(p.left.get(), p.right.get());
    p.done = std::async(std::launch::async, [r = p.relay.get()] { return r->Run(); });
  }
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < kRelays; ++i) SendAll(pipes[i].app.get(), "q" + std::to_string(i));
    for (int i = 0; i < kRelays; ++i) {
      std::string q = "q" + std::to_string(i);
      ASSERT_EQ(ReadN(pipes[i].db.get(), q.size()), q);
      SendAll(pipes[i].db.get(), "a" + q);
    }
    for (int i = 0; i < kRelays; ++i) {
      ASSERT_EQ(ReadN(pipes[i].app.get(), 1 + std::to_string(i).size() + 1),
                "aq" + std::to_string(i));
    }
  }
  for (int i = 0; i < kRelays; ++i) {
    if (i % 2 == 0) pipes[i].app.Reset();
    else pipes[i].relay->Stop();
  }
  for (int i = 0; i < kRelays; ++i) {
    ASSERT_EQ(pipes[i].done.wait_for(2s), std::future_status::ready);
    RelayResult r = pipes[i].done.get();
    EXPECT_EQ(r.end, i % 2 == 0 ? RelayEnd::kLeftClosed : RelayEnd::kStopped);
    EXPECT_EQ(r.left_to_right_bytes, 20 * (1 + std::to_string(i).size()));
    EXPECT_TRUE(WaitClosed(pipes[i].db.get(), 1s));
  }
}

TunnelInfo Info(std::string principal, std::string database, std::string branch,
                std::string engine_user) {
  TunnelInfo t;
  t.principal_id = std::move(principal);
  t.org_id = "org";
  t.database_id = std::move(database);
  t.branch_name = std::move(branch);
  t.engine_username = std::move(engine_user);
  return t;
}

TEST(TunnelRegistryTest, SeversBySelectorAndReportsDistinctEngineUsers) {
  TunnelRegistry registry;
  std::atomic<int> closed{0};
  auto closer = [&] { closed++; };
  TunnelId a = registry.Register(Info("tok1", "db1", "main", "u1"), closer);
  registry.Register(Info("tok1", "db1", "dev", "u1"), closer);
  registry.Register(Info("tok1", "db2", "main", "u2"), closer);
  registry.Register(Info("tok2", "db1", "main", "u3"), closer);
  EXPECT_EQ(registry.Count(), 4u);
  EXPECT_NE(registry.List()[0].opened_at, std::chrono::system_clock::time_point{});

  SeverResult none = registry.SeverByPrincipal("nobody");
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(closed, 0);

  SeverResult branch = registry.SeverByBranch("db1", "dev");
  EXPECT_EQ(branch.count, 1);
  EXPECT_EQ(branch.engine_usernames, std::vector<std::string>{"u1"});

  SeverResult tok1 = registry.SeverByPrincipal("tok1");
  EXPECT_EQ(tok1.count, 2);
  EXPECT_EQ(tok1.engine_usernames, (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(closed, 3);
  registry.Unregister(a);  // already severed: a no-op
  EXPECT_EQ(registry.Count(), 1u);

  TunnelId b = registry.Register(Info("tok3", "db9", "main", ""), closer);
  registry.Unregister(b);
  EXPECT_EQ(registry.SeverByDatabase("db9").count, 0);
  EXPECT_EQ(registry.SeverByDatabase("db1").count, 1);
  EXPECT_EQ(closed, 4);
  EXPECT_EQ(registry.Count(), 0u);
}

TEST(OpenUpstreamTest, RefusedPortIsUnavailableWithTheAddress) {
  // Bind then close: the port is very likely free and refuses.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(s);
  Result<int> fd = OpenUpstream("127.0.0.1", port, 1s);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Code::kUnavailable);
  EXPECT_NE(fd.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << fd.status().message();
}

// The server side end to end, against a real mariadbd.
class ServerTunnelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/opscale-tunnel-test-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    engine::PrivateMariaDbOptions options;
    options.data_dir = *dir_;
    auto started = engine::PrivateMariaDb::Start(options);
    if (!started.ok()) {
      start_error_ = new std::string(started.status().ToString());
      return;
    }
    db_ = std::move(started).value().release();
  }

  static void TearDownTestSuite() {
    if (db_ != nullptr) {
      EXPECT_TRUE(db_->Stop().ok());
      delete db_;
      db_ = nullptr;
    }
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
  }

  void SetUp() override {
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    api::HttpServerOptions o;
    o.port = 0;
    server_ = std::make_unique<api::HttpServer>(o, [this](const api::Request& req) {
      return Handle(req);
    });
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    registry_.SeverAll();
    if (server_) server_->Stop(1000);
    // Tunnel threads are detached: wait until they have unregistered and
    // returned (they reference registry_ and tunnels_running_).
    auto deadline = Clock::now() + 2s;
    while (tunnels_running_ > 0 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(tunnels_running_, 0);
  }

  // What the lead's handler does, minus authentication: check, open the
  // upstream, answer 101 and run the tunnel on the handed-over socket.
  api::Response Handle(const api::Request& req) {
    api::Response res;
    if (req.Header("authorization") != "Bearer good") {
      res.status = 401;
      res.body = R"({"code":"unauthorized","message":"bad token"})";
      return res;
    }
    Result<int> upstream = OpenUpstream(db_->host(), db_->port());
    if (!upstream.ok()) {
      res.status = 503;
      return res;
    }
    int upstream_fd = *upstream;
    res.status = 101;
    res.headers.emplace_back("Upgrade", kTunnelProtocol);
    tunnels_running_++;
    res.upgrade = [this, upstream_fd](int fd, std::string already_read) {
      TunnelInfo info = Info("tok1", "db1", "main", "user1");
      RunServerTunnel(fd, std::move(already_read), upstream_fd, registry_, info);
      tunnels_running_--;
    };
    return res;
  }

  // Connects, sends the upgrade request (plus `extra` in the same write)
  // and returns the socket positioned after the response head.
  Fd OpenTunnel(const std::string& authorization, std::string* head,
                const std::string& extra = "") {
    Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server_->port());
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    SendAll(fd.get(),
            "GET /v1/organizations/o/databases/d/branches/main/tunnel HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: opscale-tunnel\r\n"
            "Authorization: " + authorization + "\r\n\r\n" + extra);
    // Byte by byte, so nothing past the head is consumed.
    head->clear();
    while (head->find("\r\n\r\n") == std::string::npos) {
      std::string c = ReadN(fd.get(), 1);
      if (c.empty()) break;
      *head += c;
    }
    return fd;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* start_error_ = nullptr;
  static inline engine::PrivateMariaDb* db_ = nullptr;
  TunnelRegistry registry_;
  std::atomic<int> tunnels_running_{0};
  std::unique_ptr<api::HttpServer> server_;
};

// The 4-byte header and payload of one MySQL packet.
std::string ReadPacket(int fd) {
  std::string header = ReadN(fd, 4);
  if (header.size() != 4) return "";
  size_t len = static_cast<unsigned char>(header[0]) |
               static_cast<unsigned char>(header[1]) << 8 |
               static_cast<unsigned char>(header[2]) << 16;
  return ReadN(fd, len);
}

TEST_F(ServerTunnelTest, UpgradedConnectionReachesMariaDb) {
  std::string head;
  Fd fd = OpenTunnel("Bearer good", &head);
  ASSERT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  EXPECT_NE(head.find("Upgrade: opscale-tunnel\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Connection: Upgrade\r\n"), std::string::npos) << head;
  // MariaDB's greeting comes through the pipe: HandshakeV10.
  std::string greeting = ReadPacket(fd.get());
  ASSERT_FALSE(greeting.empty());
  EXPECT_EQ(greeting[0], 10);
  EXPECT_NE(greeting.find("MariaDB"), std::string::npos);
  auto deadline = Clock::now() + 2s;
  while (registry_.Count() != 1 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(registry_.Count(), 1u);
  EXPECT_EQ(registry_.List()[0].principal_id, "tok1");

  // The client leaves: the tunnel unregisters and closes the upstream.
  fd.Reset();
  deadline = Clock::now() + 2s;
  while (registry_.Count() != 0 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(registry_.Count(), 0u);
}

TEST_F(ServerTunnelTest, BytesSentWithTheRequestReachMariaDbFirst) {
  // A bogus packet sent right behind the request, before the greeting was
  // read: MariaDB sees it as the handshake response and rejects it, which
  // proves the transport passed the already-read bytes on.
  std::string bogus("\x05\x00\x00\x01" "abcde", 9);
  std::string head;
  Fd fd = OpenTunnel("Bearer good", &head, bogus);
  ASSERT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  std::string greeting = ReadPacket(fd.get());
  ASSERT_FALSE(greeting.empty());
  EXPECT_EQ(greeting[0], 10);
  std::string reply = ReadPacket(fd.get());
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(static_cast<unsigned char>(reply[0]), 0xff) << "expected an ERR packet";
}

TEST_F(ServerTunnelTest, UnauthorizedRequestGetsNoTunnel) {
  std::string head;
  Fd fd = OpenTunnel("Bearer bad", &head);
  EXPECT_EQ(head.rfind("HTTP/1.1 401 ", 0), 0u) << head;
  EXPECT_EQ(registry_.Count(), 0u);
}

TEST_F(ServerTunnelTest, SeverByPrincipalClosesTheClientWithinOneSecond) {
  std::string head;
  Fd a = OpenTunnel("Bearer good", &head);
  ASSERT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  Fd b = OpenTunnel("Bearer good", &head);
  ASSERT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  ASSERT_FALSE(ReadPacket(a.get()).empty());
  ASSERT_FALSE(ReadPacket(b.get()).empty());
  auto deadline = Clock::now() + 2s;
  while (registry_.Count() != 2 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(registry_.Count(), 2u);

  auto start = Clock::now();
  SeverResult severed = registry_.SeverByPrincipal("tok1");
  EXPECT_EQ(severed.count, 2);
  EXPECT_EQ(severed.engine_usernames, std::vector<std::string>{"user1"});
  EXPECT_EQ(registry_.Count(), 0u);
  EXPECT_TRUE(WaitClosed(a.get(), 1s));
  EXPECT_TRUE(WaitClosed(b.get(), 1s));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_LT(took, 1s);
  std::cerr << "[ tunnel   ] severed 2 tunnels, both clients saw the close after " << took.count()
            << " ms\n";
}

}  // namespace
}  // namespace opscale::tunnel
