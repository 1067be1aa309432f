// GET /v1/organizations/{org}/access-catalog[?database=NAME]: every access
// with its level, group and meaning (from the one catalog table), and whether
// the caller may grant it on the scope asked about: organization-level
// accesses on the organization (no database named), database-level accesses
// on the named database.
// The dashboard's permission checkboxes are built from this.
#include "api/handler_context.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

Result<Response> Catalog(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, c.platform.core().ResolveOrg(c.ctx, c.Param("org")));
  Resource org_res = Resource::Org(org.id, org.name);
  std::optional<Resource> db_res;
  bool found = false;
  std::string db = c.req.QueryParam("database", &found);
  if (found) {
    OPSCALE_ASSIGN_OR_RETURN(auto resolved, c.platform.core().ResolveDatabase(c.ctx, org.name, db));
    db_res = resolved.second;
  }
  json::array data;
  for (const AccessInfo& info : AccessCatalog()) {
    bool org_level = info.level == AccessLevel::kOrganization;
    // Grantable on the scope asked about: the organization, or the database.
    bool grantable = org_level ? !db_res && Authorizer::IsAllowed(c.ctx.principal, info.access, org_res)
                               : db_res && Authorizer::IsAllowed(c.ctx.principal, info.access, *db_res);
    data.push_back(json::object{{"name", info.name},
                                {"level", AccessLevelName(info.level)},
                                {"group", info.group},
                                {"description", info.description},
                                {"grantable", grantable}});
  }
  return Json(200, json::object{{"type", "list"}, {"data", std::move(data)}});
}

}  // namespace

void AddCatalogRoutes(ApiRoutes& r) {
  r.Add("GET", "/v1/organizations/{org}/access-catalog",
        {.id = "list_access_catalog",
         .summary = "Every access a service token can hold, and whether the caller may grant it here",
         .tag = "Service tokens",
         .access_note = "Any member or token of the organization; `grantable` reflects the caller's own accesses.",
         .query = {{"database", "string",
                    "Ask about database-level accesses on this database (default: organization-level "
                    "accesses on the organization)"}},
         .response = "List<AccessCatalogEntry>"},
        Catalog);
}

}  // namespace opscale::api
