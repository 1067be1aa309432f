#include "cli/mysql_proxy.h"
#include "common/text.h"
#include "tunnel/relay.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <system_error>
#include <thread>

#include <boost/json.hpp>

namespace opscale::cli {
namespace {

using Clock = std::chrono::steady_clock;
using namespace mysql_caps;

constexpr size_t kMaxPacket = 0xffffff;
constexpr std::string_view kNativePassword = "mysql_native_password";
// Flags that shape the command phase: offered locally only when the server
// has them, then repeated upstream exactly as the local client chose.
// (Handshake-only flags, TLS, compression and the bits above 24 are not.)
constexpr uint32_t kCommandPhaseCaps =
    kLongPassword | (1u << 1) /* FOUND_ROWS */ | (1u << 2) /* LONG_FLAG */ |
    (1u << 4) /* NO_SCHEMA */ | (1u << 6) /* ODBC */ | (1u << 7) /* LOCAL_FILES */ |
    (1u << 8) /* IGNORE_SPACE */ | kProtocol41 | (1u << 10) /* INTERACTIVE */ |
    (1u << 12) /* IGNORE_SIGPIPE */ | (1u << 13) /* TRANSACTIONS */ | (1u << 14) /* RESERVED */ |
    (1u << 16) /* MULTI_STATEMENTS */ | (1u << 17) /* MULTI_RESULTS */ |
    (1u << 18) /* PS_MULTI_RESULTS */ | (1u << 23) /* SESSION_TRACK */ | kDeprecateEof;
// Handshake flags the local side handles itself.
constexpr uint32_t kLocalHandshakeCaps =
    kConnectWithDb | kSecureConnection | kPluginAuth | kConnectAttrs | kPluginAuthLenencData;
constexpr uint16_t kErUnknown = 1105;  // ER_UNKNOWN_ERROR, SQLSTATE HY000

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Sends everything, waiting at most until `deadline` (no deadline when
// `stop_fd` >= 0: then a readable stop_fd aborts). False if it could not.
bool SendAll(int fd, std::string_view data, Clock::time_point deadline, int stop_fd = -1) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return false;
    pollfd p[2] = {{fd, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
    int timeout = stop_fd >= 0 ? -1 : MsLeft(deadline);
    int rc = poll(p, stop_fd >= 0 ? 2 : 1, timeout);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0 || (stop_fd >= 0 && p[1].revents != 0)) return false;
  }
  return true;
}

void PutInt(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string Packet(uint8_t seq, std::string_view payload) {
  std::string out;
  PutInt(out, payload.size(), 3);
  out.push_back(static_cast<char>(seq));
  out.append(payload);
  return out;
}

std::string ErrPayload(uint16_t code, std::string_view sqlstate, std::string_view message) {
  std::string out(1, '\xff');
  PutInt(out, code, 2);
  out.push_back('#');
  out.append(sqlstate.substr(0, 5));
  out.append(message);
  return out;
}

bool SendPacket(int fd, uint8_t seq, std::string_view payload) {
  return SendAll(fd, Packet(seq, payload), Clock::now() + std::chrono::seconds(5));
}

// A bounds-checked cursor over a packet payload.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : d_(data) {}
  bool ok() const { return ok_; }
  size_t left() const { return d_.size() - pos_; }
  uint64_t Int(int bytes) {
    if (left() < static_cast<size_t>(bytes)) return Fail();
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(d_[pos_ + i])} << (8 * i);
    pos_ += static_cast<size_t>(bytes);
    return v;
  }
  std::string Bytes(size_t n) {
    if (left() < n) return Fail(), std::string();
    std::string out(d_.substr(pos_, n));
    pos_ += n;
    return out;
  }
  // Up to a NUL (consumed); the rest when there is none (lenient, like servers).
  std::string NulString() {
    size_t end = d_.find('\0', pos_);
    std::string out(d_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_));
    pos_ = end == std::string_view::npos ? d_.size() : end + 1;
    return out;
  }
  uint64_t LenEnc() {
    uint64_t first = Int(1);
    if (first < 0xfb) return first;
    if (first == 0xfc) return Int(2);
    if (first == 0xfd) return Int(3);
    if (first == 0xfe) return Int(8);
    return Fail();
  }
  std::string Rest() { return Bytes(left()); }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = d_.size();
    return 0;
  }
  std::string_view d_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// "Access denied ..." from an ERR payload (with or without the SQL state).
