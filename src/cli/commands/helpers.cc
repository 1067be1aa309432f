#include "cli/commands/helpers.h"

#include <fmt/format.h>

#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

Listing FetchPage(Context& ctx, const std::string& path, int page, int per_page) {
  Listing listing;
  std::string sep = path.find('?') == std::string::npos ? "?" : "&";
  ApiResult r = ctx.api().Get(fmt::format("{}{}page={}&per_page={}", path, sep, page, per_page));
  if (!r.ok()) {
    listing.error = r.error();
    return listing;
  }
  listing.items = ListItems(r.json());
  return listing;
}

Listing FetchAllPages(Context& ctx, const std::string& path) {
  constexpr int kPerPage = 100;
  constexpr int kMaxPages = 1000;
  Listing all;
  for (int page = 1; page <= kMaxPages; ++page) {
    std::string sep = path.find('?') == std::string::npos ? "?" : "&";
    ApiResult r = ctx.api().Get(fmt::format("{}{}page={}&per_page={}", path, sep, page, kPerPage));
    if (!r.ok()) {
      all.error = r.error();
      return all;
    }
    for (auto& item : ListItems(r.json())) all.items.push_back(std::move(item));
    const json::object& body = AsObject(r.json());
    const json::value* next = body.if_contains("next_page");
    if (!next || next->is_null() || IntAt(body, "next_page") <= page) break;
  }
  return all;
}

Outcome PrintMapResult(Context& ctx, const std::string& human_line, const json::object& sorted) {
  Printer& p = ctx.printer();
  switch (p.format()) {
    case Format::kHuman: p.Line(human_line); return Success();
    case Format::kJson: p.Json(sorted); return Success();
    case Format::kCsv: return Classified("cannot use map[string]string, only slice or array supported");
  }
  return Success();
}

}  // namespace opscale::cli
