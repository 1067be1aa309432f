// Hostile HTTP against a real `opscaled serve` (issue 9, item 2), spoken
// over plain POSIX sockets on 127.0.0.1 so that every byte is sent exactly
// as written: size limits (431/413), slowloris and idle timeouts, the
// connection cap, request smuggling (Content-Length / Transfer-Encoding),
// Host, obsolete header syntax and pipelining. Each refusal must carry the
// API's JSON error, close the connection when framing is in doubt, leave
// what follows unprocessed, and be logged without secrets.
// docs/http-limits.md lists the limits these tests exercise.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using namespace std::string_literals;
using Clock = std::chrono::steady_clock;

struct RawReply {
  int status = 0;
  std::string version;                         // "HTTP/1.1"
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  json::object Json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object();
  }
  std::string Code() const {
    auto o = Json();
    return o.contains("code") && o["code"].is_string() ? std::string(o["code"].as_string()) : "";
  }
  std::string Message() const {
    auto o = Json();
    return o.contains("message") && o["message"].is_string() ? std::string(o["message"].as_string())
                                                             : "";
  }
};

// One TCP connection to 127.0.0.1 with bounded waits, so a broken server
// fails a test instead of hanging it.
class Conn {
 public:
  explicit Conn(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Conn() { close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  bool connected() const { return connected_; }

  // False once the server has closed (EPIPE / reset).
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response (Content-Length framed); nullopt on EOF, reset or timeout.
  std::optional<RawReply> Read(std::chrono::milliseconds timeout = 10s) {
    auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawReply r;
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.version = status_line.substr(0, 8);
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon), value = line.substr(colon + 1);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[name] = value;
      }
      pos = next + 2;
    }
    if (r.status / 100 == 1) return r;
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buf_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // Waits for the server to close (EOF or reset); true if it did within
  // `timeout`. *extra gets any bytes that came first (another response?).
  bool WaitClosed(std::chrono::milliseconds timeout = 10s, std::string* extra = nullptr) {
    auto deadline = Clock::now() + timeout;
    std::string got = buf_;
    buf_.clear();
    bool closed = false;
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
      char tmp[4096];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n > 0) {
        got.append(tmp, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        closed = true;
        break;
      }
    }
    if (extra) *extra = got;
    return closed;
  }

  // True if any byte arrives (or the server closes) within `timeout`.
  bool Readable(std::chrono::milliseconds timeout) {
    if (!buf_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(timeout.count())) > 0;
  }

 private:
  bool Fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[16384];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

int CountOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

// Small limits, so each can be hit quickly; a test may override some.
const std::vector<std::pair<std::string, std::string>> kLimits = {
    {"--max-header-bytes", "2048"}, {"--max-body-bytes", "4096"}, {"--header-timeout", "2"},
    {"--request-timeout", "4"},     {"--idle-timeout", "3"},      {"--max-connections", "16"}};

class HostileHttpTest : public ::testing::Test {
 protected:
  void StartServer(std::map<std::string, std::string> overrides = {}) {
    std::vector<std::string> args;
    for (const auto& [flag, value] : kLimits) {
      args.push_back(flag);
      args.push_back(overrides.count(flag) ? overrides[flag] : value);
    }
    server_ = std::make_unique<Server>("acme", "admin@example.com", args);
    port_ = std::stoi(server_->url().substr(server_->url().rfind(':') + 1));
  }
  void TearDown() override {
    if (!server_) return;
    // Secret hygiene: no refusal ever logs the admin's token.
    std::string token = server_->admin().api_token;
    EXPECT_EQ(server_->Log().find(token.substr(token.size() - 20)), std::string::npos)
        << "the server log holds a secret";
  }