std::string ErrMessage(std::string_view payload, uint16_t* code) {
  Cursor c(payload);
  c.Int(1);
  *code = static_cast<uint16_t>(c.Int(2));
  std::string rest = c.Rest();
  if (!rest.empty() && rest[0] == '#' && rest.size() >= 6) rest.erase(0, 6);
  return rest;
}

std::string Sha1(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<char*>(md), len);
}

// 20 random printable bytes (no NUL: the scramble's tail is NUL-terminated).
std::string NewScramble() {
  unsigned char raw[20];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    for (unsigned char& b : raw) b = static_cast<unsigned char>(Clock::now().time_since_epoch().count());
  }
  std::string out;
  for (unsigned char b : raw) out.push_back(static_cast<char>(33 + b % 94));
  return out;
}

Code CodeForHttpStatus(int status) {
  switch (status) {
    case 400: return Code::kInvalidArgument;
    case 401: return Code::kUnauthenticated;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kConflict;
    case 413: return Code::kTooLarge;
    case 422: return Code::kUnprocessable;
    case 429: return Code::kRateLimited;
    case 431: return Code::kHeadersTooLarge;
    case 503: return Code::kUnavailable;
    default: return status >= 500 ? Code::kInternal : Code::kUnavailable;
  }
}

// TCP connect within the deadline; blocking socket with TCP_NODELAY, or -1.
int Dial(const std::string& host, const std::string& port, Clock::time_point deadline,
         std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0 || list == nullptr) {
    *error = rc != 0 ? gai_strerror(rc) : "no address";
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      *error = std::strerror(errno);
      continue;
    }
    int err = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = poll(&p, 1, MsLeft(deadline));
      socklen_t len = sizeof err;
      if (ready <= 0) {
        err = ready == 0 ? ETIMEDOUT : errno;
      } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
    }
    if (err != 0) {
      *error = std::strerror(err);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(list);
  if (fd >= 0) {
    // Blocking from here on (the relay's recv() waits in the kernel; every
    // other read and write here passes MSG_DONTWAIT).
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  }
  return fd;
}

// Reads more bytes into `buf` before the deadline; false on EOF/error/timeout.
bool ReadMore(int fd, std::string& buf, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, MsLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    char tmp[16384];
    ssize_t n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    buf.append(tmp, static_cast<size_t>(n));
    return true;
  }
}

}  // namespace

Result<std::string> PacketReader::Read(uint8_t* seq, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (buf_.size() < 4) {
    if (!ReadMore(fd_, buf_, deadline)) return Status::Unavailable("connection closed");
  }
  size_t len = static_cast<unsigned char>(buf_[0]) | static_cast<unsigned char>(buf_[1]) << 8 |
               static_cast<size_t>(static_cast<unsigned char>(buf_[2])) << 16;
  if (len >= kMaxPacket) return Status::InvalidArgument("unexpected multi-part MySQL packet");
  while (buf_.size() < 4 + len) {
    if (!ReadMore(fd_, buf_, deadline)) return Status::Unavailable("connection closed");
  }
  *seq = static_cast<uint8_t>(buf_[3]);
  std::string payload = buf_.substr(4, len);
  buf_.erase(0, 4 + len);
  return payload;
}

