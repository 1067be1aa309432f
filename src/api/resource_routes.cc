// Routes for organizations, databases, branches and the audit log.
#include "api/handler_context.h"
#include "api/request_bodies.h"
#include "auth/oauth_scopes.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

Result<Response> ListOrgs(Call& c) {
  if (!c.ctx.principal.HasScope(kScopeReadOrganizations))
    return Status::PermissionDenied("the OAuth token's scopes do not allow listing organizations (needs scope read_organizations)");
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Organization> orgs, c.platform.organizations().List(c.ctx));
  std::vector<std::pair<Organization, int>> rows;
  for (auto& o : orgs) {
    OPSCALE_ASSIGN_OR_RETURN(int n, c.platform.organizations().DatabaseCount(o));
    rows.emplace_back(std::move(o), n);
  }
  return Json(200, Paginate(c, p, rows, [&](const std::pair<Organization, int>& row) {
                return json::value(OrganizationJson(row.first, row.second, c.base));
              }));
}

Result<Response> GetOrg(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, c.platform.organizations().Get(c.ctx, c.Param("org")));
  OPSCALE_ASSIGN_OR_RETURN(int n, c.platform.organizations().DatabaseCount(org));
  return Json(200, OrganizationJson(org, n, c.base));
}

Result<Response> ListAudit(Call& c) {
  int64_t limit = 25;
  bool found = false;
  std::string l = c.req.QueryParam("limit", &found);
  if (found) {
    try {
      size_t pos = 0;
      limit = std::stoll(l, &pos);
      if (pos != l.size() || limit < 1) throw std::invalid_argument("limit");
    } catch (...) {
      return Status::InvalidArgument("query parameter 'limit' must be a positive integer");
    }
    if (limit > 100) limit = 100;
  }
  std::string after = c.req.QueryParam("starting_after");
  // Filters (opscale, for the dashboard): exact actor id and action.
  std::string actor = c.req.QueryParam("actor_id");
  std::string action = c.req.QueryParam("action");
  OPSCALE_ASSIGN_OR_RETURN(std::vector<AuditEvent> all,
                           c.platform.organizations().AuditLog(c.ctx, c.Param("org"), 0, 1000000));
  std::vector<AuditEvent> events;
  bool past_cursor = after.empty();
  for (auto& e : all) {  // newest first
    if (!past_cursor) {
      past_cursor = e.id == after;
      continue;
    }
    if (!actor.empty() && e.actor.id != actor) continue;
    if (!action.empty() && e.action != action) continue;
    events.push_back(std::move(e));
    if (static_cast<int64_t>(events.size()) > limit) break;
  }
  if (!past_cursor) return Status::NotFound("audit log event " + after + " does not exist");
  bool has_next = static_cast<int64_t>(events.size()) > limit;
  if (has_next) events.pop_back();
  json::array data;
  for (const auto& e : events) data.push_back(AuditEventJson(e));
  return Json(200, json::object{
                       {"type", "list"},
                       {"has_next", has_next},
                       {"has_prev", !after.empty()},
                       {"cursor_start", events.empty() ? json::value(nullptr) : json::value(events.front().id)},
                       {"cursor_end", events.empty() ? json::value(nullptr) : json::value(events.back().id)},
                       {"data", std::move(data)},
                   });
}


json::object DbJson(Call& c, const Database& db) {
  auto branches = c.platform.store().ListBranches(db.id);
  return DatabaseJson(db, c.Param("org"), branches.ok() ? *branches : std::vector<Branch>{}, c.base);
}

Result<Response> ListDatabases(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Database> dbs,
                           c.platform.databases().List(c.ctx, c.Param("org")));
  std::string q = c.req.QueryParam("q");
  if (!q.empty()) {
    std::vector<Database> filtered;
    for (auto& d : dbs)
      if (d.name.find(q) != std::string::npos) filtered.push_back(std::move(d));
    dbs = std::move(filtered);
  }
  return Json(200, Paginate(c, p, dbs, [&](const Database& d) { return json::value(DbJson(c, d)); }));
}