  // Waits (bounded) until the server log contains `needle`.
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout = 5s) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (server_->Log().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Sends `request` on a fresh connection; expects exactly one JSON error
  // with `status` and `code`, then the server closing the connection with
  // nothing more (whatever followed in `request` was not processed).
  RawReply ExpectRefusedAndClosed(const std::string& request, int status, const std::string& code) {
    Conn c(port_);
    EXPECT_TRUE(c.connected());
    c.Send(request);
    auto r = c.Read();
    EXPECT_TRUE(r) << "no response to: " << Masked(request);
    if (!r) return {};
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->headers["content-type"], "application/json");
    EXPECT_EQ(r->Code(), code) << r->body;
    EXPECT_FALSE(r->Message().empty()) << r->body;
    EXPECT_EQ(r->headers["connection"], "close");
    std::string extra;
    EXPECT_TRUE(c.WaitClosed(10s, &extra)) << "connection left open after " << status;
    EXPECT_EQ(extra, "") << "bytes after the refusal (a smuggled request answered?)";
    return *r;
  }

  std::string Admin() const { return "Authorization: Bearer " + server_->admin().api_token + "\r\n"; }

  // Names of the organization's service tokens.
  std::vector<std::string> TokenNames() {
    HttpReply list = CallApi(server_->url(), "GET", "/v1/organizations/acme/service-tokens",
                             BearerHeader(server_->admin().api_token));
    std::vector<std::string> names;
    json::value v = list.Json();
    if (!v.is_object() || !v.as_object()["data"].is_array()) return names;
    for (const auto& t : v.as_object()["data"].as_array()) {
      const auto& o = t.as_object();
      if (o.contains("name") && o.at("name").is_string()) names.emplace_back(o.at("name").as_string());
    }
    return names;
  }

  std::unique_ptr<Server> server_;
  int port_ = 0;
};

// --- size limits -------------------------------------------------------------

TEST_F(HostileHttpTest, HeaderBlockOverTheLimitIs431) {
  StartServer();
  // The header never even finishes: the limit is enforced as bytes arrive.
  RawReply r = ExpectRefusedAndClosed(
      "GET /healthz HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(3000, 'b'), 431, "headers_too_large");
  EXPECT_EQ(r.Message(), "request header block exceeds 2 KiB");
  EXPECT_TRUE(WaitForLog("refused request from 127.0.0.1: 431 headers_too_large"));
}

TEST_F(HostileHttpTest, ContentLengthOverTheLimitIs413BeforeTheBodyIsSent) {
  StartServer();
  Conn c(port_);
  ASSERT_TRUE(c.connected());
  // Only the header: the answer must come without waiting for the body.
  ASSERT_TRUE(c.Send("POST /v1/organizations/acme/service-tokens HTTP/1.1\r\nHost: h\r\n" + Admin() +
                     "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Code(), "payload_too_large");
  EXPECT_EQ(r->Message(), "request body exceeds 4 KiB");
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(TokenNames().empty());

  // With "Expect: 100-continue" the client is told no before sending a byte.
  Conn e(port_);
  ASSERT_TRUE(e.Send("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n"));
  auto no = e.Read();
  ASSERT_TRUE(no);
  EXPECT_EQ(no->status, 413) << "a 100 Continue came first";
  EXPECT_TRUE(e.WaitClosed());
  EXPECT_TRUE(WaitForLog("refused request from 127.0.0.1: 413 payload_too_large"));
}

TEST_F(HostileHttpTest, ChunkedBodyOverTheLimitIs413) {
  StartServer();
  std::string req = "POST /v1/organizations/acme/service-tokens HTTP/1.1\r\nHost: h\r\n" + Admin() +
                    "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) req += "400\r\n" + std::string(1024, ' ') + "\r\n";  // 5 KiB
  req += "0\r\n\r\n";
  ExpectRefusedAndClosed(req, 413, "payload_too_large");
  EXPECT_TRUE(TokenNames().empty());
}

// --- timeouts ------------------------------------------------------------------

TEST_F(HostileHttpTest, SlowlorisSendingAHeaderByteEverySecondIsCutOff) {
  // A long request timeout: only the header timeout (2 s) can stop this.
  StartServer({{"--request-timeout", "600"}});
  Conn c(port_);
  ASSERT_TRUE(c.connected());
  std::string trickle = "GET /healthz HTTP/1.1\r\nHost: h\r\n";
  while (trickle.size() < 200) trickle += "X-Slow: " + std::to_string(trickle.size()) + "\r\n";
  bool closed = false;
  for (size_t i = 0; i < 20 && !closed; ++i) {  // at most 20 bytes, 20 s
    if (!c.Send(trickle.substr(i, 1))) closed = true;
    if (!closed && c.Readable(1000ms)) closed = true;  // EOF (or a reset) arrived
  }
  ASSERT_TRUE(closed) << "still open after 20 s of one header byte a second";
  std::string extra;
  EXPECT_TRUE(c.WaitClosed(5s, &extra));
  EXPECT_EQ(extra, "");  // closed without a response
  EXPECT_TRUE(WaitForLog(
      "closed connection from 127.0.0.1: request header not complete within 2 s"));
  // The server still serves.
  Conn ok(port_);
  ok.Send(Get("/healthz"));
  auto r = ok.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HostileHttpTest, SlowBodyIsCutOffByTheRequestTimeout) {
  StartServer({{"--request-timeout", "3"}});
  Conn c(port_);
  ASSERT_TRUE(c.Send("POST /v1/organizations/acme/service-tokens HTTP/1.1\r\nHost: h\r\n" + Admin() +
                     "Content-Length: 100\r\n\r\n{"));
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {
    if (!c.Send(" ") || c.Readable(1000ms)) closed = true;
  }
  ASSERT_TRUE(closed) << "a body trickled for 20 s was still being read";
  EXPECT_TRUE(WaitForLog("closed connection from 127.0.0.1: request not complete within 3 s"));
  EXPECT_TRUE(TokenNames().empty());
}

TEST_F(HostileHttpTest, IdleKeepAliveConnectionIsClosed) {
  StartServer();
  Conn c(port_);
  ASSERT_TRUE(c.Send(Get("/healthz")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.count("connection"), 0u);  // kept alive
  std::string extra;
  EXPECT_TRUE(c.WaitClosed(15s, &extra)) << "idle connection kept past --idle-timeout 3";
  EXPECT_EQ(extra, "");
}

TEST_F(HostileHttpTest, ConnectionThatNeverSendsIsClosed) {
  StartServer();
  Conn c(port_);
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.WaitClosed(15s)) << "a silent connection was kept past --header-timeout 2";
}

// --- connection cap ------------------------------------------------------------

TEST_F(HostileHttpTest, ConnectionsOverTheCapAreRefusedAndTheOpenOnesKeepWorking) {
  StartServer({{"--max-connections", "4"}});
  std::vector<std::unique_ptr<Conn>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<Conn>(port_));
    ASSERT_TRUE(open.back()->Send(Get("/healthz")));
    auto r = open.back()->Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
  }
  // Over the cap: a JSON 503 at once (the client has not even sent a
  // request), then the connection is closed.
  for (int i = 0; i < 5; ++i) {
    Conn extra(port_);
    ASSERT_TRUE(extra.connected());
    auto r = extra.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->Code(), "unavailable");
    EXPECT_EQ(r->Message(), "too many open connections; try again later");
    EXPECT_EQ(r->headers["retry-after"], "1");
    EXPECT_EQ(r->headers["connection"], "close");
    EXPECT_TRUE(extra.WaitClosed());
  }
  // The open ones were not starved.
  for (auto& c : open) {
    ASSERT_TRUE(c->Send(Get("/healthz")));
    auto r = c->Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  // One line for the burst (rate-limited), without the request's content.
  ASSERT_TRUE(WaitForLog("refused connection from 127.0.0.1: too many open connections (limit 4)"));
  EXPECT_EQ(CountOf(server_->Log(), "too many open connections"), 1) << server_->Log();

  // A freed slot is usable again.
  open.pop_back();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    Conn again(port_);
    again.Send(Get("/healthz"));
    auto r = again.Read();
    served = r && r->status == 200;
    if (!served) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served);
}

