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

std::vector<HttpReply> CurlSequence(const std::vector<HttpRequest>& requests,
                                    const std::vector<std::string>& headers) {
  // Each body is followed by a line holding a marker and its status.
  const std::string marker = "\n\x01opscale-status ";
  std::vector<std::string> argv = {"/usr/bin/curl"};
  for (size_t i = 0; i < requests.size(); ++i) {
    const HttpRequest& r = requests[i];
    if (i > 0) argv.push_back("--next");  // options below are per request
    argv.insert(argv.end(), {"-sS", "--max-time", "60", "-X", r.method, "-w", marker + "%{http_code}\n"});
    for (const auto& h : headers) argv.insert(argv.end(), {"-H", h});
    if (!r.body.empty())
      argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", r.body});
    argv.push_back(r.url);
  }
  RunResult run = RunProcess(argv, {}, "", 300);
  std::vector<HttpReply> out;
  size_t start = 0;
  while (out.size() < requests.size()) {
    size_t m = run.out.find(marker, start);
    if (m == std::string::npos) break;
    HttpReply reply;
    reply.body = run.out.substr(start, m - start);
    size_t code = m + marker.size();
    reply.status = std::atoi(run.out.c_str() + code);
    size_t nl = run.out.find('\n', code);
    start = nl == std::string::npos ? run.out.size() : nl + 1;
    out.push_back(std::move(reply));
  }
  out.resize(requests.size());
  return out;
}

std::vector<HttpReply> CurlGetAll(const std::vector<std::string>& urls,
                                  const std::vector<std::string>& headers) {
  std::vector<HttpRequest> requests;
  for (const auto& u : urls) requests.push_back({"GET", u, ""});
  return CurlSequence(requests, headers);
}

boost::json::value HttpExchange::Json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return v;
}

std::string HttpExchange::Header(const std::string& lower_name) const {
  size_t start = 0;
  while (start < headers.size()) {
    size_t end = headers.find('\n', start);
    if (end == std::string::npos) end = headers.size();
    std::string line = headers.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name != lower_name) continue;
    size_t v = line.find_first_not_of(' ', colon + 1);
    return v == std::string::npos ? "" : line.substr(v);
  }
  return "";
}

HttpExchange Http(const std::string& method, const std::string& url,
                  const std::vector<std::string>& headers, const std::string& body) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS", "-D", "-", "-X", method, url,
                                   "--max-time", "30"};
  for (const auto& h : headers) argv.insert(argv.end(), {"-H", h});
  if (!body.empty()) argv.insert(argv.end(), {"--data-binary", "@-"});
  RunResult r = RunProcess(argv, {}, body);
  HttpExchange out;
  size_t split = r.out.find("\r\n\r\n");
  out.headers = r.out.substr(0, split);
  out.body = split == std::string::npos ? "" : r.out.substr(split + 4);
  if (r.out.size() > 12 && r.out.rfind("HTTP/", 0) == 0) out.status = std::atoi(r.out.c_str() + 9);
  return out;
}

HttpReply CallApi(const std::string& base_url, const std::string& method, const std::string& path,
                  const std::string& auth_header, const std::string& body) {
  std::vector<std::string> headers;
  if (!auth_header.empty()) headers.push_back(auth_header);
  return Curl(method, base_url + path, headers, body);
}

std::vector<boost::json::object> ListAll(const std::string& base_url, const std::string& path,
                                         const std::string& auth_header, int* status) {
  std::vector<boost::json::object> out;
  const char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (int page = 1; page < 1000; ++page) {
    HttpReply r = CallApi(base_url, "GET",
                          path + sep + "per_page=100&page=" + std::to_string(page), auth_header);
    *status = r.status;
    if (r.status != 200) return out;
    boost::json::value v = r.Json();
    if (!v.is_object() || !v.as_object().contains("data")) {
      *status = -1;  // not a list envelope
      return out;
    }
    for (const auto& item : v.as_object()["data"].as_array()) out.push_back(item.as_object());
    const auto& next = v.as_object()["next_page"];
    if (next.is_null()) return out;
  }
  return out;
}

std::string TokenHeader(const std::string& id, const std::string& token) {
  return "Authorization: " + id + ":" + token;
}

std::string BearerHeader(const std::string& token) { return "Authorization: Bearer " + token; }

}  // namespace opscale::testutil

#include <regex>

namespace opscale::testutil {
std::string Masked(const std::string& s) {
  static const std::regex kSecret("pscale_(tkn|oauth_refresh|oauth|pw|app_secret)_[A-Za-z0-9]+");
  return std::regex_replace(s, kSecret, "***");
}
}  // namespace opscale::testutil
