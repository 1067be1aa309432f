// HttpServer: the HTTP/1.1 transport of opscaled (Boost.Beast + Asio are
// confined to http_server.cc).
//
// Calls `handler` for each complete request on a small worker pool; handlers
// may block (store I/O). Enforces the transport limits itself and never
// calls the handler for: bodies over max_body_bytes (413 JSON error, checked
// on Content-Length before reading and on chunked bodies as they arrive),
// header blocks over max_header_bytes (431), malformed HTTP (400, then
// close), requests that request_checks.h refuses (ambiguous framing, Host,
// obs-fold: 400/501, then close), request targets with invalid
// %-escapes (400), clients that stall longer than the header/read/idle
// timeouts (connection closed), connections over max_connections (503, then
// close). Refusals are reported to options.on_refusal. A handler that throws
// yields 500 {"code":"internal",...}. Responses always carry Content-Length
// (except 204/304) and "Server: opscaled"; Content-Length, Transfer-Encoding
// and Server in Response::headers are ignored (Content-Type too when
// Response::content_type is set), headers with CR/LF are dropped, and
// "Connection: close" there closes after the response.
// Supports keep-alive, pipelining, HEAD and "Expect: 100-continue", and
// protocol upgrades: a 101 with Response::upgrade set hands the socket to
// that callback (see http_types.h). Never logs request content.
//
// With HttpServerOptions::tls every connection is TLS (see tls_context.h for
// the policy): a failed handshake closes the connection (the client got
// OpenSSL's alert), and a client whose first bytes are not a TLS handshake
// (plain HTTP to the HTTPS port) gets a plain-text 400 "this port serves
// HTTPS only: use an https:// URL" and nothing else. An upgrade over TLS
// hands the callback one end of a socketpair, bridged by the server to the
// TLS connection: the callback sees the same byte stream as over plain TCP,
// and shutting its end down ends the client's connection too. Such
// bridged connections are closed by Stop().
//
// Thread-safety: Start/Stop from one thread; handler is called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "api/request_checks.h"
#include "api/tls_context.h"
#include "common/status.h"

namespace opscale::api {

using Handler = std::function<Response(const Request&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 * 1024;
  // The whole request (header and body) must arrive within this, counted
  // from the connection's accept or from the first byte of a later request;
  // also bounds writing a response. <= 0: no limit.
  int read_timeout_seconds = 30;
  // The header block alone must arrive within this (same start; the
  // shorter of the two applies to it), so a client trickling header bytes
  // is dropped early. <= 0: only read_timeout_seconds.
  int header_timeout_seconds = 10;
  int idle_timeout_seconds = 60;   // keep-alive idle time; <= 0: no limit
  // Open connections (reading, handled, lingering; not upgraded ones): a
  // connection accepted over this gets OverCapacityResponse() and is closed
  // at once, so those already open keep being served. 0: no limit.
  size_t max_connections = 1024;
  // Called on an I/O thread for each request or connection the transport
  // refuses by itself, with the client's address: every 400/413/431/501
  // it answers, a request left unfinished at the header or read timeout
  // (status 0: closed without a response), and connections over
  // max_connections (503; at most one call per 10 s, with the count of the
  // others). The Refusal quotes nothing the client sent. Must not block.
  std::function<void(const Refusal&, const std::string& remote_ip)> on_refusal;
  int io_threads = 1;
  int worker_threads = 4;
  // Requests for which this returns true are answered from memory (at most
  // a few reads of a local store file, in microseconds, on a cache miss):
  // they are handled on the I/O thread itself, like a static file. Handing
  // them to the pool and back costs two thread wake-ups each; with that
  // gone, GET a branch measured ~1.15x the requests/s and a ~25% lower p99
  // at half load (bench/README.md, rows 2 and 3). Anything that may wait on
  // the network must not be accepted here: it would stall every connection.
  std::function<bool(const Request&)> answered_from_memory;
  // Serve TLS with this certificate (TlsContext::Load); null: plain HTTP.
  std::shared_ptr<const TlsContext> tls;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();  // stops if running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving in background threads. `host` may be an IPv4
  // or IPv6 address (brackets optional) or a name, which is resolved to its
  // first address. Fails with Unavailable("cannot listen on HOST:PORT:
  // reason") if it cannot bind, or if called twice.
  Status Start();
  // The bound port (after Start), useful with port 0.
  uint16_t port() const;
  std::string host() const;
  // Graceful stop: stops accepting and closes idle connections at once, lets
  // in-flight requests finish and their responses be written (with
  // Connection: close) for up to `grace_ms`, then closes all connections
  // and joins threads. A handler call still running after `grace_ms` is
  // waited for (threads cannot be interrupted) but its response is dropped.
  // Idempotent; must not be called from a handler.
  void Stop(int grace_ms = 5000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opscale::api
