// Integration tests of the HTTP transport over real sockets (127.0.0.1 and
// port 0), driven by raw POSIX sockets so hostile input can be sent as-is.
// Also unit tests of url.h.

#include "api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api/url.h"

namespace opscale::api {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A blocking client connection with a receive timeout, so a broken server
// fails a test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port, const char* ip = "127.0.0.1") {
    bool v6 = std::string(ip).find(':') != std::string::npos;
    fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc;
    if (v6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      inet_pton(AF_INET6, ip, &a.sin6_addr);
      rc = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      inet_pton(AF_INET, ip, &a.sin_addr);
      rc = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    connected_ = rc == 0;
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed); nullopt on EOF/error/timeout.
  std::optional<Reply> Read() {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Reply r;
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = next + 2;
    }
    if (r.status / 100 == 1) return r;  // interim: no body
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    if (skip_body_) length = 0;
    while (buf_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  std::optional<Reply> Roundtrip(std::string_view request) {
    if (!Send(request)) return std::nullopt;
    return Read();
  }

  // True when the server closes (EOF or reset) within `timeout`; data that
  // arrives first is discarded.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    buf_.clear();
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
      char tmp[4096];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n == 0) return true;
      if (n < 0 && errno != EAGAIN && errno != EINTR) return true;
    }
    return false;
  }

  // True when some answer bytes arrive within `timeout` (they stay buffered).
  bool HasDataWithin(std::chrono::milliseconds timeout) {
    if (!buf_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(timeout.count())) > 0;
  }

  // Exactly n raw bytes (buffered ones first); "" on EOF/error/timeout.
  std::string ReadRaw(size_t n) {
    while (buf_.size() < n) {
      if (!Fill()) return "";
    }
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
  }

  void set_skip_body(bool v) { skip_body_ = v; }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }

 private:
  bool Fill() {
    char tmp[16384];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool skip_body_ = false;
  std::string buf_;
};

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

// Starts a server whose handler records the last request and echoes its body;
// "/throw" throws, "/slow" blocks until released.
class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions o = {}) {
    o.port = 0;
    server_ = std::make_unique<HttpServer>(o, [this](const Request& req) { return Handle(req); });
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    port_ = server_->port();
  }

  void TearDown() override {
    ReleaseSlow();
    if (server_) server_->Stop(1000);
  }

  Response Handle(const Request& req) {
    calls_++;
    {
      std::lock_guard lock(mu_);
      last_ = req;
    }
    if (req.path == "/throw") throw std::runtime_error("boom");
    if (req.path == "/slow") {
      slow_started_.set_value();
      slow_release_.get_future().wait_for(10s);
    }
    Response res;
    res.content_type = "text/plain";
    res.headers.push_back({"X-Extra", "yes"});
    res.headers.push_back({"X-Evil", "a\r\nInjected: 1"});  // must be dropped
    res.body = req.method == "POST" ? req.body : "ok " + req.path;
    if (req.path == "/nocontent") res.status = 204;
    if (req.path == "/csv") {
      res.content_type = "";
      res.headers.push_back({"Content-Type", "text/csv"});
      res.headers.push_back({"Content-Length", "999"});  // ignored
    }
    if (req.path == "/bye") res.headers.push_back({"Connection", "close"});
    if (req.path == "/weird") res.status = 42;
    return res;
  }

  void ReleaseSlow() {
    if (!released_) {
      released_ = true;
      slow_release_.set_value();
    }
  }

  Request Last() {
    std::lock_guard lock(mu_);
    return last_;
  }

  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  Request last_;
  std::promise<void> slow_started_;
  std::promise<void> slow_release_;
  bool released_ = false;
};

