// The /v1 route table of ApiApp, in one place so that ApiApp and the tests of
// the OpenAPI document (openapi_test) see the same routes.
#include "api/handler_context.h"
#include "api/oauth_routes.h"

namespace opscale::api {

void AddApiRoutes(ApiRoutes& r, TunnelHost* host, const std::string* openapi_json) {
  AddTokenRoutes(r);
  AddResourceRoutes(r);
  AddPasswordRoutes(r);
  AddDeployRequestRoutes(r);
  AddCatalogRoutes(r);
  AddMemberRoutes(r);
  AddOAuthApplicationRoutes(r);
  r.Add("GET", "/v1/organizations/{org}/databases/{db}/branches/{branch}/connect",
        {.id = "connect_branch",
         .summary = "Open a tunnel to the branch's MariaDB (opscale connect); needs the headers "
                    "'Connection: Upgrade' and 'Upgrade: opscale-tunnel'",
         .tag = "Branches",
         .accesses = {Access::kConnectBranch, Access::kConnectProductionBranch},
         .access_note = "connect_branch on a development branch, connect_production_branch on a "
                        "production branch.",
         .query = {{"password_id", "string", "The session password the tunnel authenticates with"}},
         .status = 101},
        ConnectRoute(host));
  // ApiApp answers this path before authentication (public_route); the
  // route is here so that the document lists itself.
  r.Add("GET", std::string(kOpenApiPath),
        {.id = "get_openapi", .summary = "This OpenAPI document", .tag = "Documentation",
         .response = "OpenApiDocument", .public_route = true},
        [openapi_json](Call&) -> Result<Response> { return JsonText(200, *openapi_json); });
}

}  // namespace opscale::api
