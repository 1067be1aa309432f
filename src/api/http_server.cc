// The only translation unit of opscaled's HTTP path that includes Beast/Asio
// (each such file costs 15-25 s to compile). Everything here is private.
//
// Compile-time budget, measured (g++ 12, -O2 -g, 2 cores): all async steps
// share one completion type (Step/Task) so each operation template is
// instantiated once; requests are parsed by Beast (the part worth reusing),
// but responses are formatted by hand and written with async_write_some
// (Beast's serializer/write_op doubled the cost); Asio/Beast are separately
// compiled (beast_asio_impl.cc). About 21 s CPU instead of 48 s.
//
// Threads: `io_threads` run the io_context (accept, read, write, timers);
// each connection is a Session whose handlers run on its own strand. A
// complete request is handed to the worker pool (handlers may block on the
// store); the response is posted back to the session's strand and written.
// Requests that options.answered_from_memory accepts are handled on the
// strand itself instead.
//
// Reading is raw (async_read_some on the socket, then parser.put), so the
// header block can be checked as received (request_checks.h) before any
// body is read. A connection over options.max_connections is answered 503
// and closed by the acceptor itself (RefuseConnection).
//
// A session's life: Reading (one request, under the header and read
// deadlines) -> Handling (worker) -> Writing -> Idle (keep-alive, idle
// deadline until the next byte) -> Reading ... Protocol errors answer with
// a JSON error, then Linger (half-close and discard input for a moment, so
// the client sees the response instead of a reset) and Close. Stop() first
// closes Idle/Reading sessions, waits for Handling/Writing ones, then
// closes the rest.
//
// Upgrades: a handler's 101 with Response::upgrade set is written as a bare
// head (no Content-Length); then the session releases its socket from Asio
// (no longer watched by the io_context, left in blocking mode) and the
// callback gets the fd on a detached thread of its own, since a tunnel may
// last for hours and must not occupy the worker pool.
//
// TLS (options.tls): the session's stream is a SessionStream that turns TLS
// on after the handshake, so everything above is the same code over TLS.
// The first bytes are read in the clear: not a TLS handshake record -> a
// plain-text 400 telling the client to use https, then close. A TLS
// upgrade cannot hand over a bare socket (the bytes are encrypted and the
// TLS state lives here), so the callback gets one end of a socketpair and
// the session bridges the other end to the TLS stream on its strand until
// either side ends (see StartBridge): whoever holds the callback's end
// (the tunnel relay) cuts the client by shutting that end down, as with a
// plain socket.

#include "api/http_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/session_stream.h"
#include "api/url.h"

namespace opscale::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error response: how long and how much input to discard before
// closing (closing with unread input makes the kernel send a reset, which
// can destroy the response before the client reads it).
constexpr auto kMaxLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxLingerBytes = 1 << 20;
constexpr size_t kReadChunk = 8192;
// One TLS record's worth of plain text per read or write of a TLS tunnel.
constexpr size_t kBridgeChunk = 16 * 1024;
// Stop(): how long to wait for closed sessions to unwind before stopping
// the io_context regardless.
constexpr auto kCloseWait = std::chrono::seconds(1);

