// HttpServer: the HTTP/1.1 transport of opscaled (Boost.Beast + Asio are
// confined to http_server.cc).
//
// Calls `handler` for each complete request on a small worker pool; handlers
// may block (store I/O). Enforces the transport limits itself and never
// calls the handler for: bodies over max_body_bytes (413 JSON error), header
// blocks over max_header_bytes (431), malformed HTTP (400, then close),
// clients that stall longer than idle/read timeouts (connection closed).
//
// Thread-safety: Start/Stop from one thread; handler is called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "common/status.h"

namespace opscale::api {

using Handler = std::function<Response(const Request&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 * 1024;
  int read_timeout_seconds = 30;   // whole request must arrive within this
  int idle_timeout_seconds = 60;   // keep-alive idle time
  int io_threads = 1;
  int worker_threads = 4;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();  // stops if running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving in background threads. Fails (Unavailable) if
  // the address cannot be bound.
  Status Start();
  // The bound port (after Start), useful with port 0.
  uint16_t port() const;
  std::string host() const;
  // Graceful stop: stops accepting, lets in-flight requests finish (up to
  // `grace_ms`), then closes all connections and joins threads. Idempotent.
  void Stop(int grace_ms = 5000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opscale::api
