// Client of the PlanetScale-compatible v1 API: builds URLs under the base URL, sets pscale's
// headers (Accept, Content-Type, User-Agent, pscale-cli-version, Authorization), parses JSON
// replies and classifies failures. With a debug stream it traces every exchange, secrets
// masked. Not thread-safe (owns one HttpClient).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "cli/http_client.h"

namespace opscale::cli {

// Why a call did not succeed.
struct ApiError {
  enum class Kind {
    kUnreachable,  // no HTTP answer (connection refused, DNS, TLS, timeout)
    kHttp,         // an HTTP status outside 2xx
    kBadBody,      // a 2xx answer whose body is not JSON
  };
  Kind kind = Kind::kHttp;
  int status = 0;
  std::string code;     // API error code ("not_found"), or "error" of an OAuth-style body
  std::string message;  // API message (or OAuth "error_description"), or curl's text for kUnreachable
  std::string body;     // raw response body
  bool json_body = false;
  int64_t retry_after_s = 0;  // a 429's Retry-After in seconds (0: absent or not a number)
};

// Outcome of one call: a reply (status, raw body, parsed JSON; null when the body is empty)
// or an ApiError.
class ApiResult {
 public:
  static ApiResult Success(int status, std::string body, boost::json::value json);
  static ApiResult Failure(ApiError error);

  bool ok() const { return !error_; }
  int status() const { return status_; }
  const std::string& body() const { return body_; }
  const boost::json::value& json() const { return json_; }
  const ApiError& error() const { return *error_; }

 private:
  int status_ = 0;
  std::string body_;
  boost::json::value json_;
  std::optional<ApiError> error_;
};

// The seconds of a Retry-After value ("12" -> 12); 0 when absent or not a
// whole number of seconds.
int64_t ParseRetryAfter(std::string_view value);

// "v1/<seg>/<seg>..." with every segment percent-encoded.
std::string ApiPath(std::initializer_list<std::string_view> segments);

// application/x-www-form-urlencoded text of `fields`, in order ("a=1&b=x%20y").
using FormFields = std::vector<std::pair<std::string, std::string>>;
std::string FormEncode(const FormFields& fields);

class ApiClient {
 public:
  struct Options {
    std::string base_url;       // e.g. "http://127.0.0.1:8080/"
    std::string authorization;  // Authorization header value; empty sends none
    std::string version;        // CLI version for User-Agent and pscale-cli-version
    std::ostream* debug = nullptr;
    TlsOptions tls;             // how https:// servers are verified
  };

  explicit ApiClient(Options options);

  // `path` is relative to the base URL ("v1/organizations"), optionally with a query string.
  ApiResult Get(std::string_view path);
  ApiResult Post(std::string_view path, const boost::json::value& body);
  ApiResult Patch(std::string_view path, const boost::json::value& body);
  ApiResult Delete(std::string_view path, std::optional<boost::json::value> body = std::nullopt);
  // Raw form used by `pscale api`: `body` is sent verbatim.
  ApiResult Send(std::string_view method, std::string_view path, std::optional<std::string> body);
  // POST of a form-encoded body (the OAuth endpoints). The --debug trace masks the secret
  // fields of the form (MaskFormBody).
  ApiResult PostForm(std::string_view path, const FormFields& fields);

  const std::string& base_url() const { return options_.base_url; }

 private:
  std::string Url(std::string_view path) const;
  ApiResult Exchange(std::string_view method, std::string_view path, std::optional<std::string> body,
                     std::string_view content_type);
  void TraceRequest(const HttpRequest& request) const;
  void TraceReply(const HttpRequest& request, const Result<HttpReply>& reply, long elapsed_ms) const;

  Options options_;
  HttpClient http_;
};

}  // namespace opscale::cli
