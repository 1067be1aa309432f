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

void AddTokenRoutes(ApiRoutes& r) {
  using A = Access;
  const std::string base = "/v1/organizations/{org}/service-tokens";
  const std::string_view tag = "Service tokens";
  constexpr std::string_view kGrantNote =
      "The caller must also hold each access it grants or revokes, on the organization or the "
      "named database (no escalation).";
  r.Add("POST", base,
        {.id = "create_service_token", .summary = "Create a service token; its secret is in this response only",
         .tag = tag, .accesses = {A::kWriteServiceTokens}, .body = "CreateServiceTokenRequest",
         .response = "ServiceToken"},
        CreateToken);
  r.Add("GET", base,
        {.id = "list_service_tokens", .summary = "List the organization's service tokens", .tag = tag,
         .accesses = {A::kReadServiceTokens}, .response = "Page<ServiceToken>"},
        ListTokens);
  r.Add("GET", base + "/{id}",
        {.id = "get_service_token", .summary = "Get a service token and its accesses", .tag = tag,
         .accesses = {A::kReadServiceTokens}, .response = "ServiceToken"},
        GetToken);
  r.Add("DELETE", base + "/{id}",
        {.id = "delete_service_token",
         .summary = "Delete a service token; its connections and passwords' tunnels are severed",
         .tag = tag, .accesses = {A::kDeleteServiceTokens}, .status = 204},
        DeleteToken);
  r.Add("GET", base + "/{id}/access",
        {.id = "list_service_token_accesses", .summary = "List a service token's accesses, one entry per access and resource",
         .tag = tag, .accesses = {A::kReadServiceTokens}, .response = "List<ServiceTokenAccess>"},
        ListAccess);
  r.Add("POST", base + "/{id}/access",
        {.id = "add_service_token_accesses",
         .summary = "Grant accesses to a service token, on the organization or on one database",
         .tag = tag, .accesses = {A::kWriteServiceTokens}, .access_note = kGrantNote,
         .body = "ServiceTokenAccessRequest", .response = "List<ServiceTokenAccess>"},
        AddAccess);
  r.Add("DELETE", base + "/{id}/access",
        {.id = "remove_service_token_accesses",
         .summary = "Revoke accesses from a service token; connections that needed them are severed",
         .tag = tag, .accesses = {A::kWriteServiceTokens}, .access_note = kGrantNote,
         .body = "ServiceTokenAccessRequest", .status = 204},
        RemoveAccess);
  r.Add("GET", base + "/{id}/grants",
        {.id = "list_service_token_grants",
         .summary = "List a service token's accesses grouped by resource", .tag = tag,
         .accesses = {A::kReadServiceTokens}, .response = "List<ServiceTokenGrant>"},
        ListGrants);
}

}  // namespace opscale::api