// "1 MiB", "16 KiB", "1000 bytes".
std::string SizeText(size_t n) {
  if (n >= (1u << 20) && n % (1u << 20) == 0) return std::to_string(n >> 20) + " MiB";
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " bytes";
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[(c >> 4) & 0xf]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Response JsonError(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"code\":\"" + JsonEscape(code) + "\",\"message\":\"" + JsonEscape(message) + "\"}";
  return r;
}

Response InternalError() { return JsonError(500, "internal", "internal error"); }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 9110 token characters, so a handler cannot inject header lines.
constexpr std::array<bool, 256> kTokenChar = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool IsHeaderName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!kTokenChar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

bool IsHeaderValue(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::string PeerAddress(const tcp::endpoint& ep) {
  asio::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

std::string HostPortText(const std::string& host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Numeric address, or the first address a name resolves to ("localhost").
std::optional<asio::ip::address> ResolveHost(std::string host, std::string* error) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  ErrorCode ec;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (!ec) return addr;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0 || list == nullptr) {
    *error = rc != 0 ? gai_strerror(rc) : "no address";
    return std::nullopt;
  }
  std::optional<asio::ip::address> found;
  for (addrinfo* p = list; p != nullptr && !found; p = p->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(p->ai_addr, p->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0) {
      addr = asio::ip::make_address(text, ec);
      if (!ec) found = addr;
    }
  }
  freeaddrinfo(list);
  if (!found) *error = "no usable address";
  return found;
}

// Timeouts <= 0 mean "no deadline".
void SetDeadline(SessionStream& stream, std::chrono::steady_clock::duration d) {
  if (d <= std::chrono::steady_clock::duration::zero()) {
    stream.expires_never();
  } else {
    stream.expires_after(d);
  }
}

class Session;

// Server state shared by the acceptor, the sessions and Stop().
struct ServerCore {
  ServerCore(HttpServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  HttpServerOptions options;
  Handler handler;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  int active_requests = 0;  // dispatched, response not yet written; guarded by mu

  std::optional<asio::ssl::context> ssl;  // set when serving TLS (options.tls)

  // Declared last: destroyed first, while the members above still exist
  // (pending handlers hold sessions, whose destructors use them).
  std::unique_ptr<asio::io_context> ioc;
  // Keeps the io threads running while the only pending work is a handler
  // call on a worker (e.g. during Stop, after the acceptor closed).
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_guard;
  std::unique_ptr<asio::thread_pool> workers;
  std::optional<tcp::acceptor> acceptor;         // executor: its own strand
  std::optional<asio::steady_timer> accept_retry;  // same strand
  LogThrottle over_capacity_log{std::chrono::seconds(10)};  // acceptor's strand only

  std::chrono::steady_clock::duration ReadTimeout() const {
    return std::chrono::seconds(options.read_timeout_seconds);
  }
  std::chrono::steady_clock::duration HeaderTimeout() const {
    return std::chrono::seconds(options.header_timeout_seconds);
  }
  std::chrono::steady_clock::duration IdleTimeout() const {
    return std::chrono::seconds(options.idle_timeout_seconds);
  }

  Response Invoke(const Request& req) noexcept {
    try {
      return handler(req);
    } catch (...) {
      // The exception text may quote request content: not logged.
    }
    try {
      return InternalError();
    } catch (...) {
      Response r;
      r.status = 500;
      r.content_type.clear();
      return r;
    }
  }

  void Report(const Refusal& r, const std::string& remote_ip) noexcept {
    if (!options.on_refusal) return;
    try {
      options.on_refusal(r, remote_ip);
    } catch (...) {
      // Logging must not take the connection down.
    }
  }

  void AddSession(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(mu);
    sessions.emplace(s, std::move(w));
  }
  void RemoveSession(Session* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
    cv.notify_all();
  }
  void RequestStarted() {
    std::lock_guard lock(mu);
    ++active_requests;
  }
  void RequestFinished() {
    std::lock_guard lock(mu);
    --active_requests;
    cv.notify_all();
  }
  std::vector<std::shared_ptr<Session>> LiveSessions() {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  void Accept();
  void OnAccept(ErrorCode ec, tcp::socket socket);
  bool AtCapacity();
  void RefuseConnection(tcp::socket socket, const std::string& remote_ip);
};

using UpgradeFn = std::function<void(int fd, std::string already_read)>;

// Runs `fn(fd, already_read)` on a detached thread (see Response::upgrade),
// or inline when no thread can be started (then the fd is closed and the
// callback gets -1). Never throws.
void RunUpgrade(UpgradeFn fn, int fd, std::string already_read) noexcept {
  if (!fn) {
    if (fd >= 0) close(fd);
    return;
  }
  try {
    auto shared = std::make_shared<UpgradeFn>(std::move(fn));
    std::thread([shared, fd, data = std::move(already_read)]() mutable {
      try {
        (*shared)(fd, std::move(data));
      } catch (...) {
        // Owned by the callee from here on; nothing to report to.
      }
    }).detach();
    return;
  } catch (...) {
    // Cannot start a thread (or out of memory): fall through.
  }
  if (fd >= 0) close(fd);
  try {
    if (fn) fn(-1, std::string());
  } catch (...) {
  }
}

// Every asynchronous step of a session completes through this one handler
// type (and `Task` for posted work), so each Beast/Asio operation template is
// instantiated once: that is most of this file's compile time.
using StepFn = void (Session::*)(ErrorCode, size_t);
struct Step {
  std::shared_ptr<Session> self;
  StepFn fn;
  void operator()(ErrorCode ec, size_t n);
};
using TaskFn = void (Session::*)();
struct Task {
  std::shared_ptr<Session> self;
  TaskFn fn;
  void operator()();
};
// Operations that complete with an error code alone (TLS shutdown, timers).
using EcStepFn = void (Session::*)(ErrorCode);
struct EcStep {
  std::shared_ptr<Session> self;
  EcStepFn fn;
  void operator()(ErrorCode ec);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerCore* server, std::string remote_ip)
      : stream_(std::move(socket)),
        executor_(stream_.get_executor()),
        server_(server),
        remote_ip_(std::move(remote_ip)) {
    if (server_->ssl) stream_.AttachTls(*server_->ssl);
  }

  ~Session() {
    CancelUpgrade();  // e.g. dropped by Stop() while the 101 was being written
    if (request_active_) server_->RequestFinished();
    server_->RemoveSession(this);
  }

  void Start() {
    server_->AddSession(this, weak_from_this());
    asio::dispatch(executor_, Task{shared_from_this(),
                                   stream_.tls() ? &Session::StartTls : &Session::ReadRequest});
  }

  // Stop() phase 1: connections with no request in progress go now.
  void PostStopping() { asio::post(executor_, Task{shared_from_this(), &Session::OnStopping}); }
  // Stop() phase 2: everything goes.
  void PostClose() { asio::post(executor_, Task{shared_from_this(), &Session::Close}); }

 private:
  friend struct Step;
  friend struct Task;
  friend struct EcStep;
  enum class State { kReading, kHandling, kWriting, kIdle, kLingering, kBridging, kClosed };

  void OnStopping() {
    if (state_ == State::kIdle || state_ == State::kReading) Close();
  }

  // TLS: the client's first bytes, in the clear, under the read deadline
  // (the handshake counts as part of the first request).
  void StartTls() {
    if (server_->stopping) return Close();
    state_ = State::kReading;
    SetDeadline(stream_, server_->ReadTimeout());
    stream_.async_read_some(buffer_.prepare(kReadChunk), Step{shared_from_this(), &Session::OnFirstBytes});
  }

  void OnFirstBytes(ErrorCode ec, size_t n) {
    if (ec) return Close();
    buffer_.commit(n);
    // Every TLS connection starts with a handshake record (type 22). Plain
    // HTTP gets a plain answer that says what is wrong, and nothing else.
    if (static_cast<const unsigned char*>(buffer_.data().data())[0] != 0x16) {
      buffer_.consume(buffer_.size());
      return SendErrorAndClose(JsonError(
          400, "bad_request", "this port serves HTTPS only: use an https:// URL"));
    }
    stream_.tls()->async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                                   Step{shared_from_this(), &Session::OnHandshake});
  }

  // A refused handshake (old protocol version, no common cipher) has already
  // sent the client its alert; there is nothing to add in HTTP.
  void OnHandshake(ErrorCode ec, size_t used) {
    if (ec) return Close();
    buffer_.consume(used);
    // The engine takes all it needs of the first bytes; anything left
    // would be records out of order.
    if (buffer_.size() != 0) return Close();
    stream_.ActivateTls();
    ReadRequest();
  }

  void ReadRequest() {
    if (server_->stopping) return Close();
    state_ = State::kReading;
    head_checked_ = false;
    parser_.emplace();
    const auto& o = server_->options;
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(o.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(static_cast<uint64_t>(o.max_body_bytes));
    // Deadlines counted from now, not from each read: a client trickling
    // bytes cannot hold the connection longer than them.
    request_start_ = std::chrono::steady_clock::now();
    SetRequestDeadline(true);
    ReadSome();
  }

  // The header block (`header`) or the whole request must arrive by then.
  void SetRequestDeadline(bool header) {
    using Duration = std::chrono::steady_clock::duration;
    std::optional<Duration> limit;
    if (server_->ReadTimeout() > Duration::zero()) limit = server_->ReadTimeout();
    Duration head = server_->HeaderTimeout();
    if (header && head > Duration::zero() && (!limit || head < *limit)) limit = head;
    if (limit) {
      stream_.expires_at(request_start_ + *limit);
    } else {
      stream_.expires_never();
    }
  }

  // Feeds buffered input (pipelined requests included) to the parser and
  // reads more when it needs more. Reads are raw so that the header block
  // can be checked as received (request_checks.h) before any body is read.
  void ReadSome() {
    while (buffer_.size() > 0) {
      ErrorCode ec;
      size_t used = parser_->put(buffer_.data(), ec);
      if (ec && ec != http::error::need_more) return OnReadError(ec);
      bool head_now = !head_checked_ && parser_->is_header_done();
      if (head_now) {
        head_checked_ = true;
        // Beast parses a header block in one put(), once the blank line is
        // buffered: it is the `used` bytes at the front.
        std::string_view raw(static_cast<const char*>(buffer_.data().data()), used);
        if (auto refusal = CheckHead(raw)) return Refuse(std::move(*refusal));
      }
      buffer_.consume(used);
      if (parser_->is_done()) return OnRequest();
      if (head_now) {
        SetRequestDeadline(false);  // now the body
        // Content-Length was already checked against the limit by the parser.
        if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
          return SendContinue();
        }
      }
      if (ec || used == 0) break;  // needs more input
    }
    stream_.async_read_some(buffer_.prepare(kReadChunk), Step{shared_from_this(), &Session::OnRead});
  }

  void OnRead(ErrorCode ec, size_t n) {
    if (ec == asio::error::eof) {
      ec = parser_->got_some() ? http::error::partial_message : http::error::end_of_stream;
    }
    if (ec) return OnReadError(ec);
    buffer_.commit(n);
    ReadSome();
  }

  std::optional<Refusal> CheckHead(std::string_view raw) {
    const auto& msg = parser_->get();
    RequestHead head;
    head.version = msg.version();
    head.raw = raw;
    for (const auto& field : msg) {
      auto name = field.name_string();
      auto value = field.value();
      head.fields.push_back({std::string_view(name.data(), name.size()),
                             std::string_view(value.data(), value.size())});
    }
    return CheckRequestHead(head);
  }

  void SendContinue() {
    out_head_.assign(kContinue);
    out_body_.clear();
    StartWrite(&Session::ReadSome);
  }

  // Writes out_head_ + out_body_, then calls `then` (on error: closes).
  void StartWrite(TaskFn then) {
    after_write_ = then;
    written_ = 0;
    WriteSome(ErrorCode(), 0);
  }

  void WriteSome(ErrorCode ec, size_t n) {
    if (ec) {
      CancelUpgrade();
      FinishRequest();
      return Close();
    }
    written_ += n;
    size_t head = out_head_.size();
    if (written_ >= head + out_body_.size()) return (this->*after_write_)();
    std::array<asio::const_buffer, 2> bufs;
    if (written_ < head) {
      bufs[0] = asio::buffer(out_head_.data() + written_, head - written_);
      bufs[1] = asio::buffer(out_body_);
    } else {
      bufs[1] = asio::buffer(out_body_.data() + (written_ - head), out_body_.size() - (written_ - head));
    }
    stream_.async_write_some(bufs, Step{shared_from_this(), &Session::WriteSome});
  }

  void OnReadError(ErrorCode ec) {
    static const boost::system::error_category& kHttp =
        http::make_error_code(http::error::end_of_stream).category();
    const auto& o = server_->options;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return Refuse({431, "headers_too_large",
                     "request header block exceeds " + SizeText(o.max_header_bytes)});
    }
    if (ec == http::error::body_limit) {
      return Refuse(
          {413, "payload_too_large", "request body exceeds " + SizeText(o.max_body_bytes)});
    }
    // end_of_stream: the client closed between requests; partial_message:
    // it closed mid-request. Neither can read an answer.
    if (ec.category() == kHttp && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return Refuse({400, "bad_request", MalformedMessage(ec)});
    }
    if (ec == beast::error::timeout && state_ == State::kReading && parser_ && parser_->got_some()) {
      // A slow or stalled client (slowloris); Beast already closed the socket.
      int read = o.read_timeout_seconds, head = o.header_timeout_seconds;
      bool in_head = !parser_->is_header_done();
      int limit = in_head && head > 0 && (read <= 0 || head < read) ? head : read;
      server_->Report({0, "request_timeout",
                       std::string(in_head ? "request header" : "request") + " not complete within " +
                           std::to_string(limit) + " s"},
                      remote_ip_);
    }
    Close();  // timeout, reset, aborted by Stop()
  }

  // Beast's parse errors in words a client can act on (quoting nothing).
  static std::string MalformedMessage(ErrorCode ec) {
    if (ec == http::error::multiple_content_length) return "several different Content-Length values";
    if (ec == http::error::bad_content_length) {
      return "invalid Content-Length (or Content-Length with Transfer-Encoding)";
    }
    if (ec == http::error::bad_transfer_encoding) {
      return "invalid Transfer-Encoding (chunked twice, or with Content-Length)";
    }
    if (ec == http::error::bad_field) return "malformed HTTP request: invalid header name";
    if (ec == http::error::bad_value) return "malformed HTTP request: invalid header value";
    if (ec == http::error::bad_line_ending) return "malformed HTTP request: line not ended by CRLF";
    if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
      return "malformed HTTP request: invalid chunked body";
    }
    if (ec == http::error::bad_method || ec == http::error::bad_target ||
        ec == http::error::bad_version) {
      return "malformed HTTP request: invalid request line";
    }
    return "malformed HTTP request";
  }

  // Answers with the refusal's JSON error, reports it, then closes.
  void Refuse(Refusal r) {
    server_->Report(r, remote_ip_);
    SendErrorAndClose(JsonError(r.status, r.code, r.message));
  }

  void OnRequest() {
    auto& msg = parser_->get();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == http::verb::head;

    Request& req = request_;
    req = Request();
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto target = ParseRequestTarget(req.target);
    if (!target.ok()) {
      parser_.reset();
      server_->Report({400, "bad_request", target.status().message()}, remote_ip_);
      // The message was framed correctly, so the connection stays usable.
      return WriteResponse(JsonError(400, "bad_request", target.status().message()));
    }
    req.path = std::move(target->path);
    req.query = std::move(target->query);
    for (const auto& field : msg) {
      auto [it, inserted] = req.headers.try_emplace(LowerAscii(field.name_string()),
                                                    std::string(field.value()));
      if (!inserted) {
        it->second += ", ";
        it->second += field.value();
      }
    }
    req.body = std::move(msg.body());
    req.remote_ip = remote_ip_;
    parser_.reset();

    state_ = State::kHandling;
    request_active_ = true;
    server_->RequestStarted();
    // A slow handler is not the client's fault.
    stream_.expires_never();
    const auto& from_memory = server_->options.answered_from_memory;
    if (from_memory && from_memory(req)) {
      // Handled right here on the I/O thread, like a static file: no hand-off
      // to another thread and back (see HttpServerOptions).
      RunHandlerInline();
      return;
    }
    asio::post(*server_->workers, Task{shared_from_this(), &Session::RunHandler});
  }

  // On a worker thread. request_ and response_ are handed over by the posts
  // (which order memory); nothing else touches them meanwhile.
  void RunHandler() {
    response_ = server_->Invoke(request_);
    request_ = Request();  // drop the body (and any secrets) early
    asio::post(executor_, Task{shared_from_this(), &Session::OnHandlerDone});
  }

  void RunHandlerInline() {
    response_ = server_->Invoke(request_);
    request_ = Request();
    OnHandlerDone();
  }

  void OnHandlerDone() {
    if (response_.upgrade) {
      upgrade_ = std::move(response_.upgrade);
      response_.upgrade = nullptr;
      if (response_.status != 101) {
        // Not a switch: the callback still learns it will get no socket.
        RunUpgrade(std::move(upgrade_), -1, std::string());
        upgrade_ = nullptr;
      }
    }
    if (state_ == State::kClosed) {  // closed by Stop()
      CancelUpgrade();
      return FinishRequest();
    }
    if (upgrade_) return WriteUpgrade(std::move(response_));
    WriteResponse(std::move(response_));
  }

  // The head of a 101 (no body, no length), then OnUpgradeWritten.
  void WriteUpgrade(Response r) {
    std::string protocol;
    for (const auto& [name, value] : r.headers) {
      if (beast::iequals(name, "upgrade") && IsHeaderValue(value)) protocol = value;
    }
    if (version_ != 11 || head_ || server_->stopping || protocol.empty()) {
      CancelUpgrade();
      if (server_->stopping) {
        return WriteResponse(JsonError(503, "unavailable", "server is shutting down"));
      }
      if (protocol.empty()) return WriteResponse(InternalError());  // handler bug
      return WriteResponse(JsonError(400, "bad_request", "protocol upgrade requires HTTP/1.1"));
    }
    state_ = State::kWriting;
    keep_after_write_ = false;
    std::string& h = out_head_;
    h = "HTTP/1.1 101 Switching Protocols\r\nServer: opscaled\r\nConnection: Upgrade\r\nUpgrade: ";
    h += protocol;
    h += "\r\n";
    for (const auto& [name, value] : r.headers) {
      if (!IsHeaderName(name) || !IsHeaderValue(value)) continue;
      if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
          beast::iequals(name, "server") || beast::iequals(name, "connection") ||
          beast::iequals(name, "upgrade") || beast::iequals(name, "content-type")) {
        continue;
      }
      h += name;
      h += ": ";
      h += value;
      h += "\r\n";
    }
    h += "\r\n";
    out_body_.clear();
    SetDeadline(stream_, server_->ReadTimeout());
    StartWrite(&Session::OnUpgradeWritten);
  }

  // Hands the socket and the bytes read past the request to the callback.
  void OnUpgradeWritten() {
    FinishRequest();
    out_head_.clear();
    std::string already_read(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    stream_.expires_never();
    if (stream_.tls_active()) return StartBridge(std::move(already_read));
    ErrorCode ec;
    int fd = stream_.socket().release(ec);
    if (ec) fd = -1;
    if (fd >= 0) {
      int flags = fcntl(fd, F_GETFL);
      if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        close(fd);
        fd = -1;
      }
    }
    state_ = State::kClosed;
    if (fd < 0) already_read.clear();
    RunUpgrade(std::move(upgrade_), fd, std::move(already_read));
    upgrade_ = nullptr;
  }

  // An upgrade that will not happen: the callback gets fd -1.
  void CancelUpgrade() {
    if (!upgrade_) return;
    RunUpgrade(std::move(upgrade_), -1, std::string());
    upgrade_ = nullptr;
  }

  void WriteResponse(Response res) {
    state_ = State::kWriting;
    keep_after_write_ = keep_alive_ && !server_->stopping;
    try {
      keep_after_write_ = FormatResponse(std::move(res), keep_after_write_);
    } catch (...) {  // e.g. bad_alloc: answer with a minimal 500
      keep_after_write_ = false;
      try {
        FormatResponse(InternalError(), false);
      } catch (...) {
        FinishRequest();
        return Close();
      }
    }
    // A client that does not read its response must not hold the
    // connection forever either.
    SetDeadline(stream_, server_->ReadTimeout());
    StartWrite(&Session::OnWritten);
  }

  // Formats a handler's Response into out_head_/out_body_ (by hand: Beast's
  // serializer would cost several seconds of compile for this simple job).
  // Returns the final keep-alive.
  bool FormatResponse(Response r, bool keep) {
    unsigned status = r.status >= 200 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500;
    std::string& h = out_head_;
    h.clear();
    h += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    h += std::to_string(status);
    h += ' ';
    http::status known = http::int_to_status(status);
    if (known != http::status::unknown) h += http::obsolete_reason(known);
    h += "\r\nServer: opscaled\r\n";
    if (!r.content_type.empty() && IsHeaderValue(r.content_type)) {
      h += "Content-Type: ";
      h += r.content_type;
      h += "\r\n";
    }
    for (const auto& [name, value] : r.headers) {
      if (!IsHeaderName(name) || !IsHeaderValue(value)) continue;
      if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
          beast::iequals(name, "server")) {
        continue;  // framing belongs to the transport
      }
      if (beast::iequals(name, "content-type") && !r.content_type.empty()) continue;
      if (beast::iequals(name, "connection")) {
        if (beast::iequals(value, "close")) keep = false;
        continue;
      }
      h += name;
      h += ": ";
      h += value;
      h += "\r\n";
    }
    out_body_.clear();
    if (status != 204 && status != 304) {  // these carry no body and no length
      h += "Content-Length: ";
      h += std::to_string(r.body.size());
      h += "\r\n";
      if (!head_) out_body_ = std::move(r.body);
    }
    if (version_ == 10) {
      if (keep) h += "Connection: keep-alive\r\n";
    } else if (!keep) {
      h += "Connection: close\r\n";
    }
    h += "\r\n";
    return keep;
  }

  void OnWritten() {
    FinishRequest();
    out_head_.clear();
    out_body_.clear();
    if (!keep_after_write_ || server_->stopping) return Linger();
    if (buffer_.size() > 0) return ReadRequest();  // pipelined
    // Keep-alive: the idle deadline runs until the next request's first byte.
    state_ = State::kIdle;
    SetDeadline(stream_, server_->IdleTimeout());
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            Step{shared_from_this(), &Session::OnIdleRead});
  }

  void OnIdleRead(ErrorCode ec, size_t n) {
    if (ec) return Close();
    buffer_.commit(n);
    ReadRequest();
  }

  void SendErrorAndClose(Response res) {
    parser_.reset();
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    WriteResponse(std::move(res));
  }

  // Half-close, then discard what the client still sends for a moment.
  // Over TLS: send close_notify, and wait (as long) for the client's, while
  // OpenSSL discards the records that arrive meanwhile.
  void Linger() {
    state_ = State::kLingering;
    auto limit = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kMaxLingerTime);
    auto read = server_->ReadTimeout();
    SetDeadline(stream_, read > std::chrono::steady_clock::duration::zero() ? std::min(limit, read)
                                                                            : limit);
    buffer_.consume(buffer_.size());
    if (stream_.tls_active()) {
      return stream_.tls()->async_shutdown(EcStep{shared_from_this(), &Session::OnTlsShutdown});
    }
    ErrorCode ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    linger_left_ = kMaxLingerBytes;
    Drain(ErrorCode(), 0);
  }

  void OnTlsShutdown(ErrorCode) { Close(); }

  void Drain(ErrorCode ec, size_t n) {
    if (ec || n >= linger_left_) return Close();
    linger_left_ -= n;
    stream_.async_read_some(buffer_.prepare(kReadChunk), Step{shared_from_this(), &Session::Drain});
  }

  void Close() {
    state_ = State::kClosed;
    stream_.close();  // cancels pending operations and the deadline
    if (bridge_) {
      ErrorCode ec;
      bridge_->close(ec);
    }
    if (bridge_timer_) bridge_timer_->cancel();
  }

  // --- TLS tunnels (see the file comment) ---
  // Two directions, each a read then a write until done, so that a side
  // that does not take bytes stops the reading of the other (backpressure).
  // A write to the client that does not finish within the read timeout
  // ends the bridge: a client that stops reading cannot keep its
  // connection after the tunnel behind it was cut.
  void StartBridge(std::string already_read) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      CancelUpgrade();
      return Close();
    }
    ErrorCode ec;
    try {
      bridge_.emplace(executor_);
      bridge_timer_.emplace(executor_);
      bridge_->assign(pair[0], ec);
      up_.resize(kBridgeChunk);
      down_.resize(kBridgeChunk);
    } catch (...) {  // bad_alloc
      ec = asio::error::no_memory;
    }
    if (ec) {
      if (!bridge_ || !bridge_->is_open()) close(pair[0]);
      close(pair[1]);
      CancelUpgrade();
      return Close();
    }
    state_ = State::kBridging;
    RunUpgrade(std::move(upgrade_), pair[1], std::move(already_read));
    upgrade_ = nullptr;
    BridgeReadClient();
    BridgeReadTunnel();
  }

  void BridgeReadClient() {
    stream_.async_read_some(asio::buffer(up_), Step{shared_from_this(), &Session::OnBridgeClientRead});
  }
  void OnBridgeClientRead(ErrorCode ec, size_t n) {
    if (ec || state_ != State::kBridging) return Close();
    up_len_ = n;
    up_sent_ = 0;
    BridgeWriteTunnel(ErrorCode(), 0);
  }
  void BridgeWriteTunnel(ErrorCode ec, size_t n) {
    if (ec || state_ != State::kBridging) return Close();
    up_sent_ += n;
    if (up_sent_ == up_len_) return BridgeReadClient();
    bridge_->async_write_some(asio::buffer(up_.data() + up_sent_, up_len_ - up_sent_),
                              Step{shared_from_this(), &Session::BridgeWriteTunnel});
  }

  void BridgeReadTunnel() {
    bridge_->async_read_some(asio::buffer(down_), Step{shared_from_this(), &Session::OnBridgeTunnelRead});
  }
  void OnBridgeTunnelRead(ErrorCode ec, size_t n) {
    if (ec || state_ != State::kBridging) return Close();
    down_len_ = n;
    down_sent_ = 0;
    if (server_->options.read_timeout_seconds > 0) {
      bridge_timer_->expires_after(server_->ReadTimeout());
      bridge_timer_->async_wait(EcStep{shared_from_this(), &Session::OnBridgeWriteTimer});
    }
    BridgeWriteClient(ErrorCode(), 0);
  }
  void BridgeWriteClient(ErrorCode ec, size_t n) {
    if (ec || state_ != State::kBridging) return Close();
    down_sent_ += n;
    if (down_sent_ == down_len_) {
      bridge_timer_->cancel();
      return BridgeReadTunnel();
    }
    // The same buffer type as WriteSome's: one instantiation of the write.
    std::array<asio::const_buffer, 2> bufs{
        asio::buffer(down_.data() + down_sent_, down_len_ - down_sent_), asio::const_buffer()};
    stream_.async_write_some(bufs, Step{shared_from_this(), &Session::BridgeWriteClient});
  }
  void OnBridgeWriteTimer(ErrorCode ec) {
    // A cancelled wait, or one that fired just as its write finished (the
    // next write sets a later expiry): not a timeout.
    if (ec || state_ != State::kBridging || down_sent_ == down_len_ ||
        bridge_timer_->expiry() > std::chrono::steady_clock::now()) {
      return;
    }
    Close();
  }

  void FinishRequest() {
    if (!request_active_) return;
    request_active_ = false;
    server_->RequestFinished();
  }

  SessionStream stream_;
  SessionStream::executor_type executor_;  // the strand; copied for use from workers
  ServerCore* server_;
  const std::string remote_ip_;

  // Touched only on the strand, except request_/response_ (see RunHandler).
  State state_ = State::kReading;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_head_;  // pending output: status line and headers
  std::string out_body_;  // pending output: body
  size_t written_ = 0;
  TaskFn after_write_ = nullptr;
  Request request_;
  Response response_;
  UpgradeFn upgrade_;  // a 101's callback until the head is written
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool keep_after_write_ = false;
  bool head_ = false;
  bool request_active_ = false;
  bool head_checked_ = false;  // CheckHead done (and 100-continue decided)
  std::chrono::steady_clock::time_point request_start_;
  size_t linger_left_ = 0;

  // TLS tunnels only (StartBridge): the session's end of the socketpair, a
  // deadline for writes to the client, and a buffer per direction.
  std::optional<asio::posix::stream_descriptor> bridge_;
  std::optional<asio::steady_timer> bridge_timer_;
  std::string up_;    // client -> tunnel
  std::string down_;  // tunnel -> client
  size_t up_len_ = 0, up_sent_ = 0, down_len_ = 0, down_sent_ = 0;
};

