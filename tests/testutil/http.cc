#include "testutil/http.h"

#include "testutil/process.h"

namespace opscale::testutil {

boost::json::value HttpReply::Json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return v;
}

HttpReply Curl(const std::string& method, const std::string& url,
               const std::vector<std::string>& headers, const std::string& body) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-X", method, url, "-o", "-", "-w",
                                   "\n%{http_code}", "--max-time", "30"};
  for (const auto& h : headers) {
    argv.push_back("-H");
    argv.push_back(h);
  }
  if (!body.empty()) {
    argv.push_back("-H");
    argv.push_back("Content-Type: application/json");
    argv.push_back("--data-binary");
    argv.push_back("@-");
  }
  RunResult r = RunProcess(argv, {}, body);
  HttpReply reply;
  auto nl = r.out.rfind('\n');
  if (nl == std::string::npos) return reply;
  reply.status = std::atoi(r.out.c_str() + nl + 1);
  reply.body = r.out.substr(0, nl);
  return reply;
}

HttpReply CallApi(const std::string& base_url, const std::string& method, const std::string& path,
                  const std::string& auth_header, const std::string& body) {
  std::vector<std::string> headers;
  if (!auth_header.empty()) headers.push_back(auth_header);
  return Curl(method, base_url + path, headers, body);
}

std::string TokenHeader(const std::string& id, const std::string& token) {
  return "Authorization: " + id + ":" + token;
}

std::string BearerHeader(const std::string& token) { return "Authorization: Bearer " + token; }

}  // namespace opscale::testutil

#include <regex>

namespace opscale::testutil {
std::string Masked(const std::string& s) {
  static const std::regex kSecret("pscale_(tkn|oauth_refresh|oauth|pw)_[A-Za-z0-9]+");
  return std::regex_replace(s, kSecret, "***");
}
}  // namespace opscale::testutil
