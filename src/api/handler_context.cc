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
