// A blocking HTTP client over libcurl, one easy handle per client (RAII). Verifies TLS (the
// certificate chain and the host name; TLS 1.2 or later) against the system CA store or a given
// CA file, honours the proxy environment, never follows redirects. libcurl is confined to
// http_client.cc, which also opens the TLS connection of `connect` tunnels (OpenTlsPipe), so
// that the API and the tunnel verify the server the same way.
// Not thread-safe: use one HttpClient per thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace opscale::cli {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // sent as is when set
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, "" if absent (429, 503)
};

// How the server's certificate is checked on https:// URLs. Verification itself is always on.
struct TlsOptions {
  // PEM file of the CA certificates to trust instead of the system store (--ca-file,
  // OPSCALE_CA_FILE); "" = the system store.
  std::string ca_file;
};

class HttpClient {
 public:
  explicit HttpClient(TlsOptions tls = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a success here; Unavailable(curl's error text) when no answer arrived.
  // A certificate that cannot be verified adds what to do about it: "SSL certificate problem:
  // unable to get local issuer certificate (opscale verifies the server's TLS certificate and
  // host name; to trust a private CA, pass --ca-file PATH or set OPSCALE_CA_FILE)".
  Result<HttpReply> Send(const HttpRequest& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  TlsOptions tls_;
};

// A verified TLS connection to host:port (same checks and errors as HttpClient), seen through
// a local socket: returns one end of a socketpair (blocking, close-on-exec, owned by the
// caller) whose other end a thread of its own relays to and from the TLS connection. Bytes
// written to it are sent encrypted; bytes the server sends are read from it in the clear.
// Closing (or shutting down) the returned end ends the TLS connection; the server closing it
// shows as EOF on the returned end. Unavailable(curl's text) when no verified connection
// could be made within `timeout`.
Result<int> OpenTlsPipe(const std::string& host, const std::string& port, const TlsOptions& tls,
                        std::chrono::milliseconds timeout);

// Percent-encodes one path segment or query value (RFC 3986 unreserved characters kept).
std::string UrlEscape(std::string_view s);

}  // namespace opscale::cli