std::string NativePasswordScramble(const std::string& password, const std::string& scramble) {
  if (password.empty()) return {};
  std::string stage1 = Sha1(password);
  std::string stage2 = Sha1(stage1);
  std::string mix = Sha1(scramble.substr(0, 20) + stage2);
  if (stage1.size() != 20 || mix.size() != 20) return {};
  for (size_t i = 0; i < 20; ++i) stage1[i] = static_cast<char>(stage1[i] ^ mix[i]);
  return stage1;
}

Result<ServerGreeting> ReadServerGreeting(PacketReader& upstream,
                                          std::chrono::milliseconds timeout) {
  uint8_t seq = 0;
  Result<std::string> packet = upstream.Read(&seq, timeout);
  if (!packet.ok()) {
    return Status::Unavailable("no greeting from the database: " + packet.status().message());
  }
  if (!packet->empty() && static_cast<unsigned char>((*packet)[0]) == 0xff) {
    uint16_t code = 0;
    return Status::Unavailable("the database refused the connection: " + ErrMessage(*packet, &code));
  }
  Cursor c(*packet);
  ServerGreeting g;
  if (c.Int(1) != 10) return Status::Unavailable("the database sent an unknown greeting");
  g.server_version = c.NulString();
  g.connection_id = static_cast<uint32_t>(c.Int(4));
  std::string part1 = c.Bytes(8);
  c.Int(1);
  g.capabilities = static_cast<uint32_t>(c.Int(2));
  std::string part2;
  if (c.ok() && c.left() > 0) {
    g.charset = static_cast<uint8_t>(c.Int(1));
    g.status_flags = static_cast<uint16_t>(c.Int(2));
    g.capabilities |= static_cast<uint32_t>(c.Int(2)) << 16;
    size_t data_len = c.Int(1);
    c.Bytes(10);
    if (g.capabilities & kSecureConnection) {
      part2 = c.Bytes(std::max<size_t>(13, data_len > 8 ? data_len - 8 : 0));
      if (!part2.empty() && part2.back() == '\0') part2.pop_back();
    }
    if (g.capabilities & kPluginAuth) g.auth_plugin = c.NulString();
  }
  if (!c.ok()) return Status::Unavailable("the database sent a truncated greeting");
  g.scramble = (part1 + part2).substr(0, 20);
  return g;
}

Result<LocalClient> ServeLocalHandshake(int local_fd, const ServerGreeting& greeting,
                                        std::chrono::milliseconds timeout) {
  uint32_t offered = (greeting.capabilities & kCommandPhaseCaps) | kProtocol41 | kLocalHandshakeCaps;
  std::string scramble = NewScramble();
  std::string hello(1, '\x0a');
  hello += greeting.server_version.empty() ? std::string("8.0.34-opscale") : greeting.server_version;
  hello.push_back('\0');
  PutInt(hello, greeting.connection_id, 4);
  hello += scramble.substr(0, 8);
  hello.push_back('\0');
  PutInt(hello, offered & 0xffff, 2);
  hello.push_back(static_cast<char>(greeting.charset != 0 ? greeting.charset : 45));
  PutInt(hello, greeting.status_flags != 0 ? greeting.status_flags : 2, 2);
  PutInt(hello, offered >> 16, 2);
  hello.push_back(static_cast<char>(21));
  hello.append(10, '\0');  // reserved (MariaDB: extended capabilities, none)
  hello += scramble.substr(8);
  hello.push_back('\0');
  hello += kNativePassword;
  hello.push_back('\0');
  if (!SendPacket(local_fd, 0, hello)) return Status::Unavailable("the local client left");

  PacketReader reader(local_fd);
  uint8_t seq = 0;
  Result<std::string> packet = reader.Read(&seq, timeout);
  if (!packet.ok()) {
    return Status::Unavailable("the local client sent no login: " + packet.status().message());
  }
  LocalClient client;
  client.next_seq = static_cast<uint8_t>(seq + 1);
  Cursor c(*packet);
  uint32_t caps = static_cast<uint32_t>(c.Int(4));
  auto refuse = [&](const std::string& why) -> Status {
    (void)SendPacket(local_fd, client.next_seq, ErrPayload(kErUnknown, "HY000", why));
    return Status::Unprocessable(why);
  };
  if (!c.ok() || !(caps & kProtocol41)) {
    return refuse("opscale connect needs a client speaking the MySQL 4.1+ protocol");
  }
  if (caps & kSsl) {
    return refuse("TLS is not available on the local opscale connect port; "
                  "connect without TLS (e.g. --ssl-mode=DISABLED)");
  }
  caps &= offered;
  client.capabilities = caps;
  c.Int(4);  // max packet size
  client.charset = static_cast<uint8_t>(c.Int(1));
  c.Bytes(23);
  client.username = c.NulString();
  if (caps & kPluginAuthLenencData) {
    c.Bytes(c.LenEnc());
  } else if (caps & kSecureConnection) {
    c.Bytes(c.Int(1));
  } else {
    c.NulString();
  }
  if ((caps & kConnectWithDb) && c.left() > 0) client.database = c.NulString();
  // Plugin name and connection attributes are of no use here.
  if (!c.ok()) return refuse("malformed handshake response");
  return client;
}

