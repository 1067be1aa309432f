#include "api/handler_context.h"

#include <charconv>

namespace opscale::api {

namespace json = boost::json;

Response Json(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.body = json::serialize(body);
  r.body.push_back('\n');
  return r;
}

Response JsonText(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.body.push_back('\n');
  return r;
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Result<json::object> BodyObject(const Request& req) {
  bool blank = true;
  for (char c : req.body)
    if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
  if (blank) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) return Status::InvalidArgument("request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return std::move(v.as_object());
}

Result<std::optional<std::string>> OptString(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string())
    return Status::Unprocessable(std::string("field '") + key + "' must be a string");
  return std::optional<std::string>(std::string(it->value().as_string()));
}

Result<std::optional<int64_t>> OptInt(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>();
  const json::value& v = it->value();
  if (v.is_int64()) return std::optional<int64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return std::optional<int64_t>(static_cast<int64_t>(v.as_uint64()));
  if (v.is_string()) {  // pscale sends numbers; accept "3600" too
    const auto& s = v.as_string();
    int64_t n = 0;
    auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (err == std::errc() && ptr == s.data() + s.size()) return std::optional<int64_t>(n);
  }
  return Status::Unprocessable(std::string("field '") + key + "' must be an integer");
}

Result<std::optional<bool>> OptBool(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool())
    return Status::Unprocessable(std::string("field '") + key + "' must be true or false");
  return std::optional<bool>(it->value().as_bool());
}

Result<std::vector<std::string>> StringList(const json::object& o, const char* key) {
  auto it = o.find(key);
  std::vector<std::string> out;
  if (it == o.end() || it->value().is_null()) return out;
  if (it->value().is_string()) {  // a single name
    out.emplace_back(it->value().as_string());
    return out;
  }
  if (!it->value().is_array())
    return Status::Unprocessable(std::string("field '") + key + "' must be an array of strings");
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string())
      return Status::Unprocessable(std::string("field '") + key + "' must be an array of strings");
    out.emplace_back(v.as_string());
  }
  return out;
}

namespace {

Result<int64_t> PositiveParam(const Request& req, const char* name, int64_t def) {
  bool found = false;
  std::string s = req.QueryParam(name, &found);
  if (!found || s.empty()) return def;
  int64_t n = 0;
  auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (err != std::errc() || ptr != s.data() + s.size() || n < 1)
    return Status::InvalidArgument(std::string("query parameter '") + name +
                                   "' must be a positive integer");
  return n;
}

}  // namespace

Result<PageParams> ParsePage(const Request& req) {
  PageParams p;
  OPSCALE_ASSIGN_OR_RETURN(p.page, PositiveParam(req, "page", 1));
  OPSCALE_ASSIGN_OR_RETURN(p.per_page, PositiveParam(req, "per_page", 25));
  if (p.per_page > 100) p.per_page = 100;
  if (p.page > 1000000) return Status::InvalidArgument("query parameter 'page' is too large");
  return p;
}

json::object PageEnvelope(const Call& call, const PageParams& p, json::array page_items,
                          int64_t total) {
  int64_t pages = total == 0 ? 1 : (total + p.per_page - 1) / p.per_page;
  auto url = [&](int64_t page) {
    return call.base.origin + call.req.path + "?page=" + std::to_string(page) +
           "&per_page=" + std::to_string(p.per_page);
  };
  bool has_next = p.page < pages;
  bool has_prev = p.page > 1;
  return {
      {"type", "list"},
      {"current_page", p.page},
      {"per_page", p.per_page},
      {"next_page", has_next ? json::value(p.page + 1) : json::value(nullptr)},
      {"next_page_url", has_next ? json::value(url(p.page + 1)) : json::value(nullptr)},
      {"prev_page", has_prev ? json::value(p.page - 1) : json::value(nullptr)},
      {"prev_page_url", has_prev ? json::value(url(p.page - 1)) : json::value(nullptr)},
      {"total_count", total},
      {"total_pages", pages},
      {"data", std::move(page_items)},
  };
}

}  // namespace opscale::api
