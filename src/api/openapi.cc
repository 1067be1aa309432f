// Builds the OpenAPI 3.0 document from the documented route table and the
// access catalog (docs/api.md). Nothing here lists routes: a route appears
// because ApiRoutes::Add registered it.
#include <boost/json.hpp>
#include <set>

#include "api/openapi_schemas.h"
#include "api/route_doc.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

json::object Ref(std::string_view schema) {
  return {{"$ref", "#/components/schemas/" + std::string(schema)}};
}

// "Page<Branch>" -> ("Page", "Branch"); "Branch" -> ("", "Branch").
std::pair<std::string_view, std::string_view> SplitWrapper(std::string_view response) {
  size_t lt = response.find('<');
  if (lt == std::string_view::npos || response.back() != '>') return {"", response};
  return {response.substr(0, lt), response.substr(lt + 1, response.size() - lt - 2)};
}

json::object ListOf(std::string_view item) {
  return {{"type", "array"}, {"items", Ref(item)}};
}

json::object NullableInt() { return {{"type", "integer"}, {"nullable", true}}; }
json::object NullableString() { return {{"type", "string"}, {"nullable", true}}; }

// The schema of a success body (RouteDoc::response).
json::object ResponseSchema(std::string_view response) {
  auto [wrapper, item] = SplitWrapper(response);
  json::object list_type{{"type", "string"}, {"enum", json::array{"list"}}};
  if (wrapper == "Page") {
    return {{"type", "object"},
            {"required", json::array{"type", "current_page", "per_page", "next_page", "prev_page",
                                     "total_count", "total_pages", "data"}},
            {"properties",
             {{"type", list_type},
              {"current_page", {{"type", "integer"}}},
              {"per_page", {{"type", "integer"}}},
              {"next_page", NullableInt()},
              {"next_page_url", NullableString()},
              {"prev_page", NullableInt()},
              {"prev_page_url", NullableString()},
              {"total_count", {{"type", "integer"}}},
              {"total_pages", {{"type", "integer"}}},
              {"data", ListOf(item)}}}};
  }
  if (wrapper == "List") {
    return {{"type", "object"},
            {"required", json::array{"type", "data"}},
            {"properties", {{"type", list_type}, {"data", ListOf(item)}}}};
  }
  if (wrapper == "Cursor") {
    return {{"type", "object"},
            {"required", json::array{"type", "has_next", "has_prev", "cursor_start", "cursor_end", "data"}},
            {"properties",
             {{"type", list_type},
              {"has_next", {{"type", "boolean"}}},
              {"has_prev", {{"type", "boolean"}}},
              {"cursor_start", NullableString()},
              {"cursor_end", NullableString()},
              {"data", ListOf(item)}}}};
  }
  if (wrapper == "Data") {
    return {{"type", "object"}, {"required", json::array{"data"}}, {"properties", {{"data", ListOf(item)}}}};
  }
  return Ref(item);
}

const char* StatusText(int status) {
  switch (status) {
    case 101: return "Switching Protocols: the connection is now a byte stream to the branch's MariaDB";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    default: return "Success";
  }
}

json::object PathParam(const std::string& name) {
  json::object schema{{"type", "string"}};
  std::string what = "The " + name;
  if (name == "org") what = "Organization name";
  else if (name == "db") what = "Database name";
  else if (name == "branch") what = "Branch name";
  else if (name == "id") what = "ID";
  else if (name == "token") what = "OAuth token ID";
  else if (name == "number") {
    what = "Deploy request number";
    schema = {{"type", "integer"}};
  }
  return {{"name", name}, {"in", "path"}, {"required", true}, {"description", what},
          {"schema", std::move(schema)}};
}

json::object QueryParam(std::string_view name, std::string_view type, std::string_view description) {
  return {{"name", name}, {"in", "query"}, {"required", false}, {"description", description},
          {"schema", {{"type", type}}}};
}

json::array AccessNames(AccessSet set) {
  json::array out;
  for (Access a : set.ToVector()) out.push_back(json::value(AccessName(a)));
  return out;
}

// The operation's description: who may call it, in words.
std::string AccessText(const RouteDoc& d) {
  std::string text;
  if (d.public_route) return "No credentials needed.";
  if (!d.accesses.Empty()) {
    text = "Service-token accesses (any one is enough): ";
    bool first = true;
    for (Access a : d.accesses.ToVector()) {
      text += (first ? "`" : ", `") + std::string(AccessName(a)) + "`";
      first = false;
    }
    text += ".";
  }
  if (!d.access_note.empty()) text += (text.empty() ? "" : " ") + std::string(d.access_note);
  text += " Users act with their organization role; OAuth tokens with the accesses of their scopes.";
  return text;
}

json::object ErrorResponse(std::string_view description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
}