Status UpstreamHandshake(PacketReader& upstream, const ServerGreeting& greeting,
                         const UpstreamCredentials& credentials, uint32_t client_capabilities,
                         uint8_t client_charset, std::string* ok_packet, std::string* err_packet,
                         std::chrono::milliseconds timeout) {
  ok_packet->clear();
  err_packet->clear();
  uint32_t server = greeting.capabilities;
  if (!(server & kProtocol41) || !(server & kSecureConnection)) {
    return Status::Unprocessable("the database server is too old (no MySQL 4.1 protocol)");
  }
  uint32_t caps = (client_capabilities & kCommandPhaseCaps & server) | kProtocol41 |
                  kSecureConnection | (server & kPluginAuth) | (server & kConnectWithDb);
  // Answered for mysql_native_password whatever the server's default
  // method: a server that wants another one asks to switch.
  std::string auth = NativePasswordScramble(credentials.password, greeting.scramble);
  std::string login;
  PutInt(login, caps, 4);
  PutInt(login, 1u << 24, 4);  // max packet size: 16 MiB
  login.push_back(static_cast<char>(client_charset != 0 ? client_charset : greeting.charset));
  login.append(23, '\0');
  login += credentials.username;
  login.push_back('\0');
  login.push_back(static_cast<char>(auth.size()));
  login += auth;
  if (caps & kConnectWithDb) {
    login += credentials.schema;
    login.push_back('\0');
  }
  if (caps & kPluginAuth) {
    login += kNativePassword;
    login.push_back('\0');
  }
  if (!SendPacket(upstream.fd(), 1, login)) {
    return Status::Unavailable("the tunnel closed during the database login");
  }
  for (int round = 0; round < 4; ++round) {
    uint8_t seq = 0;
    Result<std::string> reply = upstream.Read(&seq, timeout);
    if (!reply.ok()) {
      return Status::Unavailable("no answer to the database login: " + reply.status().message());
    }
    unsigned char kind = reply->empty() ? 0xff : static_cast<unsigned char>((*reply)[0]);
    if (kind == 0x00) {
      *ok_packet = std::move(reply).value();
      return Status::Ok();
    }
    if (kind == 0xff) {
      *err_packet = *reply;
      uint16_t code = 0;
      std::string message = ErrMessage(*reply, &code);
      bool denied = code == 1044 || code == 1045 || code == 1698 || code == 1862;
      return Status(denied ? Code::kUnauthenticated : Code::kUnavailable,
                    "database login failed: " + message);
    }
    if (kind == 0xfe) {  // AuthSwitchRequest
      Cursor c(*reply);
      c.Int(1);
      std::string plugin = c.NulString();
      std::string data = c.Rest();
      if (!data.empty() && data.back() == '\0') data.pop_back();
      if (plugin != kNativePassword || data.size() < 20) {
        return Status::Unprocessable("the database asked for the " +
                                     (plugin.empty() ? std::string("old") : plugin) +
                                     " authentication method, which opscale connect cannot use");
      }
      if (!SendPacket(upstream.fd(), static_cast<uint8_t>(seq + 1),
                      NativePasswordScramble(credentials.password, data))) {
        return Status::Unavailable("the tunnel closed during the database login");
      }
      continue;
    }
    if (kind == 0x01 && reply->size() >= 2 && (*reply)[1] == 0x03) continue;  // fast auth ok
    return Status::Unprocessable(
        "the database asked for an authentication step opscale connect cannot do");
  }
  return Status::Unprocessable("the database login did not finish");
}

