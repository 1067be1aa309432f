// Tests of the connect proxy against a real private mariadbd (started once
// per suite in a temporary directory; the engine owns it and stops it by
// pid) and the real `mariadb` command-line client as the local app. The
// tunnel's server side is played by a small in-test HTTP responder.

#include "cli/mysql_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/engine_factory.h"

namespace opscale::cli {
namespace {

using namespace std::chrono_literals;

constexpr char kUser[] = "pscale-cli-connect-test";
constexpr char kPassword[] = "s3cret-Pw!";
constexpr char kSchema[] = "shop_main";

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Fd Dial(int port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  EXPECT_EQ(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

// A listening socket on 127.0.0.1 and a free port.
Fd Listen(int* port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(listen(fd.get(), 8), 0);
  socklen_t len = sizeof a;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// Accepts one connection within 10 s (-1 otherwise).
int AcceptOne(int listen_fd) {
  pollfd p{listen_fd, POLLIN, 0};
  if (poll(&p, 1, 10000) != 1) return -1;
  return accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

struct Output {
  int exit_code = -1;
  std::string text;  // stdout and stderr
};

// Runs the real mariadb client against 127.0.0.1:port.
Output RunMariaDbClient(int port, const std::string& sql, const std::string& extra = "") {
  std::string cmd = "timeout 20 mariadb --no-defaults --protocol=TCP -h127.0.0.1 -P" +
                    std::to_string(port) + " -uroot --batch --skip-column-names " + extra +
                    " -e \"" + sql + "\" 2>&1";
  Output out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.text.append(buf, n);
  int status = pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class MySqlProxyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/opscale-proxy-test-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    Result<std::unique_ptr<engine::Engine>> opened = engine::OpenEngine({*dir_, ""});
    Status st = opened.ok() ? Status::Ok() : opened.status();
    if (st.ok()) {
      engine_ = std::move(opened).value().release();
      if (engine_->port() == 0) st = Status::Unavailable(engine_->Describe());
    }
    if (st.ok()) st = engine_->CreateSchema(kSchema);
    if (st.ok()) {
      engine::AccountSpec spec;
      spec.username = kUser;
      spec.password = kPassword;
      spec.schema = kSchema;
      spec.role = engine::Role::kAdmin;
      st = engine_->CreateAccount(spec);
    }
    if (!st.ok()) start_error_ = new std::string(st.ToString());
  }

  static void TearDownTestSuite() {
    delete engine_;  // stops the private mariadbd
    engine_ = nullptr;
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
  }

  void SetUp() override { ASSERT_EQ(start_error_, nullptr) << *start_error_; }

  static UpstreamCredentials Credentials(std::string password = kPassword) {
    return {kUser, std::move(password), kSchema};
  }

  // A local listener whose connections are proxied straight to mariadbd
  // (TCP standing in for the tunnel), or through `tunnel` when given.
  struct LocalProxy {
    Fd listener;
    int port = 0;
    std::future<Status> done;
  };
  LocalProxy StartLocalProxy(UpstreamCredentials creds,
                             std::function<Result<TunnelConnection>()> tunnel = {}) {
    LocalProxy p;
    p.listener = Listen(&p.port);
    int listen_fd = p.listener.get();
    p.done = std::async(std::launch::async, [listen_fd, creds, tunnel]() -> Status {
      Fd local(AcceptOne(listen_fd));
      if (local.get() < 0) return Status::Unavailable("no local client");
      TunnelConnection t;
      Fd direct;
      if (tunnel) {
        Result<TunnelConnection> opened = tunnel();
        if (!opened.ok()) return opened.status();
        t = std::move(opened).value();
      } else {
        direct = Dial(engine_->port());
        t.fd = direct.get();
      }
      Fd owned_tunnel(tunnel ? t.fd : -1);
      return ProxyConnection(local.get(), std::move(t), creds);
    });
    return p;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* start_error_ = nullptr;
  static inline engine::Engine* engine_ = nullptr;
};

TEST_F(MySqlProxyTest, UpstreamHandshakeWithTheRightPasswordSucceeds) {
  Fd fd = Dial(engine_->port());
  PacketReader up(fd.get());
  Result<ServerGreeting> g = ReadServerGreeting(up, 5s);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_NE(g->server_version.find("MariaDB"), std::string::npos);
  EXPECT_EQ(g->scramble.size(), 20u);
  std::string ok, err;
  Status st = UpstreamHandshake(up, *g, Credentials(), mysql_caps::kProtocol41, 45, &ok, &err, 5s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_FALSE(ok.empty());
  EXPECT_EQ(ok[0], 0);
  EXPECT_TRUE(err.empty());
}

TEST_F(MySqlProxyTest, UpstreamHandshakeWithAWrongPasswordSaysAccessDenied) {
  Fd fd = Dial(engine_->port());
  PacketReader up(fd.get());
  Result<ServerGreeting> g = ReadServerGreeting(up, 5s);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::string ok, err;
  Status st = UpstreamHandshake(up, *g, Credentials("wrong"), mysql_caps::kProtocol41, 45, &ok,
                                &err, 5s);
  EXPECT_EQ(st.code(), Code::kUnauthenticated);
  EXPECT_NE(st.message().find("Access denied for user '" + std::string(kUser) + "'"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find("wrong"), std::string::npos);
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(static_cast<unsigned char>(err[0]), 0xff);
}

TEST_F(MySqlProxyTest, NativePasswordScrambleMatchesTheFormula) {
  EXPECT_EQ(NativePasswordScramble("", std::string(20, 'a')), "");
  std::string s = NativePasswordScramble("pw", std::string(20, 'a'));
  EXPECT_EQ(s.size(), 20u);
  EXPECT_NE(s, NativePasswordScramble("pw", std::string(20, 'b')));
  EXPECT_EQ(s, NativePasswordScramble("pw", std::string(20, 'a') + "ignored"));
}

TEST_F(MySqlProxyTest, RealClientWithoutPasswordReachesTheSchema) {
  LocalProxy p = StartLocalProxy(Credentials());
  Output out = RunMariaDbClient(
      p.port, "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1),(2); "
              "SELECT DATABASE(), 1+1, COUNT(*), CURRENT_USER() FROM t; DROP TABLE t",
      "mydb");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_EQ(out.text, std::string(kSchema) + "\t2\t2\t" + kUser + "@127.0.0.1\n");
  ASSERT_EQ(p.done.wait_for(10s), std::future_status::ready);
  Status st = p.done.get();
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(MySqlProxyTest, RealClientSeesTheUpstreamLoginError) {
  LocalProxy p = StartLocalProxy(Credentials("expired-password"));
  Output out = RunMariaDbClient(p.port, "SELECT 1");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_NE(out.text.find("ERROR 1045 (28000)"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("Access denied"), std::string::npos) << out.text;
  ASSERT_EQ(p.done.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(p.done.get().code(), Code::kUnauthenticated);
}

TEST_F(MySqlProxyTest, RealClientRequiringTlsIsRefusedClearly) {
  LocalProxy p = StartLocalProxy(Credentials());
  Output out = RunMariaDbClient(p.port, "SELECT 1", "--ssl --ssl-verify-server-cert");
  EXPECT_NE(out.exit_code, 0) << out.text;
  ASSERT_EQ(p.done.wait_for(10s), std::future_status::ready);
  std::cerr << "[ proxy    ] TLS-requiring client: " << out.text;
}

// Plays opscaled's tunnel endpoint: checks the upgrade request, then
// answers 101 together with mariadbd's greeting in one write (so the
// greeting arrives with the head, as it can from the real server), then
// relays. Or answers `refusal` (a whole HTTP response) instead.
class FakeTunnelServer {
 public:
  explicit FakeTunnelServer(int db_port, std::string refusal = "") {
    listener_ = Listen(&port_);
    int listen_fd = listener_.get();
    done_ = std::async(std::launch::async, [this, listen_fd, db_port, refusal] {
      Fd client(AcceptOne(listen_fd));
      if (client.get() < 0) return;
      std::string head;
      char c;
      while (head.find("\r\n\r\n") == std::string::npos && recv(client.get(), &c, 1, 0) == 1) {
        head += c;
      }
      request_ = head;
      if (!refusal.empty()) {
        (void)send(client.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL);
        return;
      }
      Fd db = Dial(db_port);
      char greeting[4096];
      ssize_t n = recv(db.get(), greeting, sizeof greeting, 0);
      if (n <= 0) return;
      std::string out =
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
          "Upgrade: opscale-tunnel\r\n\r\n" + std::string(greeting, static_cast<size_t>(n));
      (void)send(client.get(), out.data(), out.size(), MSG_NOSIGNAL);
      (void)RelayBytes(client.get(), db.get(), {}, {});
    });
  }
  ~FakeTunnelServer() {
    if (done_.valid()) done_.wait_for(10s);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string request() {
    done_.wait_for(10s);
    return request_;
  }

 private:
  Fd listener_{-1};
  int port_ = 0;
  std::string request_;
  std::future<void> done_;
};

TEST_F(MySqlProxyTest, RealClientThroughAnUpgradedTunnel) {
  FakeTunnelServer server(engine_->port());
  std::string url = server.url();
  std::string greeting_seen;
  LocalProxy p = StartLocalProxy(Credentials(), [&]() -> Result<TunnelConnection> {
    Result<TunnelConnection> t =
        OpenTunnel(url, "/v1/organizations/o/databases/d/branches/main/tunnel", "Bearer tok", TlsOptions{});
    if (t.ok()) greeting_seen = t->already_read;
    return t;
  });
  Output out = RunMariaDbClient(p.port, "SELECT DATABASE(), 1+1");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_EQ(out.text, std::string(kSchema) + "\t2\n");
  ASSERT_EQ(p.done.wait_for(10s), std::future_status::ready);
  Status st = p.done.get();
  EXPECT_TRUE(st.ok()) << st.ToString();
  // The greeting came with the 101 head and was not lost.
  ASSERT_GT(greeting_seen.size(), 5u);
  EXPECT_EQ(greeting_seen[4], 10);
  std::string req = server.request();
  EXPECT_EQ(req.rfind("GET /v1/organizations/o/databases/d/branches/main/tunnel HTTP/1.1\r\n", 0),
            0u)
      << req;
  EXPECT_NE(req.find("Connection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(req.find("Upgrade: opscale-tunnel\r\n"), std::string::npos);
  EXPECT_NE(req.find("Authorization: Bearer tok\r\n"), std::string::npos);
}

TEST_F(MySqlProxyTest, OpenTunnelReportsTheServersRefusal) {
  std::string body = R"({"code":"unauthorized","message":"token was revoked"})";
  FakeTunnelServer server(engine_->port(), "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  Result<TunnelConnection> t = OpenTunnel(server.url(), "/tunnel", "Bearer secret-token", TlsOptions{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(t.status().message(), "token was revoked");

  // https is TLS (tests/integration/tls_test.cc): nothing listens on port 1.
  EXPECT_EQ(OpenTunnel("https://127.0.0.1:1", "/t", "x", TlsOptions{}).status().code(), Code::kUnavailable);
  EXPECT_EQ(OpenTunnel("ftp://x", "/t", "x", TlsOptions{}).status().code(), Code::kInvalidArgument);
}

TEST_F(MySqlProxyTest, LocalClientGetsAnErrorWhenTheTunnelIsDead) {
  int port = 0;
  Fd dead = Listen(&port);
  LocalProxy p = StartLocalProxy(Credentials(), [&]() -> Result<TunnelConnection> {
    // A tunnel whose far end closes at once.
    Fd peer = Dial(port);
    int fd = dup(peer.get());
    Fd accepted(AcceptOne(dead.get()));
    return TunnelConnection{fd, ""};
  });
  Output out = RunMariaDbClient(p.port, "SELECT 1");
  EXPECT_NE(out.exit_code, 0);
  EXPECT_NE(out.text.find("opscale connect"), std::string::npos) << out.text;
  ASSERT_EQ(p.done.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(p.done.get().code(), Code::kUnavailable);
}

// RelayBytes' stop_fd (Ctrl-C in `connect`): the relay's threads sit in a
// blocking recv(); a readable stop_fd must still end it promptly, and the
// peers then see the connection end.
TEST(RelayBytesTest, StopFdEndsTheRelayAndPendingBytesGoFirst) {
  int app_pair[2], db_pair[2], stop_pipe[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, app_pair), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, db_pair), 0);
  ASSERT_EQ(pipe2(stop_pipe, O_CLOEXEC), 0);
  Fd app(app_pair[0]), local(app_pair[1]), tunnel(db_pair[0]), db(db_pair[1]);
  Fd stop_read(stop_pipe[0]), stop_write(stop_pipe[1]);
  auto done = std::async(std::launch::async, [&] {
    return RelayBytes(local.get(), tunnel.get(), "to-db:", "to-app:", stop_read.get());
  });
  ASSERT_EQ(send(app.get(), "ping", 4, MSG_NOSIGNAL), 4);
  ASSERT_EQ(send(db.get(), "pong", 4, MSG_NOSIGNAL), 4);
  auto read_n = [](int fd, size_t n) {
    std::string out;
    char buf[64];
    while (out.size() < n) {
      ssize_t got = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buf, static_cast<size_t>(got));
    }
    return out;
  };
  EXPECT_EQ(read_n(db.get(), 10), "to-db:ping");
  EXPECT_EQ(read_n(app.get(), 11), "to-app:pong");
  EXPECT_NE(done.wait_for(50ms), std::future_status::ready);

  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(write(stop_write.get(), "x", 1), 1);
  ASSERT_EQ(done.wait_for(1s), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_TRUE(done.get().ok());
  char c;
  EXPECT_EQ(recv(app.get(), &c, 1, 0), 0);  // shut down: EOF, not a hang
  EXPECT_EQ(recv(db.get(), &c, 1, 0), 0);
}

}  // namespace
}  // namespace opscale::cli