json::object Responses(const RouteDoc& d) {
  json::object r;
  json::object ok{{"description", StatusText(d.status)}};
  if (!d.response.empty())
    ok["content"] = {{"application/json", {{"schema", ResponseSchema(d.response)}}}};
  r[std::to_string(d.status)] = std::move(ok);
  if (!d.body.empty() || !d.query.empty() || SplitWrapper(d.response).first == "Page")
    r["400"] = ErrorResponse("Malformed JSON body or query parameter");
  if (!d.public_route) {
    r["401"] = ErrorResponse("Missing, malformed, unknown or expired credentials");
    r["403"] = ErrorResponse("The caller can see the resource but lacks the access named in the message");
    r["404"] = ErrorResponse("No such resource, or the caller holds no access that shows it");
  }
  if (!d.body.empty()) r["422"] = ErrorResponse("A field is missing, has the wrong type or is invalid");
  r["429"] = ErrorResponse("Rate limited; retry after the Retry-After header's seconds");
  r["500"] = ErrorResponse("Internal error (details are in the server's log only)");
  r["503"] = ErrorResponse("The store is unavailable; nothing was done");
  return r;
}

json::object Operation(const DocumentedRoute& route) {
  const RouteDoc& d = route.doc;
  json::object op{{"operationId", d.id},
                  {"summary", d.summary},
                  {"description", AccessText(d)},
                  {"tags", json::array{d.tag}}};
  json::array params;
  size_t i = 0;
  while ((i = route.pattern.find('{', i)) != std::string::npos) {
    size_t j = route.pattern.find('}', i);
    params.push_back(PathParam(route.pattern.substr(i + 1, j - i - 1)));
    i = j;
  }
  for (const QueryDoc& q : d.query) params.push_back(QueryParam(q.name, q.type, q.description));
  if (SplitWrapper(d.response).first == "Page") {
    params.push_back(QueryParam("page", "integer", "Page number (default 1)"));
    params.push_back(QueryParam("per_page", "integer", "Items per page (default 25, at most 100)"));
  }
  if (!params.empty()) op["parameters"] = std::move(params);
  if (!d.body.empty()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", Ref(d.body)}}}}}};
  }
  op["responses"] = Responses(d);
  if (d.public_route) op["security"] = json::array{};
  op["x-opscale-accesses"] = AccessNames(d.accesses);
  if (!d.access_note.empty()) op["x-opscale-access-note"] = d.access_note;
  return op;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string BuildOpenApiJson(std::span<const DocumentedRoute> routes) {
  json::object paths;
  json::array tags;
  std::set<std::string_view> seen_tags;
  for (const DocumentedRoute& r : routes) {
    json::value& item = paths[r.pattern];
    if (!item.is_object()) item = json::object{};
    item.as_object()[Lower(r.method)] = Operation(r);
    if (seen_tags.insert(r.doc.tag).second) tags.push_back(json::object{{"name", r.doc.tag}});
  }

  json::object schemas = json::parse(OpenApiComponentSchemas()).as_object();
  json::array catalog;
  for (const AccessInfo& info : AccessCatalog()) {
    catalog.push_back(json::object{{"name", info.name},
                                   {"level", AccessLevelName(info.level)},
                                   {"group", info.group},
                                   {"description", info.description}});
  }

  json::object doc{
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "opscale API"},
        {"version", "v1"},
        {"description",
         "The HTTP API of opscaled: PlanetScale's v1 API for organizations, databases, branches, "
         "passwords, deploy requests, service tokens and OAuth applications, plus opscale's "
         "additions. Errors are JSON {\"code\", \"message\"}. Each operation lists the "
         "service-token accesses that allow it (x-opscale-accesses, any one is enough); "
         "x-opscale-access-catalog lists every access. Generated by opscaled from its route "
         "table: it cannot list a route the server does not serve, or miss one."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"tags", std::move(tags)},
      {"security", json::array{json::object{{"ServiceToken", json::array{}}},
                               json::object{{"Bearer", json::array{}}},
                               json::object{{"Session", json::array{}}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"ServiceToken",
           {{"type", "apiKey"},
            {"in", "header"},
            {"name", "Authorization"},
            {"description",
             "A service token: `Authorization: ID:TOKEN` (the token's ID, a colon, its secret; no "
             "scheme word)."}}},
          {"Bearer",
           {{"type", "http"},
            {"scheme", "bearer"},
            {"description",
             "A user's API token or an OAuth access token: `Authorization: Bearer TOKEN`."}}},
          {"Session",
           {{"type", "apiKey"},
            {"in", "cookie"},
            {"name", "opscale_session"},
            {"description",
             "The dashboard's sign-in cookie; state-changing requests also need the "
             "X-CSRF-Token header (docs/dashboard.md)."}}}}},
        {"schemas", std::move(schemas)}}},
      {"x-opscale-access-catalog", std::move(catalog)},
  };
  return json::serialize(doc);
}

}  // namespace opscale::api