// --- request smuggling ---------------------------------------------------------

// A request whose body, read as the other framing would, is a second request
// creating a service token named "smuggled".
std::string Smuggled(const std::string& admin) {
  std::string inner = "POST /v1/organizations/acme/service-tokens HTTP/1.1\r\nHost: h\r\n" + admin +
                      "Content-Type: application/json\r\nContent-Length: 20\r\n\r\n"
                      R"({"name":"smuggled"})" " ";
  return inner;
}

TEST_F(HostileHttpTest, ContentLengthWithTransferEncodingIs400AndClosed) {
  StartServer();
  std::string inner = Smuggled(Admin());
  // CL.TE and TE.CL, in both header orders.
  RawReply cl_te = ExpectRefusedAndClosed(
      "POST /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n" + inner, 400, "bad_request");
  EXPECT_EQ(cl_te.Message(), "invalid Transfer-Encoding (chunked twice, or with Content-Length)");
  RawReply te_cl = ExpectRefusedAndClosed(
      "POST /healthz HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
      "0\r\n\r\n" + inner, 400, "bad_request");
  EXPECT_EQ(te_cl.Message(), "invalid Content-Length (or Content-Length with Transfer-Encoding)");
  // A coding other than chunked with a length: Beast alone would frame this by Content-Length.
  RawReply gzip = ExpectRefusedAndClosed(
      "POST /healthz HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nContent-Length: 0\r\n\r\n" + inner,
      400, "bad_request");
  EXPECT_EQ(gzip.Message(), "both Content-Length and Transfer-Encoding (ambiguous body length)");
  EXPECT_TRUE(TokenNames().empty());
  EXPECT_TRUE(WaitForLog("refused request from 127.0.0.1: 400 bad_request: both Content-Length"));
}