TEST_F(HttpServerTest, GetDecodesPathQueryAndHeaders) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.connected());
  auto r = c.Roundtrip(
      Get("/v1/a%20b/c%2Fd?name=x%2By&sp=1+2&flag&&name=second#frag",
          "X-Dup: one\r\nX-DUP: two\r\nAuthorization: Bearer t\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok /v1/a b/c/d");
  EXPECT_EQ(r->headers["server"], "opscaled");
  EXPECT_EQ(r->headers["content-type"], "text/plain");
  EXPECT_EQ(r->headers["content-length"], std::to_string(r->body.size()));
  EXPECT_EQ(r->headers["x-extra"], "yes");
  EXPECT_EQ(r->headers.count("x-evil"), 0u);
  EXPECT_EQ(r->headers.count("injected"), 0u);

  Request req = Last();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/v1/a%20b/c%2Fd?name=x%2By&sp=1+2&flag&&name=second#frag");
  EXPECT_EQ(req.path, "/v1/a b/c/d");
  ASSERT_EQ(req.query.size(), 4u);
  EXPECT_EQ(req.QueryParam("name"), "x+y");  // first wins
  EXPECT_EQ(req.query[3], (std::pair<std::string, std::string>{"name", "second"}));
  EXPECT_EQ(req.QueryParam("sp"), "1 2");
  bool found = false;
  EXPECT_EQ(req.QueryParam("flag", &found), "");
  EXPECT_TRUE(found);
  req.QueryParam("missing", &found);
  EXPECT_FALSE(found);
  EXPECT_EQ(req.Header("x-dup"), "one, two");
  EXPECT_EQ(req.Header("authorization"), "Bearer t");
  EXPECT_EQ(req.Header("host"), "test");
  EXPECT_EQ(req.Header("absent"), "");
  EXPECT_EQ(req.remote_ip, "127.0.0.1");
}