Status RelayBytes(int a_fd, int b_fd, std::string to_b, std::string to_a, int stop_fd) {
  tunnel::Relay relay(a_fd, b_fd);
  if (stop_fd < 0) {
    tunnel::RelayResult r = relay.Run(std::move(to_b), std::move(to_a));
    if (r.end != tunnel::RelayEnd::kError) return Status::Ok();
    return Status::Internal(std::string("relay: ") + std::strerror(r.error));
  }
  // The relay's loop does not watch `stop_fd`: a thread waits for it (or
  // for the relay's end, on `done`) and stops the relay.
  int done = eventfd(0, EFD_CLOEXEC);
  if (done < 0) return Status::Internal(std::string("eventfd: ") + std::strerror(errno));
  std::thread watcher;
  try {
    watcher = std::thread([&relay, stop_fd, done] {
      pollfd p[2] = {{stop_fd, POLLIN, 0}, {done, POLLIN, 0}};
      while (poll(p, 2, -1) < 0 && errno == EINTR) {
      }
      relay.Stop();
    });
  } catch (const std::system_error& e) {
    close(done);
    return Status::Internal(std::string("cannot start a thread: ") + e.what());
  }
  tunnel::RelayResult r = relay.Run(std::move(to_b), std::move(to_a));
  uint64_t one = 1;
  (void)!write(done, &one, sizeof one);
  watcher.join();
  close(done);
  if (r.end != tunnel::RelayEnd::kError) return Status::Ok();
  return Status::Internal(std::string("relay: ") + std::strerror(r.error));
}

Status ProxyConnection(int local_fd, TunnelConnection tunnel,
                       const UpstreamCredentials& credentials, const ProxyOptions& options) {
  PacketReader upstream(tunnel.fd, std::move(tunnel.already_read));
  Result<ServerGreeting> greeting = ReadServerGreeting(upstream, options.handshake_timeout);
  if (!greeting.ok()) {
    // A server may answer a connection with an ERR instead of a greeting.
    (void)SendPacket(local_fd, 0,
                     ErrPayload(kErUnknown, "HY000", "opscale connect: " + greeting.status().message()));
    return greeting.status();
  }
  Result<LocalClient> local = ServeLocalHandshake(local_fd, *greeting, options.handshake_timeout);
  if (!local.ok()) return local.status();
  std::string ok, err;
  Status login = UpstreamHandshake(upstream, *greeting, credentials, local->capabilities,
                                   local->charset, &ok, &err, options.handshake_timeout);
  if (!login.ok()) {
    if (err.empty()) err = ErrPayload(kErUnknown, "HY000", "opscale connect: " + login.message());
    (void)SendPacket(local_fd, local->next_seq, err);
    return login;
  }
  if (!SendPacket(local_fd, local->next_seq, ok)) {
    return Status::Unavailable("the local client left during the login");
  }
  return RelayBytes(local_fd, tunnel.fd, {}, upstream.TakeBuffered(), options.stop_fd);
}