Result<Response> CreateDatabase(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(CreateDatabaseBody b, DecodeCreateDatabase(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(Database db, c.platform.databases().Create(c.ctx, c.Param("org"), b.name,
                                                                      b.region));
  return Json(201, DbJson(c, db));
}

Result<Response> GetDatabase(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Database db,
                           c.platform.databases().Get(c.ctx, c.Param("org"), c.Param("db")));
  return Json(200, DbJson(c, db));
}

Result<Response> UpdateDatabase(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(UpdateDatabaseBody b, DecodeUpdateDatabase(c.req.body));
  DatabaseSettings s{b.require_approval_for_deploy, std::move(b.notes)};
  OPSCALE_ASSIGN_OR_RETURN(Database db, c.platform.databases().Update(c.ctx, c.Param("org"),
                                                                      c.Param("db"), s));
  return Json(200, DbJson(c, db));
}

Result<Response> DeleteDatabase(Call& c) {
  OPSCALE_RETURN_IF_ERROR(c.platform.databases().Delete(c.ctx, c.Param("org"), c.Param("db")));
  return NoContent();
}

Result<Response> ListBranches(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Branch> branches,
                           c.platform.databases().ListBranches(c.ctx, c.Param("org"), c.Param("db")));
  std::string q = c.req.QueryParam("q");
  bool has_prod = false;
  std::string prod = c.req.QueryParam("production", &has_prod);
  std::vector<Branch> filtered;
  for (auto& b : branches) {
    if (!q.empty() && b.name.find(q) == std::string::npos) continue;
    if (has_prod && (prod == "true") != b.production) continue;
    filtered.push_back(std::move(b));
  }
  return Json(200, Paginate(c, p, filtered, [&](const Branch& b) {
                return json::value(BranchJson(b, c.Param("org"), c.Param("db"), c.base));
              }));
}

Result<Response> CreateBranch(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(CreateBranchBody body, DecodeCreateBranch(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(Branch b, c.platform.databases().CreateBranch(
                                         c.ctx, c.Param("org"), c.Param("db"), body.name,
                                         body.parent_branch));
  return Json(201, BranchJson(b, c.Param("org"), c.Param("db"), c.base));
}

Result<Response> GetBranch(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, c.platform.databases().GetBranch(c.ctx, c.Param("org"),
                                                                      c.Param("db"), c.Param("branch")));
  return JsonText(200, BranchJsonText(b, c.Param("org"), c.Param("db"), c.base));
}

Result<Response> DeleteBranch(Call& c) {
  OPSCALE_RETURN_IF_ERROR(c.platform.databases().DeleteBranch(c.ctx, c.Param("org"), c.Param("db"),
                                                              c.Param("branch")));
  return NoContent();
}

Result<Response> BranchSchema(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<engine::TableDdl> tables,
                           c.platform.databases().BranchSchema(c.ctx, c.Param("org"), c.Param("db"),
                                                               c.Param("branch")));
  json::array data;
  for (const auto& t : tables)
    data.push_back(json::object{{"name", t.name}, {"raw", t.ddl}, {"html", HtmlEscape(t.ddl)}});
  return Json(200, json::object{{"data", std::move(data)}});
}

Result<Response> CurrentUser(Call& c) {
  if (!c.ctx.principal.is_user())
    return Status::NotFound("service tokens have no current user");
  if (!c.ctx.principal.HasScope(kScopeReadUser))
    return Status::PermissionDenied("the OAuth token's scopes do not allow reading the user (needs scope read_user)");
  return Json(200, json::object{{"id", c.ctx.principal.id},
                                {"type", "User"},
                                {"display_name", c.ctx.principal.display_name},
                                {"name", c.ctx.principal.display_name},
                                {"email", c.ctx.principal.display_name}});
}

}  // namespace