void Step::operator()(ErrorCode ec, size_t n) { ((*self).*fn)(ec, n); }
void Task::operator()() { ((*self).*fn)(); }
void EcStep::operator()(ErrorCode ec) { ((*self).*fn)(ec); }

void ServerCore::Accept() {
  acceptor->async_accept(asio::make_strand(*ioc), [this](ErrorCode ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerCore::OnAccept(ErrorCode ec, tcp::socket socket) {
  if (stopping || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Typically out of file descriptors: back off instead of spinning.
    accept_retry->expires_after(std::chrono::milliseconds(100));
    accept_retry->async_wait([this](ErrorCode wait_ec) {
      if (!wait_ec && !stopping) Accept();
    });
    return;
  }
  ErrorCode peer_ec;
  tcp::endpoint peer = socket.remote_endpoint(peer_ec);
  if (!peer_ec && AtCapacity()) {
    RefuseConnection(std::move(socket), PeerAddress(peer));
  } else if (!peer_ec) {  // otherwise the peer is already gone
    socket.set_option(tcp::no_delay(true), peer_ec);
    try {
      std::make_shared<Session>(std::move(socket), this, PeerAddress(peer))->Start();
    } catch (...) {
      // bad_alloc: drop this connection, keep accepting.
    }
  }
  Accept();
}

bool ServerCore::AtCapacity() {
  if (options.max_connections == 0) return false;
  std::lock_guard lock(mu);
  return sessions.size() >= options.max_connections;
}

// Over the cap: a best-effort 503 and close, right here on the acceptor's
// strand, costing the open connections nothing. A fresh socket's send
// buffer takes the short answer at once; nothing waits for the client.
void ServerCore::RefuseConnection(tcp::socket socket, const std::string& remote_ip) {
  ErrorCode ec;
  socket.non_blocking(true, ec);
  // On a TLS port a plain-text answer would be garbage to the client's
  // handshake: close only.
  if (!ec && !ssl) socket.write_some(asio::buffer(OverCapacityResponse()), ec);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
  uint64_t suppressed = 0;
  if (!over_capacity_log.Allow(std::chrono::steady_clock::now(), &suppressed)) return;
  std::string message =
      "too many open connections (limit " + std::to_string(options.max_connections) + ")";
  if (suppressed > 0) {
    message += "; " + std::to_string(suppressed) + " more refused since the last such line";
  }
  Report({503, "unavailable", message}, remote_ip);
}

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
  std::vector<std::thread> io_threads;
  uint16_t bound_port = 0;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started) return Status::Unavailable("HTTP server already started");
  const HttpServerOptions& o = s.options;
  std::string where = HostPortText(o.host, o.port);

  std::string resolve_error;
  std::optional<asio::ip::address> addr = ResolveHost(o.host, &resolve_error);
  if (!addr) return Status::Unavailable("cannot listen on " + where + ": " + resolve_error);

  if (o.tls) {
    // Asio's context takes ownership of the handle it is given: its own
    // reference, so the TlsContext stays valid for its other holders.
    SSL_CTX_up_ref(o.tls->native());
    s.ssl.emplace(o.tls->native());
  }
  int io_threads = std::max(1, o.io_threads);
  s.ioc = std::make_unique<asio::io_context>(io_threads);
  tcp::endpoint endpoint(*addr, o.port);
  s.acceptor.emplace(asio::make_strand(*s.ioc));
  ErrorCode ec;
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) s.bound_port = s.acceptor->local_endpoint(ec).port();
  if (ec) {
    s.acceptor.reset();
    s.ioc.reset();
    return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  s.accept_retry.emplace(s.acceptor->get_executor());
  s.work_guard.emplace(s.ioc->get_executor());
  s.workers = std::make_unique<asio::thread_pool>(std::max(1, o.worker_threads));
  asio::post(s.acceptor->get_executor(), [&s] { s.Accept(); });
  for (int i = 0; i < io_threads; ++i) {
    s.io_threads.emplace_back([&s] { s.ioc->run(); });
  }
  s.started = true;
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }

std::string HttpServer::host() const { return impl_->options.host; }

void HttpServer::Stop(int grace_ms) {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.stopping = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, grace_ms));

  // 1. Stop accepting (on the acceptor's strand; the io threads are running).
  std::promise<void> closed;
  asio::post(s.acceptor->get_executor(), [&s, &closed] {
    ErrorCode ec;
    s.acceptor->close(ec);
    s.accept_retry->cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  // 2. Idle and half-read connections go now; in-flight requests get until
  //    the deadline to be handled and answered (with Connection: close).
  for (auto& session : s.LiveSessions()) session->PostStopping();
  {
    std::unique_lock lock(s.mu);
    s.cv.wait_until(lock, deadline, [&s] { return s.active_requests == 0; });
  }

  // 3. Close everything left and let the sessions unwind.
  for (auto& session : s.LiveSessions()) session->PostClose();
  {
    std::unique_lock lock(s.mu);
    s.cv.wait_for(lock, kCloseWait, [&s] { return s.sessions.empty(); });
  }
  s.work_guard.reset();
  s.ioc->stop();
  for (auto& t : s.io_threads) t.join();
  s.io_threads.clear();
  // Handler calls already running cannot be interrupted: join waits for
  // them; queued ones are dropped. Then destroy the pool (its dropped jobs
  // release sessions) before the io_context their sockets belong to.
  s.workers->stop();
  s.workers->join();
  s.workers.reset();
  s.accept_retry.reset();
  s.acceptor.reset();
  s.ioc.reset();
}

}  // namespace opscale::api