TEST_F(HttpServerTest, PostBodyRoundTrip) {
  StartServer();
  Client c(port_);
  std::string body = "{\"name\":\"db\"}";
  auto r = c.Roundtrip("POST /v1/x HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
  EXPECT_EQ(Last().Header("content-type"), "application/json");

  // Chunked request bodies are reassembled.
  r = c.Roundtrip("POST /v1/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello world");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneSocket) {
  StartServer();
  Client c(port_);
  for (int i = 0; i < 3; ++i) {
    auto r = c.Roundtrip(Get("/n" + std::to_string(i)));
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "ok /n" + std::to_string(i));
    EXPECT_EQ(r->headers.count("connection"), 0u);
  }
  // Pipelined: two requests in one write, two responses in order.
  ASSERT_TRUE(c.Send(Get("/p1") + Get("/p2")));
  auto a = c.Read();
  auto b = c.Read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, "ok /p1");
  EXPECT_EQ(b->body, "ok /p2");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonored) {
  StartServer();
  Client c(port_);
  auto r = c.Roundtrip(Get("/", "Connection: close\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(c.WaitClosed(3000ms));

  // HTTP/1.0 without keep-alive closes too.
  Client c2(port_);
  r = c2.Roundtrip("GET /old HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /old");
  EXPECT_TRUE(c2.WaitClosed(3000ms));
}

TEST_F(HttpServerTest, HeadAndNoContent) {
  StartServer();
  Client c(port_);
  c.set_skip_body(true);
  auto r = c.Roundtrip("HEAD /abc HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["content-length"], "7");  // length of "ok /abc", not sent
  c.set_skip_body(false);
  r = c.Roundtrip(Get("/nocontent"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->body, "");
  // The connection is still in sync after both.
  r = c.Roundtrip(Get("/after"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /after");
}

TEST_F(HttpServerTest, ResponseHeaderRules) {
  StartServer();
  Client c(port_);
  auto r = c.Roundtrip(Get("/csv"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["content-type"], "text/csv");
  EXPECT_EQ(r->headers["content-length"], "7");
  EXPECT_EQ(r->body, "ok /csv");
  r = c.Roundtrip(Get("/weird"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  r = c.Roundtrip(Get("/bye"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(c.WaitClosed(3000ms));
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                     "Expect: 100-continue\r\n\r\n"));
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("data"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "data");
}

TEST_F(HttpServerTest, ContentLengthOverLimitIs413WithoutReadingBody) {
  StartServer();
  Client c(port_);
  auto r = c.Roundtrip("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2097152\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, R"({"code":"payload_too_large","message":"request body exceeds 1 MiB"})");
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_EQ(r->headers["content-length"], std::to_string(r->body.size()));
  EXPECT_TRUE(c.WaitClosed(3000ms));
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitIs413) {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  Client c(port_);
  std::string chunk(600, 'a');
  std::string req = "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) req += "258\r\n" + chunk + "\r\n";  // 0x258 = 600
  req += "0\r\n\r\n";
  auto r = c.Roundtrip(req);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, R"({"code":"payload_too_large","message":"request body exceeds 1 KiB"})");
  EXPECT_TRUE(c.WaitClosed(3000ms));
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, HugeHeaderIs431) {
  StartServer();
  Client c(port_);
  auto r = c.Roundtrip(Get("/", "X-Big: " + std::string(64 * 1024, 'b') + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->body,
            R"({"code":"headers_too_large","message":"request header block exceeds 16 KiB"})");
  EXPECT_TRUE(c.WaitClosed(3000ms));
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, GarbageGets400OrCloseAndServerKeepsServing) {
  StartServer();
  const std::vector<std::string> inputs = {
      std::string("\x00\xff\xfe garbage\r\n\r\n", 16),
      "GET / HTTP/9.9\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n",
      std::string(100000, 'A'),
  };
  for (const auto& input : inputs) {
    Client c(port_);
    ASSERT_TRUE(c.connected());
    c.Send(input);
    auto r = c.Read();
    if (r) {
      EXPECT_TRUE(r->status == 400 || r->status == 431) << r->status;
      if (r->status == 400) {
        EXPECT_EQ(r->body.rfind(R"({"code":"bad_request","message":")", 0), 0u) << r->body;
      }
    }
    EXPECT_TRUE(c.WaitClosed(3000ms));
  }
  EXPECT_EQ(calls_, 0);
  Client ok(port_);
  auto r = ok.Roundtrip(Get("/still"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /still");
}

TEST_F(HttpServerTest, RandomInputNeverBreaksTheServer) {
  HttpServerOptions o;
  o.read_timeout_seconds = 1;
  o.max_header_bytes = 2048;
  o.max_body_bytes = 512;
  StartServer(o);
  std::mt19937 rng(12345);
  const std::vector<std::string> prefixes = {
      "", "GET / HTTP/1.1\r\n", "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n",
      "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "GET /%", "HEAD * HTTP/1.0\r\n"};
  const std::string alphabet = "GETPOST /%:\r\n\r\n0123456789abcdefxyz\t ;=-,\"\x00\x7f\xff";
  for (int i = 0; i < 200; ++i) {
    std::string input = prefixes[rng() % prefixes.size()];
    size_t n = rng() % 600;
    bool binary = rng() % 2;
    for (size_t k = 0; k < n; ++k) {
      input.push_back(binary ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()]);
    }
    Client c(port_);
    ASSERT_TRUE(c.connected()) << i;
    c.Send(input);
    c.ShutdownWrite();  // EOF: the server must answer or close now
    EXPECT_TRUE(c.WaitClosed(3000ms)) << i;
  }
  Client ok(port_);
  auto r = ok.Roundtrip(Get("/alive"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /alive");
}

TEST_F(HttpServerTest, BadPercentEscapesAre400) {
  StartServer();
  Client c(port_);
  for (std::string target : {"/a%zz", "/a%4", "/x?q=%G0", "/nul%00byte", "*"}) {
    auto r = c.Roundtrip(Get(target));
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_NE(r->body.find("\"code\":\"bad_request\""), std::string::npos);
  }
  EXPECT_EQ(calls_, 0);
  auto r = c.Roundtrip(Get("http://example.com/abs?x=1"));  // absolute-form
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /abs");
}

TEST_F(HttpServerTest, StalledClientIsClosedAfterReadTimeout) {
  HttpServerOptions o;
  o.read_timeout_seconds = 1;
  o.idle_timeout_seconds = 30;
  StartServer(o);
  Client c(port_);
  auto start = Clock::now();
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\n"));  // header never finishes
  EXPECT_TRUE(c.WaitClosed(4000ms));
  auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 900ms);

  // Trickling a byte at a time does not extend the deadline.
  Client t(port_);
  start = Clock::now();
  bool closed = false;
  std::string slow = "GET / HTTP/1.1\r\nX-Slow: " + std::string(100, 'x');
  for (char ch : slow) {
    if (!t.Send(std::string(1, ch))) {
      closed = true;
      break;
    }
    if (t.WaitClosed(100ms)) {
      closed = true;
      break;
    }
    if (Clock::now() - start > 5s) break;
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(calls_, 0);
}

TEST_F(HttpServerTest, HeaderTimeoutIsShorterThanTheRequestTimeout) {
  HttpServerOptions o;
  o.read_timeout_seconds = 60;
  o.header_timeout_seconds = 1;
  std::mutex mu;
  std::vector<std::string> refusals;
  o.on_refusal = [&](const Refusal& r, const std::string& ip) {
    std::lock_guard lock(mu);
    refusals.push_back(std::to_string(r.status) + " " + r.code + " " + r.message + " " + ip);
  };
  StartServer(o);
  Client c(port_);
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\n"));  // header never finishes
  EXPECT_TRUE(c.WaitClosed(5000ms));
  // Once the header is in, the body gets the request timeout, not the header's.
  Client b(port_);
  ASSERT_TRUE(b.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab"));
  EXPECT_FALSE(b.WaitClosed(2000ms));
  auto r = b.Roundtrip("cd");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "abcd");
  Client silent(port_);  // never sends: closed too, but not reported
  EXPECT_TRUE(silent.WaitClosed(5000ms));
  std::lock_guard lock(mu);
  EXPECT_EQ(refusals, (std::vector<std::string>{
                          "0 request_timeout request header not complete within 1 s 127.0.0.1"}));
}

TEST_F(HttpServerTest, RefusalsAreReportedWithoutRequestContent) {
  HttpServerOptions o;
  std::mutex mu;
  std::vector<std::string> refusals;
  o.on_refusal = [&](const Refusal& r, const std::string& ip) {
    std::lock_guard lock(mu);
    refusals.push_back(std::to_string(r.status) + " " + r.code + ": " + r.message + " " + ip);
  };
  StartServer(o);
  for (std::string req : {"GET / HTTP/1.1\r\nAuthorization: Bearer sekrit\r\n\r\n",
                          "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                          "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: sekrit, chunked\r\n\r\n"}) {
    Client c(port_);
    auto r = c.Roundtrip(req);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->headers["connection"], "close");
    EXPECT_EQ(r->body.find("sekrit"), std::string::npos);
    EXPECT_TRUE(c.WaitClosed(3000ms));
  }
  EXPECT_EQ(calls_, 0);
  std::lock_guard lock(mu);
  EXPECT_EQ(refusals,
            (std::vector<std::string>{
                "400 bad_request: missing Host header (required in HTTP/1.1) 127.0.0.1",
                "400 bad_request: several different Content-Length values 127.0.0.1",
                "501 not_implemented: unsupported transfer coding (only chunked is accepted) 127.0.0.1"}));
}

TEST_F(HttpServerTest, ConnectionsOverMaxConnectionsGet503AndClose) {
  HttpServerOptions o;
  o.max_connections = 2;
  std::atomic<int> reported{0};
  o.on_refusal = [&](const Refusal& r, const std::string&) {
    if (r.status == 503) reported++;
  };
  StartServer(o);
  Client a(port_), b(port_);
  ASSERT_TRUE(a.Roundtrip(Get("/a")));
  ASSERT_TRUE(b.Roundtrip(Get("/b")));
  for (int i = 0; i < 3; ++i) {
    Client over(port_);
    auto r = over.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->body, R"({"code":"unavailable","message":"too many open connections; try again later"})");
    EXPECT_TRUE(over.WaitClosed(3000ms));
  }
  EXPECT_EQ(reported, 1);  // throttled: one report per 10 s
  auto r = a.Roundtrip(Get("/still"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /still");
}

TEST_F(HttpServerTest, IdleKeepAliveIsClosedAfterIdleTimeout) {
  HttpServerOptions o;
  o.read_timeout_seconds = 5;
  o.idle_timeout_seconds = 1;
  StartServer(o);
  Client c(port_);
  ASSERT_TRUE(c.Roundtrip(Get("/")));
  auto start = Clock::now();
  EXPECT_TRUE(c.WaitClosed(4000ms));
  EXPECT_GE(Clock::now() - start, 900ms);
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndConnectionSurvives) {
  StartServer();
  Client c(port_);
  auto r = c.Roundtrip(Get("/throw"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, R"({"code":"internal","message":"internal error"})");
  EXPECT_EQ(r->headers["content-type"], "application/json");
  r = c.Roundtrip(Get("/after"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, StopDeliversInFlightResponseAndClosesIdleConnections) {
  StartServer();
  Client idle(port_);
  ASSERT_TRUE(idle.Roundtrip(Get("/warm")));
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow")));
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);

  std::thread releaser([this] {
    std::this_thread::sleep_for(300ms);
    ReleaseSlow();
  });
  auto start = Clock::now();
  server_->Stop(5000);
  releaser.join();
  EXPECT_LT(Clock::now() - start, 3s);

  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok /slow");
  EXPECT_EQ(Lower(r->headers["connection"]), "close");
  EXPECT_TRUE(busy.WaitClosed(1000ms));
  EXPECT_TRUE(idle.WaitClosed(1000ms));
  Client after(port_);
  EXPECT_FALSE(after.connected());
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, StopGivesUpOnStuckHandlerAfterGrace) {
  StartServer();
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow")));
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);
  std::thread releaser([this] {
    std::this_thread::sleep_for(1500ms);
    ReleaseSlow();
  });
  auto start = Clock::now();
  server_->Stop(200);  // closes the connection after 200 ms, joins the handler
  releaser.join();
  EXPECT_LT(Clock::now() - start, 4s);
  EXPECT_TRUE(busy.WaitClosed(1000ms));
}

TEST_F(HttpServerTest, AnsweredFromMemoryNeedsNoWorker) {
  HttpServerOptions o;
  o.worker_threads = 1;
  o.answered_from_memory = [](const Request& r) { return r.path.rfind("/mem", 0) == 0; };
  StartServer(o);
  Client busy(port_);
  ASSERT_TRUE(busy.Send(Get("/slow")));  // holds the only worker
  ASSERT_EQ(slow_started_.get_future().wait_for(5s), std::future_status::ready);
  Client fast(port_);
  ASSERT_TRUE(fast.Send(Get("/mem/a") + Get("/mem/b")));  // pipelined, both answered in order
  auto a = fast.Read();
  auto b = fast.Read();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->body, "ok /mem/a");
  EXPECT_EQ(b->body, "ok /mem/b");
  Client queued(port_);  // not answered from memory: waits for the worker
  ASSERT_TRUE(queued.Send(Get("/other")));
  EXPECT_FALSE(queued.HasDataWithin(300ms));
  ReleaseSlow();
  auto slow = busy.Read();
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->body, "ok /slow");
  auto other = queued.Read();
  ASSERT_TRUE(other);
  EXPECT_EQ(other->body, "ok /other");
}

TEST_F(HttpServerTest, ManyConcurrentKeepAliveConnections) {
  HttpServerOptions o;
  o.io_threads = 2;
  StartServer(o);
  constexpr int kClients = 50;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(clients.back()->connected());
  }
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kClients; ++i) {
      ASSERT_TRUE(clients[i]->Send(Get("/c" + std::to_string(i))));
    }
    for (int i = 0; i < kClients; ++i) {
      auto r = clients[i]->Read();
      ASSERT_TRUE(r) << i;
      EXPECT_EQ(r->body, "ok /c" + std::to_string(i));
    }
  }
  EXPECT_EQ(calls_, 2 * kClients);
}

TEST_F(HttpServerTest, PortZeroPicksAFreePortAndBindFailureIsUnavailable) {
  StartServer();
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(server_->host(), "127.0.0.1");

  HttpServerOptions o;
  o.port = server_->port();
  HttpServer second(o, [](const Request&) { return Response{}; });
  Status st = second.Start();
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message().rfind("cannot listen on 127.0.0.1:" + std::to_string(o.port) + ": ", 0),
            0u)
      << st.message();

  HttpServerOptions bad;
  bad.host = "no-such-host.invalid";
  HttpServer third(bad, [](const Request&) { return Response{}; });
  EXPECT_EQ(third.Start().code(), Code::kUnavailable);
}

TEST_F(HttpServerTest, Ipv6Loopback) {
  HttpServerOptions o;
  o.host = "::1";
  o.port = 0;
  server_ = std::make_unique<HttpServer>(o, [this](const Request& req) { return Handle(req); });
  Status st = server_->Start();
  if (!st.ok()) GTEST_SKIP() << "no IPv6 loopback: " << st.message();
  Client c(server_->port(), "::1");
  if (!c.connected()) GTEST_SKIP() << "cannot connect to ::1";
  auto r = c.Roundtrip(Get("/six"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok /six");
  EXPECT_EQ(Last().remote_ip, "::1");
}

TEST_F(HttpServerTest, CurlClient) {
  StartServer();
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no curl";
  // > 1 KiB body: curl sends Expect: 100-continue.
  std::string cmd = "head -c 3000 /dev/zero | tr '\\0' 'z' | curl -s -X POST --data-binary @- "
                    "-H 'Content-Type: text/plain' 'http://127.0.0.1:" +
                    std::to_string(port_) + "/curl?a=b' | wc -c";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char out[64] = {};
  size_t n = fread(out, 1, sizeof out - 1, p);
  pclose(p);
  EXPECT_EQ(std::stoi(std::string(out, n)), 3000);
  EXPECT_EQ(Last().QueryParam("a"), "b");
}

TEST(HttpServerLifecycle, StopWithoutStartAndDestructorAreSafe) {
  HttpServer never({}, [](const Request&) { return Response{}; });
  never.Stop();
  never.Stop();
  HttpServerOptions o;
  o.port = 0;
  HttpServer s(o, [](const Request&) { return Response{}; });
  ASSERT_TRUE(s.Start().ok());
  EXPECT_EQ(s.Start().code(), Code::kUnavailable);  // no double start
}  // destructor stops

// ---- url.h ----

// Upgrades: the handler's callback gets the socket (and what the client sent
// past the request) on its own thread and speaks a new protocol on it.
class HttpUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions o;
    o.port = 0;
    server_ = std::make_unique<HttpServer>(o, [this](const Request& req) {
      Response r;
      r.status = 101;
      if (req.path != "/no-upgrade-header") r.headers.push_back({"Upgrade", "x-echo"});
      r.headers.push_back({"X-Extra", "1"});
      r.headers.push_back({"Content-Length", "5"});  // dropped: a 101 has no body
      if (req.path == "/not-a-switch") r.status = 200;
      r.body = "ignored";
      r.upgrade = [this](int fd, std::string early) { Echo(fd, std::move(early)); };
      return r;
    });
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    if (server_) server_->Stop(1000);
    // Callbacks run on detached threads that touch this fixture.
    auto deadline = Clock::now() + 5s;
    while (callbacks_done_ < callbacks_expected_ && Clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
  }

  // Says "got:<early>", then echoes until EOF.
  void Echo(int fd, std::string early) {
    {
      std::lock_guard lock(mu_);
      fds_.push_back(fd);
    }
    if (fd >= 0) {
      std::string hello = "got:" + early + ";";
      (void)send(fd, hello.data(), hello.size(), MSG_NOSIGNAL);
      char buf[1024];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        (void)send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
      }
      close(fd);
    }
    callbacks_done_++;
  }

  std::vector<int> Fds() {
    std::lock_guard lock(mu_);
    return fds_;
  }

  // Waits until `n` callbacks started.
  bool WaitCalls(size_t n) {
    auto deadline = Clock::now() + 2s;
    while (Fds().size() < n && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return Fds().size() >= n;
  }

  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::atomic<int> callbacks_done_{0};
  int callbacks_expected_ = 1;
};

std::string UpgradeRequest(const std::string& path, const std::string& version = "1.1") {
  return "GET " + path + " HTTP/" + version +
         "\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: x-echo\r\n\r\n";
}

TEST_F(HttpUpgradeTest, HandsTheSocketAndBytesAlreadyReadToTheCallback) {
  Client c(server_->port());
  ASSERT_TRUE(c.connected());
  // The first bytes of the new protocol ride in the request's packet.
  ASSERT_TRUE(c.Send(UpgradeRequest("/tunnel") + "early"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->headers["connection"], "Upgrade");
  EXPECT_EQ(r->headers["upgrade"], "x-echo");
  EXPECT_EQ(r->headers["server"], "opscaled");
  EXPECT_EQ(r->headers["x-extra"], "1");
  EXPECT_EQ(r->headers.count("content-length"), 0u);
  EXPECT_EQ(r->headers.count("content-type"), 0u);
  EXPECT_EQ(c.ReadRaw(10), "got:early;");
  ASSERT_TRUE(c.Send("ping"));
  EXPECT_EQ(c.ReadRaw(4), "ping");
  ASSERT_TRUE(WaitCalls(1));
  EXPECT_GE(Fds()[0], 0);

  // Stop() neither waits for nor ends an upgraded connection.
  auto start = Clock::now();
  server_->Stop(1000);
  EXPECT_LT(Clock::now() - start, 500ms);
  ASSERT_TRUE(c.Send("after stop"));
  EXPECT_EQ(c.ReadRaw(10), "after stop");
}

TEST_F(HttpUpgradeTest, CallbackGetsMinusOneWhenNoSwitchHappens) {
  callbacks_expected_ = 3;
  {
    Client c(server_->port());
    auto r = c.Roundtrip(UpgradeRequest("/tunnel", "1.0"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("HTTP/1.1"), std::string::npos) << r->body;
  }
  {
    Client c(server_->port());
    auto r = c.Roundtrip(UpgradeRequest("/no-upgrade-header"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
  }
  {
    Client c(server_->port());
    auto r = c.Roundtrip(UpgradeRequest("/not-a-switch"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ignored");
  }
  ASSERT_TRUE(WaitCalls(3));
  for (int fd : Fds()) EXPECT_EQ(fd, -1);
}

TEST(Url, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2fc", false), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%e2%9c%93", false), "\xe2\x9c\x93");
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%4", false));
  EXPECT_FALSE(PercentDecode("%x1", false));
}

TEST(Url, ParseQueryAndForm) {
  auto q = ParseQuery("a=1&b=x+y&&c&d=%3D&a=2");
  ASSERT_TRUE(q);
  UrlParams want = {{"a", "1"}, {"b", "x y"}, {"c", ""}, {"d", "="}, {"a", "2"}};
  EXPECT_EQ(*q, want);
  EXPECT_TRUE(ParseQuery("")->empty());
  EXPECT_FALSE(ParseQuery("a=%zz"));

  UrlParams form = ParseForm("grant_type=client_credentials&scope=a+b%21&bad=100%&x=%zz");
  UrlParams want_form = {
      {"grant_type", "client_credentials"}, {"scope", "a b!"}, {"bad", "100%"}, {"x", "%zz"}};
  EXPECT_EQ(form, want_form);
}

TEST(Url, ParseRequestTarget) {
  auto t = ParseRequestTarget("/v1/orgs/my%20org?page=2#f");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/v1/orgs/my org");
  EXPECT_EQ(t->query, (UrlParams{{"page", "2"}}));
  t = ParseRequestTarget("https://h:1?x=1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/");
  EXPECT_EQ(t->query, (UrlParams{{"x", "1"}}));
  EXPECT_FALSE(ParseRequestTarget("*").ok());
  EXPECT_FALSE(ParseRequestTarget("").ok());
  EXPECT_FALSE(ParseRequestTarget("a/b").ok());
  EXPECT_FALSE(ParseRequestTarget("1x://h/").ok());
  EXPECT_FALSE(ParseRequestTarget("/%00").ok());
  EXPECT_EQ(ParseRequestTarget("/%zz").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace opscale::api