void AddResourceRoutes(ApiRoutes& r) {
  using A = Access;
  const std::string org = "/v1/organizations/{org}";
  const std::string db = org + "/databases/{db}";
  const AccessSet branch_read = BranchReadSet();
  r.Add("GET", "/v1/user",
        {.id = "get_current_user", .summary = "The signed-in user", .tag = "Organizations",
         .access_note = "Users only (OAuth scope read_user); a service token gets 404.",
         .response = "User"},
        CurrentUser);
  r.Add("GET", "/v1/organizations",
        {.id = "list_organizations", .summary = "List the organizations the caller belongs to",
         .tag = "Organizations",
         .access_note = "Any caller; OAuth tokens need the scope read_organizations.",
         .response = "Page<Organization>"},
        ListOrgs);
  r.Add("GET", org,
        {.id = "get_organization", .summary = "Get an organization", .tag = "Organizations",
         .accesses = {A::kReadOrganization}, .response = "Organization"},
        GetOrg);
  r.Add("GET", org + "/audit-log",
        {.id = "list_audit_logs", .summary = "The organization's audit log, newest first",
         .tag = "Organizations", .accesses = {A::kReadAuditLogs},
         .query = {{"limit", "integer", "Events per page (1-100, default 25)"},
                   {"starting_after", "string", "The cursor_end of the previous page"},
                   {"actor_id", "string", "Only events by this user or token (opscale)"},
                   {"action", "string", "Only events with this action, e.g. service_token.created (opscale)"}},
         .response = "Cursor<AuditLog>"},
        ListAudit);
  r.Add("GET", org + "/databases",
        {.id = "list_databases", .summary = "List the databases the caller can see", .tag = "Databases",
         .accesses = DatabaseVisibleSet(),
         .access_note = "Any database-level access on a database makes it visible.",
         .query = {{"q", "string", "Only databases whose name contains this text"}},
         .response = "Page<Database>"},
        ListDatabases);
  r.Add("POST", org + "/databases",
        {.id = "create_database", .summary = "Create a database with its main production branch",
         .tag = "Databases", .accesses = {A::kCreateDatabases}, .body = "CreateDatabaseRequest",
         .status = 201, .response = "Database"},
        CreateDatabase);
  r.Add("GET", db,
        {.id = "get_database", .summary = "Get a database", .tag = "Databases",
         .accesses = DatabaseVisibleSet(), .response = "Database"},
        GetDatabase);
  r.Add("PATCH", db,
        {.id = "update_database_settings", .summary = "Change a database's settings", .tag = "Databases",
         .accesses = {A::kWriteDatabase}, .body = "UpdateDatabaseRequest", .response = "Database"},
        UpdateDatabase);
  r.Add("DELETE", db,
        {.id = "delete_database", .summary = "Delete a database and all its branches", .tag = "Databases",
         .accesses = {A::kDeleteDatabase, A::kDeleteDatabases},
         .access_note = "delete_database on the database, or delete_databases on the organization.",
         .status = 204},
        DeleteDatabase);
  r.Add("GET", db + "/branches",
        {.id = "list_branches", .summary = "List a database's branches", .tag = "Branches",
         .accesses = branch_read,
         .query = {{"q", "string", "Only branches whose name contains this text"},
                   {"production", "boolean", "Only production (true) or development (false) branches"}},
         .response = "Page<Branch>"},
        ListBranches);
  r.Add("POST", db + "/branches",
        {.id = "create_branch", .summary = "Create a branch from a parent branch's schema", .tag = "Branches",
         .accesses = {A::kCreateBranch}, .body = "CreateBranchRequest", .status = 201,
         .response = "Branch"},
        CreateBranch);
  r.Add("GET", db + "/branches/{branch}",
        {.id = "get_branch", .summary = "Get a branch", .tag = "Branches", .accesses = branch_read,
         .response = "Branch"},
        GetBranch);
  r.Add("DELETE", db + "/branches/{branch}",
        {.id = "delete_branch", .summary = "Delete a branch; its connections are severed", .tag = "Branches",
         .accesses = {A::kDeleteBranch, A::kDeleteProductionBranch},
         .access_note = "delete_branch on a development branch, delete_production_branch on a production branch.",
         .status = 204},
        DeleteBranch);
  r.Add("GET", db + "/branches/{branch}/schema",
        {.id = "get_branch_schema", .summary = "The CREATE TABLE statements of a branch", .tag = "Branches",
         .accesses = branch_read, .response = "Data<SchemaTable>"},
        BranchSchema);
}

}  // namespace opscale::api
