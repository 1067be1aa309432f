// Request checks of opscaled's HTTP transport that Beast's parser does not
// make itself, and the transport's plain helpers for refusals.
//
// http_server.cc runs CheckRequestHead() once per request, as soon as the
// header block has been parsed and before any of the body is read (or a
// "100 Continue" sent). It closes the door on request smuggling (ambiguous
// framing: Content-Length with Transfer-Encoding, differing Content-Lengths,
// a Transfer-Encoding that does not end in chunked), on requests without a
// single valid Host (RFC 9112 section 3.2), and on obsolete header syntax
// that other parsers read differently (line folding). A refused request is
// answered with the refusal's status and the API's JSON error body, then the
// connection is closed: after a framing error nothing that follows on the
// connection can be trusted to start a request.
//
// No Beast here (plain strings), so the rules are unit-tested on their own
// (request_checks_test.cc) and read without the transport around them.
// Thread-safety: the functions are pure; a LogThrottle is not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opscale::api {

// Why the transport refuses a request (or a connection) by itself.
struct Refusal {
  int status = 400;  // 400, 413, 431, 501, 503; 0: closed without a response (timeout)
  std::string code;     // the JSON error's "code", e.g. "bad_request"
  // The JSON error's "message". Quotes nothing the client sent (it is also
  // logged): a header value may carry a credential.
  std::string message;
};

struct HeaderField {
  std::string_view name;   // as received (any case)
  std::string_view value;  // as parsed: surrounding whitespace removed
};

struct RequestHead {
  unsigned version = 11;      // 10 for HTTP/1.0, 11 for HTTP/1.1 (Beast refuses others)
  std::string_view raw;       // request line to blank line, exactly as received
  std::vector<HeaderField> fields;  // in the order received
};

// nullopt if the request may proceed. Refuses, in this order:
//  - obsolete line folding (a header line starting with a space or tab): 400;
//  - several Host headers, an invalid Host value, or no Host in HTTP/1.1
//    (HTTP/1.0 may omit it): 400;
//  - Content-Length values that are not decimal numbers or that differ: 400;
//  - Transfer-Encoding in HTTP/1.0, or with Content-Length: 400;
//  - Transfer-Encoding whose last coding is not "chunked", or with
//    "chunked" twice or with parameters: 400; any coding besides chunked
//    (gzip, ...): 501 not_implemented.
// All 400s have code "bad_request".
std::optional<Refusal> CheckRequestHead(const RequestHead& head);

// True for a Host header value: reg-name, IPv4 or [IPv6] with an optional
// decimal port; empty is valid (RFC 9112 section 3.2).
bool IsValidHost(std::string_view host);

// The bytes sent to a connection refused for being over the connection cap:
// a complete "503 Service Unavailable" with Retry-After, "Connection: close"
// and the JSON error {"code":"unavailable",...}.
const std::string& OverCapacityResponse();

// At most one log line per interval for an event that may come in floods
// (connections refused at the cap), with the count of the ones left out.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}
  // True if a line may be written at `now`; then *suppressed is how many
  // calls returned false since the previous line.
  bool Allow(std::chrono::steady_clock::time_point now, uint64_t* suppressed);

 private:
  std::chrono::steady_clock::duration interval_;
  std::optional<std::chrono::steady_clock::time_point> last_;
  uint64_t suppressed_ = 0;
};

}  // namespace opscale::api