Result<TunnelConnection> OpenTunnel(const std::string& api_url, const std::string& path,
                                    const std::string& authorization, const TlsOptions& tls,
                                    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string rest = api_url;
  const bool https = AsciiLower(rest.substr(0, 8)) == "https://";
  const std::string scheme = https ? "https://" : "http://";
  if (AsciiLower(rest.substr(0, scheme.size())) != scheme) {
    return Status::InvalidArgument("invalid API URL " + api_url + " (expected http(s)://host:port)");
  }
  rest.erase(0, scheme.size());
  std::string authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string host = authority, port = https ? "443" : "80";
  if (!authority.empty() && authority[0] == '[') {
    size_t close_bracket = authority.find(']');
    if (close_bracket == std::string::npos) return Status::InvalidArgument("invalid API URL " + api_url);
    host = authority.substr(1, close_bracket - 1);
    if (close_bracket + 1 < authority.size() && authority[close_bracket + 1] == ':') {
      port = authority.substr(close_bracket + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty() || path.empty() || path[0] != '/' ||
      path.find_first_of("\r\n ") != std::string::npos ||
      authorization.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument("invalid API URL " + api_url);
  }

  int fd = -1;
  if (https) {
    // The same verified TLS as the API client's; the exchange below then runs through the
    // pipe's local end exactly as over plain TCP.
    Result<int> pipe = OpenTlsPipe(host, port, tls, timeout);
    if (!pipe.ok()) return Status::Unavailable("cannot reach " + authority + ": " + pipe.status().message());
    fd = *pipe;
  } else {
    std::string error;
    fd = Dial(host, port, deadline, &error);
    if (fd < 0) return Status::Unavailable("cannot reach " + authority + ": " + error);
  }
  auto fail = [fd](Status st) -> Result<TunnelConnection> {
    close(fd);
    return st;
  };
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + authority +
                        "\r\nConnection: Upgrade\r\nUpgrade: opscale-tunnel\r\n"
                        "User-Agent: opscale-cli\r\nAuthorization: " + authorization + "\r\n\r\n";
  if (!SendAll(fd, request, deadline)) return fail(Status::Unavailable("cannot send to " + authority));

  std::string buf;
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > 64 * 1024) return fail(Status::Unavailable("oversized answer from " + authority));
    if (!ReadMore(fd, buf, deadline)) {
      return fail(Status::Unavailable("no answer from " + authority + " to the tunnel request"));
    }
  }
  std::string head = buf.substr(0, head_end);
  buf.erase(0, head_end + 4);
  int status = 0;
  if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0 ||
      std::sscanf(head.c_str() + head.find(' '), " %3d", &status) != 1) {
    return fail(Status::Unavailable("malformed HTTP answer from " + authority));
  }
  std::string upgrade;
  size_t content_length = 0;
  for (size_t pos = head.find("\r\n"); pos != std::string::npos;) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    pos = next;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = AsciiLower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "upgrade") upgrade = AsciiLower(value);
    if (name == "content-length") content_length = std::strtoul(value.c_str(), nullptr, 10);
  }
  if (status == 101) {
    if (upgrade != "opscale-tunnel") {
      return fail(Status::Unavailable("the server switched to an unexpected protocol"));
    }
    return TunnelConnection{fd, std::move(buf)};
  }
  // An error: read its (small) body for the message.
  content_length = std::min<size_t>(content_length, 64 * 1024);
  while (buf.size() < content_length && ReadMore(fd, buf, deadline)) {
  }
  std::string message = buf.substr(0, content_length);
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(message, ec);
  if (!ec && json.is_object()) {
    if (const auto* m = json.as_object().if_contains("message"); m != nullptr && m->is_string()) {
      message = std::string(m->as_string());
    }
  }
  if (message.empty()) message = "the server refused the tunnel (HTTP " + std::to_string(status) + ")";
  return fail(Status(CodeForHttpStatus(status), message));
}

}  // namespace opscale::cli
