// Plain HTTP request/response values passed between the transport
// (http_server.cc, the only file that sees Beast/Asio) and the handlers.
#pragma once

#include <functional>
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

  // Protocol switch (HTTP/1.1 only). When status is 101 and this is set, the
  // transport writes "101 Switching Protocols" with "Connection: Upgrade"
  // and the "Upgrade" value from `headers` (required; the body is ignored),
  // then hands the connection over: `upgrade(fd, already_read)` is called
  // exactly once on a thread of its own, where `fd` is the connected socket
  // in blocking mode, now owned by the callee (which must close it), and
  // `already_read` holds bytes the client sent after the request. The
  // callback may run as long as the connection lives; HttpServer::Stop()
  // neither waits for nor ends it. If the switch cannot happen (client gone,
  // server stopping, HTTP/1.0, no Upgrade header) it is still called once,
  // with fd -1, so it can release what it holds.
  std::function<void(int fd, std::string already_read)> upgrade;
};

}  // namespace opscale::api