TEST_F(HostileHttpTest, DifferingContentLengthsAre400AndEqualOnesAreOneLength) {
  StartServer();
  std::string inner = Smuggled(Admin());
  RawReply r = ExpectRefusedAndClosed(
      "POST /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: " +
          std::to_string(inner.size()) + "\r\n\r\n" + inner,
      400, "bad_request");
  EXPECT_EQ(r.Message(), "several different Content-Length values");
  ExpectRefusedAndClosed("POST /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 0, 7\r\n\r\n" + inner,
                         400, "bad_request");
  for (const char* bad : {"-1", "+0", "0x0", "1 0", ""}) {
    ExpectRefusedAndClosed("POST /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::string(bad) +
                               "\r\n\r\n",
                           400, "bad_request");
  }
  EXPECT_TRUE(TokenNames().empty());

  // The same length twice is one length: answered, and the connection stays.
  Conn c(port_);
  ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab" +
                     Get("/healthz")));
  for (int i = 0; i < 2; ++i) {
    auto ok = c.Read();
    ASSERT_TRUE(ok) << i;
    EXPECT_EQ(ok->status, 200);
  }
}

TEST_F(HostileHttpTest, TransferEncodingOtherThanChunkedIsRefusedAndClosed) {
  StartServer();
  std::string inner = Smuggled(Admin());
  struct Case {
    std::string te;
    int status;
    std::string code;
  };
  for (const Case& c : std::vector<Case>{
           {"Transfer-Encoding: gzip\r\n", 400, "bad_request"},          // no framing at all
           {"Transfer-Encoding: chunked, gzip\r\n", 400, "bad_request"},  // chunked not last
           {"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", 400, "bad_request"},
           {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400, "bad_request"},
           {"Transfer-Encoding: xchunked\r\n", 400, "bad_request"},
           {"Transfer-Encoding: chunked;x=1\r\n", 400, "bad_request"},
           {"Transfer-Encoding: gzip, chunked\r\n", 501, "not_implemented"},
       }) {
    SCOPED_TRACE(c.te);
    ExpectRefusedAndClosed("POST /healthz HTTP/1.1\r\nHost: h\r\n" + c.te + "\r\n0\r\n\r\n" + inner,
                           c.status, c.code);
  }
  // HTTP/1.0 has no chunked framing.
  ExpectRefusedAndClosed("POST /healthz HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + inner,
                         400, "bad_request");
  EXPECT_TRUE(TokenNames().empty());
  EXPECT_TRUE(WaitForLog("refused request from 127.0.0.1: 501 not_implemented"));
}

TEST_F(HostileHttpTest, MalformedChunkedBodyIs400AndClosed) {
  StartServer();
  for (const char* body : {"zz\r\nab\r\n0\r\n\r\n", "2\r\nabc\r\n0\r\n\r\n", "-1\r\n\r\n",
                           "2;\x01\r\nab\r\n0\r\n\r\n"}) {
    SCOPED_TRACE(body);
    ExpectRefusedAndClosed(
        "POST /healthz HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body),
        400, "bad_request");
  }
}

// --- header syntax -------------------------------------------------------------

