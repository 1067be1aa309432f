// RouteDoc: what the API reference says about one route, written beside the
// route itself. DocumentedRouter::Add takes it with the handler, so no route
// can be served without appearing in GET /v1/openapi.json (docs/api.md), and
// the document cannot list a route the server does not serve.
// Immutable after setup; thread-safe to read.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/router.h"
#include "auth/access.h"

namespace opscale::api {

struct QueryDoc {
  std::string_view name;
  std::string_view type;  // "string", "integer" or "boolean"
  std::string_view description;
};

struct RouteDoc {
  std::string_view id{};       // operationId; PlanetScale's where the endpoint is theirs
  std::string_view summary{};  // one line
  std::string_view tag{};      // the reference's section: "Branches", "Service tokens", ...
  // Service-token accesses that allow the call: any one is enough. Empty when
  // no access is involved (see access_note).
  AccessSet accesses{};
  // How the access depends on the target (production branch, role, ...), or
  // who may call when no service-token access applies.
  std::string_view access_note{};
  std::vector<QueryDoc> query{};  // page/per_page are added for Page<...> responses
  std::string_view body{};        // component schema of the JSON request body; "" = none
  int status = 200;               // the success status
  // The success body: a component schema name, or Page<X> (page envelope),
  // List<X> ({type, data}), Cursor<X> (cursor envelope), Data<X> ({data}),
  // "" for no body.
  std::string_view response{};
  bool public_route = false;  // served without credentials
};

struct DocumentedRoute {
  std::string method;
  std::string pattern;
  RouteDoc doc;
};

template <typename HandlerT>
class DocumentedRouter {
 public:
  void Add(std::string method, std::string pattern, RouteDoc doc, HandlerT handler) {
    router_.Add(method, pattern, std::move(handler));
    docs_.push_back({std::move(method), std::move(pattern), std::move(doc)});
  }
  const Router<HandlerT>& router() const { return router_; }
  std::span<const DocumentedRoute> docs() const { return docs_; }

 private:
  Router<HandlerT> router_;
  std::vector<DocumentedRoute> docs_;
};

// The OpenAPI 3.0 document (JSON text) for `routes`, with the access catalog's
// meanings and the component schemas of src/api/openapi_schemas.cc.
std::string BuildOpenApiJson(std::span<const DocumentedRoute> routes);

// The path of the document itself.
inline constexpr std::string_view kOpenApiPath = "/v1/openapi.json";

}  // namespace opscale::api
