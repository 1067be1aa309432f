// The CLI side of `connect`: a MySQL proxy for one local connection.
//
// Like pscale, the CLI terminates the MySQL handshake locally (any user and
// password are accepted: the local app's DATABASE_URL carries none) and
// logs in upstream itself with the short-lived password it was given. The
// upstream is a byte pipe: an HTTP/1.1 connection to opscaled switched to
// the "opscale-tunnel" protocol (OpenTunnel; over TLS, verified like the API
// client, when the API URL is https), whose far end is the branch's MariaDB. Both handshakes happen here; afterwards bytes are relayed as-is
// (MySQL command packets restart their sequence ids at 0, so the two legs
// agree once the capabilities do: the local side is offered only what the
// upstream server supports, and upstream the client's choice is repeated).
// The local leg uses neither TLS nor compression (it stays on the loopback
// interface); clients that require TLS locally are refused with a MySQL error.
//
// Thread-safety: free functions on descriptors the caller owns (they are
// never closed here); one thread per connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "cli/http_client.h"
#include "common/status.h"

namespace opscale::cli {

// MySQL capability flags used by the proxy.
namespace mysql_caps {
inline constexpr uint32_t kLongPassword = 1u << 0;  // "CLIENT_MYSQL" on MariaDB
inline constexpr uint32_t kConnectWithDb = 1u << 3;
inline constexpr uint32_t kCompress = 1u << 5;
inline constexpr uint32_t kProtocol41 = 1u << 9;
inline constexpr uint32_t kSsl = 1u << 11;
inline constexpr uint32_t kSecureConnection = 1u << 15;
inline constexpr uint32_t kPluginAuth = 1u << 19;
inline constexpr uint32_t kConnectAttrs = 1u << 20;
inline constexpr uint32_t kPluginAuthLenencData = 1u << 21;
inline constexpr uint32_t kDeprecateEof = 1u << 24;
}  // namespace mysql_caps

// An open tunnel: the socket (owned by the caller) and the bytes the server
// sent right behind its 101 head, which belong to the MySQL stream.
struct TunnelConnection {
  int fd = -1;
  std::string already_read;
};

// Connects to `api_url` ("http[s]://host[:port]", any path ignored), sends
// `GET path` asking to upgrade to "opscale-tunnel" with the given
// Authorization header value, and requires "101 Switching Protocols".
// With https the connection is TLS, verified with `tls` like the API
// client's (OpenTlsPipe): the returned fd is then the local end of that
// pipe, used exactly like a socket (and closed by the caller likewise).
// A certificate that fails verification is an error, never a reason to
// fall back to plain text.
// Failures: InvalidArgument for an unusable URL; Unavailable when the
// server cannot be reached, cannot be verified ("cannot reach HOST:PORT:
// SSL certificate problem: ...") or answers garbage; otherwise the code
// matching the HTTP status (401, 403, 404, ...) with the server's JSON
// "message" (or the body) as message.
// `authorization` is never part of an error message.
Result<TunnelConnection> OpenTunnel(const std::string& api_url, const std::string& path,
                                    const std::string& authorization, const TlsOptions& tls,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// What the upstream server announced in its greeting (HandshakeV10).
struct ServerGreeting {
  std::string server_version;
  uint32_t connection_id = 0;
  uint32_t capabilities = 0;
  uint8_t charset = 0;
  uint16_t status_flags = 0;
  std::string scramble;     // 20 bytes of auth plugin data
  std::string auth_plugin;  // e.g. "mysql_native_password"
};

// Reads a packet stream from a socket, keeping bytes read ahead.
class PacketReader {
 public:
  PacketReader(int fd, std::string already_read = {}) : fd_(fd), buf_(std::move(already_read)) {}
  // One packet's payload and sequence id, within `timeout`. Unavailable
  // when the peer closes or is too slow; InvalidArgument for a packet over
  // 16 MiB (never expected during a handshake).
  Result<std::string> Read(uint8_t* seq, std::chrono::milliseconds timeout);
  // Bytes read past the last packet (handed to the relay afterwards).
  std::string TakeBuffered() { return std::move(buf_); }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string buf_;
};

// mysql_native_password's answer to `scramble` (first 20 bytes used):
// SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); empty for an empty password.
std::string NativePasswordScramble(const std::string& password, const std::string& scramble);

// Reads the upstream greeting. An ERR packet instead (e.g. too many
// connections) is returned as Unavailable with the server's message.
Result<ServerGreeting> ReadServerGreeting(PacketReader& upstream,
                                          std::chrono::milliseconds timeout);

// What the local client sent in its HandshakeResponse41.
struct LocalClient {
  uint32_t capabilities = 0;  // already limited to what was offered
  uint8_t charset = 0;
  std::string username;       // for logs only; any value is accepted
  std::string database;       // likewise; the upstream schema is fixed
  uint8_t next_seq = 2;       // sequence id of the server's answer
};

// Greets the local client (as `greeting.server_version`, connection id and
// status from the upstream, a fresh random scramble, mysql_native_password,
// and the capabilities of `greeting` we can proxy, never TLS) and reads its
// HandshakeResponse41. Does not answer it: see FinishLocalHandshake.
// Unavailable if the client leaves or stalls; Unprocessable (after sending
// it a MySQL error) if it requires TLS or speaks the pre-4.1 protocol.
Result<LocalClient> ServeLocalHandshake(int local_fd, const ServerGreeting& greeting,
                                        std::chrono::milliseconds timeout);

struct UpstreamCredentials {
  std::string username;  // short-lived engine account (never logged)
  std::string password;
  std::string schema;    // the branch schema, sent as the database
};

// Logs in upstream after `greeting`: HandshakeResponse41 with
// mysql_native_password, `client_capabilities` (those of the local client,
// limited to what the server offers; no TLS, compression or attributes)
// plus CONNECT_WITH_DB for the schema, following an AuthSwitchRequest to
// mysql_native_password. On success `ok_packet` gets the server's OK
// payload. Unauthenticated with the server's message ("Access denied ...")
// and the raw ERR payload in `err_packet` when the server refuses;
// Unavailable when the pipe breaks; Unprocessable for an auth method the
// proxy cannot do.
Status UpstreamHandshake(PacketReader& upstream, const ServerGreeting& greeting,
                         const UpstreamCredentials& credentials, uint32_t client_capabilities,
                         uint8_t client_charset, std::string* ok_packet, std::string* err_packet,
                         std::chrono::milliseconds timeout);

// Copies bytes both ways between two sockets (tunnel::Relay, on the shared
// epoll loop) until one closes or fails, or `stop_fd` (if >= 0; e.g. a
// pipe's read end) becomes readable; then shuts both sockets down (the
// caller still closes them). `to_b` and `to_a` are sent first. Ok when a
// side closed or stop was signalled; Internal when a socket was unusable.
Status RelayBytes(int a_fd, int b_fd, std::string to_b, std::string to_a, int stop_fd = -1);

struct ProxyOptions {
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(15);
  int stop_fd = -1;  // readable: end the relay (e.g. on Ctrl-C)
};

// One local connection end to end: upstream greeting, local handshake,
// upstream login (its error, if any, forwarded to the local client as a
// MySQL ERR packet), then relay until either side closes. Descriptors are
// not closed. Returns the handshake error, or Ok once relaying ended.
Status ProxyConnection(int local_fd, TunnelConnection tunnel,
                       const UpstreamCredentials& credentials, const ProxyOptions& options = {});

}  // namespace opscale::cli
