// What a route handler receives, and helpers to read JSON bodies and query
// parameters with clear errors. Internal to src/api.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "api/http_types.h"
#include "api/json_body.h"
#include "api/json_views.h"
#include "api/route_doc.h"
#include "api/router.h"
#include "service/platform.h"

namespace opscale::api {

struct Call {
  const Request& req;
  Params params;
  RequestContext ctx;
  UrlBase base;
  Platform& platform;

  const std::string& Param(const std::string& name) const { return params.at(name); }
};

using RouteHandler = std::function<Result<Response>(Call&)>;

// JSON response with the given status.
Response Json(int status, const boost::json::value& body);
// JSON response from text already serialized (e.g. by JsonWriter).
Response JsonText(int status, std::string body);
Response NoContent();

// The body as a JSON object ({} when empty). 400 on malformed JSON or a
// non-object. (The typed field readers are in json_body.h; the decoders of
// each route's body in request_bodies.h.)
inline Result<boost::json::object> BodyObject(const Request& req) {
  return ParseBodyObject(req.body);
}

// Page-based pagination (page, per_page: default 25, max 100).
struct PageParams {
  int64_t page = 1;
  int64_t per_page = 25;
};
Result<PageParams> ParsePage(const Request& req);
// Envelope {"type":"list","current_page",...,"data"}; `page_items` is the
// current page, `total` the count over all pages.
boost::json::object PageEnvelope(const Call& call, const PageParams& p,
                                 boost::json::array page_items, int64_t total);

// Paginates `items` with `to_json` mapping one item to a JSON value.
template <typename T, typename F>
boost::json::object Paginate(const Call& call, const PageParams& p, const std::vector<T>& items,
                             F to_json) {
  boost::json::array page;
  int64_t start = (p.page - 1) * p.per_page;
  for (int64_t i = start; i < static_cast<int64_t>(items.size()) && i < start + p.per_page; ++i)
    page.push_back(to_json(items[static_cast<size_t>(i)]));
  return PageEnvelope(call, p, std::move(page), static_cast<int64_t>(items.size()));
}

class TunnelHost;

// The connect tunnel route (GET .../branches/{branch}/connect).
RouteHandler ConnectRoute(TunnelHost* host);

// Registers routes, each with its RouteDoc (api/route_doc.h).
using ApiRoutes = DocumentedRouter<RouteHandler>;
void AddTokenRoutes(ApiRoutes& r);
void AddResourceRoutes(ApiRoutes& r);
void AddPasswordRoutes(ApiRoutes& r);       // passwords, safe migrations, promote/demote
void AddDeployRequestRoutes(ApiRoutes& r);  // deploy requests, reviews, diff
void AddCatalogRoutes(ApiRoutes& r);        // the access catalog, with what the caller may grant
void AddMemberRoutes(ApiRoutes& r);         // organization members (list; add: opscale)
// Every /v1 route of ApiApp, in match order, including GET /v1/openapi.json
// (which answers `openapi_json`).
void AddApiRoutes(ApiRoutes& r, TunnelHost* host, const std::string* openapi_json);

}  // namespace opscale::api