TEST_F(HostileHttpTest, ObsoleteLineFoldingBareCrAndBadNamesAre400AndClosed) {
  StartServer();
  struct Case {
    std::string name, request, message;
  };
  const std::string bad_line = "malformed HTTP request: line not ended by CRLF";
  for (const Case& c : std::vector<Case>{
           {"obs-fold", "GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n",
            "header line starts with whitespace (obsolete line folding)"},
           {"obs-fold tab", "GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n",
            "header line starts with whitespace (obsolete line folding)"},
           {"space before first field", "GET /healthz HTTP/1.1\r\n Host: h\r\n\r\n",
            "malformed HTTP request: invalid header name"},
           {"bare CR in value", "GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", bad_line},
           {"bare CR line end", "GET /healthz HTTP/1.1\r\nHost: h\rX-A: b\r\n\r\n", bad_line},
           {"bare LF in value", "GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: a\nb\r\n\r\n",
            "malformed HTTP request: invalid header value"},
           {"NUL in value", "GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: a\0b\r\n\r\n"s,
            "malformed HTTP request: invalid header value"},
           {"space in name", "GET /healthz HTTP/1.1\r\nHost: h\r\nX A: b\r\n\r\n",
            "malformed HTTP request: invalid header name"},
           {"space before colon", "GET /healthz HTTP/1.1\r\nHost : h\r\n\r\n",
            "malformed HTTP request: invalid header name"},
           {"separator in name", "GET /healthz HTTP/1.1\r\nHost: h\r\nX(a): b\r\n\r\n",
            "malformed HTTP request: invalid header name"},
           {"empty name", "GET /healthz HTTP/1.1\r\nHost: h\r\n: b\r\n\r\n",
            "malformed HTTP request: invalid header name"},
           {"no colon", "GET /healthz HTTP/1.1\r\nHost: h\r\nBad Header Line\r\n\r\n",
            "malformed HTTP request: invalid header name"},
           {"request line", "GET  /healthz HTTP/1.1\r\nHost: h\r\n\r\n",
            "malformed HTTP request: invalid request line"},
           {"version", "GET /healthz HTTP/1.x\r\nHost: h\r\n\r\n",
            "malformed HTTP request: invalid request line"},
           {"HTTP/2.0 as text", "GET /healthz HTTP/2.0\r\nHost: h\r\n\r\n",
            "malformed HTTP request: invalid request line"},
       }) {
    SCOPED_TRACE(c.name);
    // A valid request follows in the same write: it must not be answered.
    RawReply r = ExpectRefusedAndClosed(c.request + Get("/healthz"), 400, "bad_request");
    EXPECT_EQ(r.Message(), c.message);
  }
}

// --- Host ----------------------------------------------------------------------

TEST_F(HostileHttpTest, MissingOrRepeatedHostIs400) {
  StartServer();
  RawReply missing = ExpectRefusedAndClosed("GET /healthz HTTP/1.1\r\n\r\n", 400, "bad_request");
  EXPECT_EQ(missing.Message(), "missing Host header (required in HTTP/1.1)");
  RawReply twice = ExpectRefusedAndClosed("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400,
                                          "bad_request");
  EXPECT_EQ(twice.Message(), "several Host headers");
  RawReply invalid = ExpectRefusedAndClosed(
      "GET /healthz HTTP/1.1\r\nHost: pscale_tkn_notreallyasecret@h\r\n\r\n", 400, "bad_request");
  EXPECT_EQ(invalid.Message(), "invalid Host header");  // the value is not echoed
  EXPECT_TRUE(WaitForLog("refused request from 127.0.0.1: 400 bad_request: missing Host header"));
  EXPECT_EQ(server_->Log().find("notreallyasecret"), std::string::npos);

  // HTTP/1.0 may leave Host out; an empty Host is valid too.
  Conn old(port_);
  ASSERT_TRUE(old.Send("GET /healthz HTTP/1.0\r\n\r\n"));
  auto r = old.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, "HTTP/1.0");
  Conn empty(port_);
  ASSERT_TRUE(empty.Send("GET /healthz HTTP/1.1\r\nHost:\r\n\r\n"));
  auto e = empty.Read();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 200);
}

// --- pipelining ----------------------------------------------------------------

TEST_F(HostileHttpTest, PipelinedRequestsAreAnsweredInOrderEachOnce) {
  StartServer();
  auto create = [&](const std::string& name) {
    std::string body = R"({"name":")" + name + R"("})";
    return "POST /v1/organizations/acme/service-tokens HTTP/1.1\r\nHost: h\r\n" + Admin() +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  };
  // Five requests in one write, with different answers so order shows.
  std::string batch = create("first") + Get("/healthz") + Get("/v1/organizations") +
                      create("second") + Get("/v1/organizations/acme/no-such", Admin());
  Conn c(port_);
  ASSERT_TRUE(c.Send(batch));
  std::vector<RawReply> replies;
  for (int i = 0; i < 5; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r) << "response " << i;
    replies.push_back(*r);
  }
  EXPECT_EQ(replies[0].status, 200);
  EXPECT_EQ(replies[0].Json()["name"].as_string(), "first");
  EXPECT_EQ(replies[1].status, 200);
  EXPECT_EQ(replies[1].body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(replies[2].status, 401);  // no credentials on that one
  EXPECT_EQ(replies[2].Code(), "unauthorized");
  EXPECT_EQ(replies[3].status, 200);
  EXPECT_EQ(replies[3].Json()["name"].as_string(), "second");
  EXPECT_EQ(replies[4].status, 404);
  EXPECT_EQ(replies[4].Code(), "not_found");
  // Nothing more (each answered once), and the connection stays usable.
  EXPECT_FALSE(c.Readable(500ms));
  ASSERT_TRUE(c.Send(Get("/healthz")));
  auto again = c.Read();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  std::vector<std::string> names = TokenNames();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"first", "second"}));
}

