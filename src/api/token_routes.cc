// Routes under /v1/organizations/{org}/service-tokens.
#include "api/handler_context.h"
#include "api/request_bodies.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

Result<Response> CreateToken(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(CreateTokenBody b, DecodeCreateToken(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(ServiceTokenView v, c.platform.service_tokens().Create(
                                                   c.ctx, c.Param("org"), std::move(b.name), b.ttl));
  return Json(200, ServiceTokenJson(v));
}

Result<Response> ListTokens(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ServiceTokenView> tokens,
                           c.platform.service_tokens().List(c.ctx, c.Param("org")));
  return Json(200, Paginate(c, p, tokens, [](const ServiceTokenView& v) {
                return json::value(ServiceTokenJson(v));
              }));
}

Result<Response> GetToken(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(ServiceTokenView v,
                           c.platform.service_tokens().Get(c.ctx, c.Param("org"), c.Param("id")));
  return Json(200, ServiceTokenJson(v));
}

Result<Response> DeleteToken(Call& c) {
  OPSCALE_RETURN_IF_ERROR(
      c.platform.service_tokens().Delete(c.ctx, c.Param("org"), c.Param("id")));
  return NoContent();
}

Result<Response> ListAccess(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(ServiceTokenView v,
                           c.platform.service_tokens().Get(c.ctx, c.Param("org"), c.Param("id")));
  json::array data;
  for (const auto& g : v.grants) data.push_back(ServiceTokenAccessJson(g));
  return Json(200, json::object{{"type", "list"}, {"data", std::move(data)}});
}

Result<Response> AddAccess(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(TokenAccessBody b, DecodeTokenAccess(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<GrantView> grants,
                           c.platform.service_tokens().AddAccess(c.ctx, c.Param("org"),
                                                                 c.Param("id"), b.database,
                                                                 b.access));
  json::array data;
  for (const auto& g : grants) data.push_back(ServiceTokenAccessJson(g));
  return Json(200, json::object{{"type", "list"}, {"data", std::move(data)}});
}

Result<Response> RemoveAccess(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(TokenAccessBody b, DecodeTokenAccess(c.req.body));
  OPSCALE_RETURN_IF_ERROR(c.platform.service_tokens().RemoveAccess(
      c.ctx, c.Param("org"), c.Param("id"), b.database, b.access));
  return NoContent();
}

Result<Response> ListGrants(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(ServiceTokenView v,
                           c.platform.service_tokens().Get(c.ctx, c.Param("org"), c.Param("id")));
  return Json(200, json::object{{"type", "list"}, {"data", ServiceTokenGrantsJson(v.grants)}});
}

}  // namespace

void AddTokenRoutes(Router<RouteHandler>& r) {
  const std::string base = "/v1/organizations/{org}/service-tokens";
  r.Add("POST", base, CreateToken);
  r.Add("GET", base, ListTokens);
  r.Add("GET", base + "/{id}", GetToken);
  r.Add("DELETE", base + "/{id}", DeleteToken);
  r.Add("GET", base + "/{id}/access", ListAccess);
  r.Add("POST", base + "/{id}/access", AddAccess);
  r.Add("DELETE", base + "/{id}/access", RemoveAccess);
  r.Add("GET", base + "/{id}/grants", ListGrants);
}

}  // namespace opscale::api
