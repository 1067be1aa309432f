#include "cli/api_client.h"

#include <chrono>
#include <ostream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "cli/mask.h"

namespace opscale::cli {
namespace json = boost::json;

ApiResult ApiResult::Success(int status, std::string body, json::value value) {
  ApiResult r;
  r.status_ = status;
  r.body_ = std::move(body);
  r.json_ = std::move(value);
  return r;
}

ApiResult ApiResult::Failure(ApiError error) {
  ApiResult r;
  r.status_ = error.status;
  r.body_ = error.body;
  r.error_ = std::move(error);
  return r;
}

std::string ApiPath(std::initializer_list<std::string_view> segments) {
  std::string path = "v1";
  for (auto s : segments) {
    path += '/';
    path += UrlEscape(s);
  }
  return path;
}

std::string FormEncode(const FormFields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '&';
    out += UrlEscape(key);
    out += '=';
    out += UrlEscape(value);
  }
  return out;
}

int64_t ParseRetryAfter(std::string_view value) {
  // Delay-seconds only: the HTTP-date form is not sent by opscaled or PlanetScale.
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return 0;
  int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

ApiClient::ApiClient(Options options) : options_(std::move(options)), http_(options_.tls) {}

std::string ApiClient::Url(std::string_view path) const {
  std::string url = options_.base_url;
  if (url.empty() || url.back() != '/') url += '/';
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  url.append(path);
  return url;
}

ApiResult ApiClient::Get(std::string_view path) {
  return Send("GET", path, std::nullopt);
}

ApiResult ApiClient::Post(std::string_view path, const json::value& body) {
  return Send("POST", path, json::serialize(body));
}

ApiResult ApiClient::Patch(std::string_view path, const json::value& body) {
  return Send("PATCH", path, json::serialize(body));
}

ApiResult ApiClient::Delete(std::string_view path, std::optional<json::value> body) {
  return Send("DELETE", path, body ? std::optional<std::string>(json::serialize(*body)) : std::nullopt);
}

ApiResult ApiClient::Send(std::string_view method, std::string_view path, std::optional<std::string> body) {
  return Exchange(method, path, std::move(body), "application/json");
}

ApiResult ApiClient::PostForm(std::string_view path, const FormFields& fields) {
  return Exchange("POST", path, FormEncode(fields), "application/x-www-form-urlencoded");
}

ApiResult ApiClient::Exchange(std::string_view method, std::string_view path, std::optional<std::string> body,
                              std::string_view content_type) {
  HttpRequest request;
  request.method = std::string(method);
  request.url = Url(path);
  request.headers = {
      {"Accept", "application/json"},
      {"User-Agent", fmt::format("pscale-cli/{} opscale", options_.version)},
      {"pscale-cli-version", options_.version},
  };
  if (method != "GET" && method != "HEAD") {
    request.headers.emplace_back("Content-Type", std::string(content_type));
    if (!body) body = "";
  }
  if (!options_.authorization.empty()) request.headers.emplace_back("Authorization", options_.authorization);
  request.body = std::move(body);

  TraceRequest(request);
  auto start = std::chrono::steady_clock::now();
  Result<HttpReply> reply = http_.Send(request);
  long elapsed = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
          .count());
  TraceReply(request, reply, elapsed);

  if (!reply.ok()) {
    ApiError e;
    e.kind = ApiError::Kind::kUnreachable;
    e.message = reply.status().message();
    return ApiResult::Failure(std::move(e));
  }
  HttpReply& r = reply.value();
  std::error_code ec;
  json::value parsed;
  bool is_json = false;
  if (!r.body.empty()) {
    parsed = json::parse(r.body, ec);
    is_json = !ec;
  }
  if (r.status >= 200 && r.status < 300) {
    if (!r.body.empty() && !is_json) {
      ApiError e;
      e.kind = ApiError::Kind::kBadBody;
      e.status = r.status;
      e.body = std::move(r.body);
      return ApiResult::Failure(std::move(e));
    }
    return ApiResult::Success(r.status, std::move(r.body), std::move(parsed));
  }
  ApiError e;
  e.kind = ApiError::Kind::kHttp;
  e.status = r.status;
  e.body = std::move(r.body);
  e.retry_after_s = ParseRetryAfter(r.retry_after);
  if (is_json && parsed.is_object()) {
    e.json_body = true;
    const json::object& o = parsed.as_object();
    if (auto* c = o.if_contains("code"); c && c->is_string()) e.code = std::string(c->as_string());
    if (auto* m = o.if_contains("message"); m && m->is_string()) e.message = std::string(m->as_string());
    if (e.code.empty()) {
      if (auto* c = o.if_contains("error"); c && c->is_string()) e.code = std::string(c->as_string());
    }
    if (e.message.empty()) {
      if (auto* d = o.if_contains("error_description"); d && d->is_string())
        e.message = std::string(d->as_string());
    }
  }
  return ApiResult::Failure(std::move(e));
}

void ApiClient::TraceRequest(const HttpRequest& request) const {
  if (!options_.debug) return;
  std::ostream& d = *options_.debug;
  d << "[debug] --> " << request.method << ' ' << MaskUrl(request.url) << '\n';
  bool form = false;
  for (const auto& [name, value] : request.headers) {
    d << "[debug]     " << name << ": " << MaskHeaderValue(name, value) << '\n';
    if (name == "Content-Type" && value.rfind("application/x-www-form-urlencoded", 0) == 0) form = true;
  }
  if (request.body && !request.body->empty())
    d << "[debug]     " << (form ? MaskFormBody(*request.body) : MaskSecrets(*request.body)) << '\n';
  d.flush();
}

void ApiClient::TraceReply(const HttpRequest& request, const Result<HttpReply>& reply,
                           long elapsed_ms) const {
  if (!options_.debug) return;
  std::ostream& d = *options_.debug;
  if (!reply.ok()) {
    d << "[debug] <-- " << request.method << ' ' << MaskUrl(request.url) << " failed after " << elapsed_ms
      << " ms: " << reply.status().message() << '\n';
  } else {
    d << "[debug] <-- " << reply->status << ' ' << request.method << ' ' << MaskUrl(request.url) << " ("
      << elapsed_ms << " ms)\n";
    if (!reply->body.empty()) d << "[debug]     " << MaskSecrets(reply->body) << '\n';
  }
  d.flush();
}

}  // namespace opscale::cli
