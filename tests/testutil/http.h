// HTTP from tests through the real `curl` binary (loopback only).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace opscale::testutil {

struct HttpReply {
  int status = 0;
  std::string body;
  boost::json::value Json() const;  // null if the body is not JSON
};

// curl -X METHOD URL [-H header]... [--data-binary body]
HttpReply Curl(const std::string& method, const std::string& url,
               const std::vector<std::string>& headers = {}, const std::string& body = "");

// A reply with its headers (for cookies, Location, Retry-After, ...).
struct HttpExchange {
  int status = 0;
  std::string headers;  // raw header block
  std::string body;
  boost::json::value Json() const;  // null if the body is not JSON
  // The first header named `lower_name` (case-insensitive), "" if absent.
  std::string Header(const std::string& lower_name) const;
};

// curl -X METHOD URL [-H header]... with `body` sent as is (give its
// Content-Type in `headers`). Never follows redirects.
HttpExchange Http(const std::string& method, const std::string& url,
                  const std::vector<std::string>& headers = {}, const std::string& body = "");

// METHOD base_url+path with an optional Authorization header line ("" for none).
HttpReply CallApi(const std::string& base_url, const std::string& method, const std::string& path,
                  const std::string& auth_header, const std::string& body = "");

// Requests sent one after the other by one curl process over one kept-alive
// connection, each with `headers` (and a JSON body if it has one): for tests
// that make hundreds of requests, or need them back to back (a process per
// request costs more than the request). Replies in order; status 0 for a
// request that got no answer.
struct HttpRequest {
  std::string method, url, body;
};
std::vector<HttpReply> CurlSequence(const std::vector<HttpRequest>& requests,
                                    const std::vector<std::string>& headers = {});
// CurlSequence of GETs.
std::vector<HttpReply> CurlGetAll(const std::vector<std::string>& urls,
                                  const std::vector<std::string>& headers = {});

// Every item of a paged list endpoint (page/per_page envelope): fetches
// page after page (per_page=100). `status` is the first non-200 status seen,
// or 200; the items gathered so far are returned either way.
std::vector<boost::json::object> ListAll(const std::string& base_url, const std::string& path,
                                         const std::string& auth_header, int* status);

// "Authorization: <id>:<token>"
std::string TokenHeader(const std::string& id, const std::string& token);
std::string BearerHeader(const std::string& token);

}  // namespace opscale::testutil

namespace opscale::testutil {
// `s` with every pscale_tkn_/pscale_oauth_/pscale_pw_/pscale_app_secret_ secret replaced by "***",
// for assertion messages (secrets never reach test output).
std::string Masked(const std::string& s);
}  // namespace opscale::testutil
