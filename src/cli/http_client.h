// A blocking HTTP client over libcurl, one easy handle per client (RAII). Verifies TLS against
// the system CA store, honours the proxy environment, never follows redirects.
// Not thread-safe: use one HttpClient per thread.
#pragma once

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

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a success here; Unavailable(curl's error text) when no answer arrived.
  Result<HttpReply> Send(const HttpRequest& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

// Percent-encodes one path segment or query value (RFC 3986 unreserved characters kept).
std::string UrlEscape(std::string_view s);

}  // namespace opscale::cli
