// Plain HTTP request/response values passed between the transport
// (http_server.cc, the only file that sees Beast/Asio) and the handlers.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace opscale::api {

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // raw target, e.g. "/v1/organizations?page=2"
  std::string path;     // decoded path without query, e.g. "/v1/organizations"
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string> headers;  // keys lower-cased
  std::string body;
  std::string remote_ip;

  // Header value or "" if absent (name must be lower-case).
  const std::string& Header(const std::string& lower_name) const;
  // Query value or "" if absent; `found` tells presence.
  std::string QueryParam(const std::string& name, bool* found = nullptr) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
};

}  // namespace opscale::api