TEST_F(HostileHttpTest, BadRequestInAPipelineEndsTheConnectionAfterItsError) {
  StartServer();
  std::string body = R"({"name":"after"})";
  std::string create = "POST /v1/organizations/acme/service-tokens HTTP/1.1\r\nHost: h\r\n" + Admin() +
                       "Content-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string batch = Get("/healthz") +
                      "POST /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                      create + Get("/healthz");
  Conn c(port_);
  ASSERT_TRUE(c.Send(batch));
  auto first = c.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto error = c.Read();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->Code(), "bad_request");
  EXPECT_EQ(error->headers["connection"], "close");
  std::string extra;
  EXPECT_TRUE(c.WaitClosed(10s, &extra));
  EXPECT_EQ(extra, "") << "requests after the bad one were answered";
  EXPECT_TRUE(TokenNames().empty()) << "a request after the bad one was processed";
}

// --- flags ---------------------------------------------------------------------

TEST(HostileHttpFlags, LimitsAreDocumentedInHelpAndValidated) {
  RunResult help = RunProcess({OpscaledBin(), "serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--max-connections", "--max-header-bytes", "--max-body-bytes",
                           "--header-timeout", "--request-timeout", "--idle-timeout"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag << " missing from serve --help";
  }
  TempDir dir;
  std::string data = dir.path() + "/data";
  ASSERT_EQ(RunProcess({OpscaledBin(), "init", "--data-dir", data, "--org", "acme", "--admin-email",
                        "a@example.com", "--format", "json"})
                .exit_code,
            0);
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {{"--max-connections", "0"}, "--max-connections must be between 1 and 1000000"},
           {{"--max-header-bytes", "100"}, "--max-header-bytes must be between 1024 and 1048576"},
           {{"--max-body-bytes", "-5"}, "--max-body-bytes must be between 1024 and 1073741824"},
           {{"--header-timeout", "0"}, "--header-timeout must be between 1 and 86400 seconds"},
           {{"--request-timeout", "0"}, "--request-timeout must be between 1 and 86400 seconds"},
           {{"--idle-timeout", "-1"}, "--idle-timeout must be between 1 and 86400 seconds"},
       }) {
    std::vector<std::string> argv = {OpscaledBin(), "serve", "--data-dir", data, "--listen",
                                     "127.0.0.1:0"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    RunResult r = RunProcess(argv, {}, "", 30);
    EXPECT_EQ(r.exit_code, 2) << c.error;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << r.err;
  }
}

// Each connection is a file descriptor: serve raises its soft open-file
// limit to --max-connections + 256 (within the hard limit), and says so
// when the hard limit is too low.
TEST(HostileHttpFlags, ServeRaisesItsOpenFileLimitForTheConnectionCap) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  ASSERT_EQ(RunProcess({OpscaledBin(), "init", "--data-dir", data, "--org", "acme", "--admin-email",
                        "a@example.com", "--format", "json"})
                .exit_code,
            0);
  auto soft_limit = [](pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Max open files", 0) == 0) return std::stol(line.substr(26));
    }
    return -1L;
  };
  for (const auto& [hard, soft, warned] :
       std::vector<std::tuple<std::string, long, bool>>{{"4096", 2256, false}, {"1024", 1024, true}}) {
    SCOPED_TRACE("hard limit " + hard);
    Background serve({"/usr/bin/prlimit", "--nofile=256:" + hard, OpscaledBin(), "serve", "--data-dir",
                      data, "--listen", "127.0.0.1:0", "--max-connections", "2000"});
    ASSERT_FALSE(serve.WaitForOutput("listening on ", 60000).empty()) << serve.Err();
    EXPECT_EQ(soft_limit(serve.pid()), soft);
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(30000), 0) << serve.Err();
    EXPECT_EQ(serve.Err().find("the open-file limit (1024) is below --max-connections 2000") !=
                  std::string::npos,
              warned)
        << serve.Err();
  }
}

}  // namespace
}  // namespace opscale::testutil
