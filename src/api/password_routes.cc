// Routes for branch passwords, safe migrations, promote and demote.
#include "api/handler_context.h"
#include "api/request_bodies.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

json::object PasswordJson(Call& c, const PasswordView& v) {
  const Password& p = v.password;
  const Branch& b = v.branch;
  TimeMs now = NowMs();
  std::string host = c.platform.engine().host();
  json::object actor{{"id", p.created_by.id},
                     {"type", ActorTypeName(p.created_by.type)},
                     {"display_name", p.created_by.display_name},
                     {"avatar_url", ""}};
  return {
      {"id", p.id},
      {"type", "DatabaseBranchPassword"},
      {"name", p.name},
      {"role", p.role},
      {"cidrs", nullptr},
      {"created_at", FormatTime(p.created_at)},
      {"deleted_at", nullptr},
      {"expires_at", TimeOrNull(p.expires_at)},
      {"last_used_at", TimeOrNull(p.last_used_at)},
      {"expired", p.Expired(now)},
      {"direct_vtgate", false},
      {"direct_vtgate_addresses", json::array{}},
      {"ttl_seconds", p.ttl_seconds ? json::value(*p.ttl_seconds) : json::value(nullptr)},
      {"access_host_url", host},
      {"access_host_regional_url", host},
      {"access_host_regional_urls", json::array{}},
      {"actor", std::move(actor)},
      {"region", RegionJson(b.region)},
      {"username", p.username},
      {"plain_text", v.plain_text.empty() ? json::value(nullptr) : json::value(v.plain_text)},
      {"replica", false},
      {"renewable", p.ttl_seconds.has_value() && *p.ttl_seconds > 0},
      {"database_branch",
       {{"name", b.name},
        {"id", b.id},
        {"production", b.production},
        {"mysql_edge_address", host},
        {"private_edge_connectivity", false}}},
      // opscale extras: enough to run `mariadb -h HOST -P PORT -u USER -pPW DATABASE`.
      {"port", c.platform.engine().port()},
      {"database", v.schema},
  };
}

Result<Response> ListPasswords(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<PasswordView> all,
                           c.platform.passwords().List(c.ctx, c.Param("org"), c.Param("db"),
                                                       c.Param("branch")));
  std::string q = c.req.QueryParam("q");
  std::string status = c.req.QueryParam("status");
  if (!status.empty() && status != "active" && status != "renewable" && status != "expired")
    return Status::Unprocessable("query parameter 'status' must be active, renewable or expired");
  TimeMs now = NowMs();
  std::vector<PasswordView> out;
  for (auto& v : all) {
    const Password& pw = v.password;
    if (!q.empty() && pw.name.find(q) == std::string::npos) continue;
    if (status == "active" && pw.Expired(now)) continue;
    if (status == "expired" && !pw.Expired(now)) continue;
    if (status == "renewable" && !pw.ttl_seconds) continue;
    out.push_back(std::move(v));
  }
  return Json(200, Paginate(c, p, out,
                            [&](const PasswordView& v) { return json::value(PasswordJson(c, v)); }));
}

Result<Response> CreatePassword(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(CreatePasswordBody b, DecodeCreatePassword(c.req.body));
  NewPassword spec;
  spec.name = std::move(b.name);
  if (b.role) spec.role = *b.role;
  spec.ttl_seconds = b.ttl;
  OPSCALE_ASSIGN_OR_RETURN(PasswordView v,
                           c.platform.passwords().Create(c.ctx, c.Param("org"), c.Param("db"),
                                                         c.Param("branch"), spec));
  return Json(201, PasswordJson(c, v));
}

Result<Response> GetPassword(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PasswordView v,
                           c.platform.passwords().Get(c.ctx, c.Param("org"), c.Param("db"),
                                                      c.Param("branch"), c.Param("id")));
  return Json(200, PasswordJson(c, v));
}

Result<Response> UpdatePassword(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(UpdatePasswordBody b, DecodeUpdatePassword(c.req.body));
  std::optional<std::string> name = std::move(b.name);
  if (!name) {
    // Nothing to change: answer like a GET (after the same access check as an update).
    OPSCALE_ASSIGN_OR_RETURN(PasswordView cur,
                             c.platform.passwords().Get(c.ctx, c.Param("org"), c.Param("db"),
                                                        c.Param("branch"), c.Param("id")));
    name = cur.password.name;
  }
  OPSCALE_ASSIGN_OR_RETURN(PasswordView v,
                           c.platform.passwords().Update(c.ctx, c.Param("org"), c.Param("db"),
                                                         c.Param("branch"), c.Param("id"), *name));
  return Json(200, PasswordJson(c, v));
}

Result<Response> DeletePassword(Call& c) {
  OPSCALE_RETURN_IF_ERROR(c.platform.passwords().Delete(c.ctx, c.Param("org"), c.Param("db"),
                                                        c.Param("branch"), c.Param("id")));
  return NoContent();
}

Result<Response> RenewPassword(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PasswordView v,
                           c.platform.passwords().Renew(c.ctx, c.Param("org"), c.Param("db"),
                                                        c.Param("branch"), c.Param("id")));
  return Json(200, PasswordJson(c, v));
}

Response BranchReply(Call& c, const Branch& b) {
  return Json(200, BranchJson(b, c.Param("org"), c.Param("db"), c.base));
}

Result<Response> EnableSafeMigrations(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, c.platform.branch_modes().SetSafeMigrations(
                                         c.ctx, c.Param("org"), c.Param("db"), c.Param("branch"), true));
  return BranchReply(c, b);
}

Result<Response> DisableSafeMigrations(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, c.platform.branch_modes().SetSafeMigrations(
                                         c.ctx, c.Param("org"), c.Param("db"), c.Param("branch"), false));
  return BranchReply(c, b);
}

Result<Response> Promote(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, c.platform.branch_modes().SetProduction(
                                         c.ctx, c.Param("org"), c.Param("db"), c.Param("branch"), true));
  return BranchReply(c, b);
}

Result<Response> Demote(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, c.platform.branch_modes().SetProduction(
                                         c.ctx, c.Param("org"), c.Param("db"), c.Param("branch"), false));
  return BranchReply(c, b);
}

}  // namespace

void AddPasswordRoutes(ApiRoutes& r) {
  using A = Access;
  const AccessSet read = {A::kReadBranch,         A::kDeleteBranch,
                          A::kCreateBranch,       A::kConnectProductionBranch,
                          A::kConnectBranch,      A::kConnectProductionReadOnlyBranch};
  const AccessSet write = {A::kConnectBranch, A::kConnectProductionBranch,
                           A::kConnectProductionReadOnlyBranch};
  constexpr std::string_view kWriteNote =
      "connect_branch on a development branch; connect_production_branch on a production branch, "
      "or connect_production_read_only_branch for a password with the reader role.";
  const std::string_view tag = "Passwords";
  const std::string branch = "/v1/organizations/{org}/databases/{db}/branches/{branch}";
  r.Add("GET", branch + "/passwords",
        {.id = "list_passwords", .summary = "List a branch's passwords (never their secrets)", .tag = tag,
         .accesses = read,
         .query = {{"q", "string", "Only passwords whose name contains this text"},
                   {"status", "string", "active, renewable or expired"}},
         .response = "Page<Password>"},
        ListPasswords);
  r.Add("POST", branch + "/passwords",
        {.id = "create_password",
         .summary = "Create a MariaDB username and password for a branch; the secret is in this response only",
         .tag = tag, .accesses = write, .access_note = kWriteNote, .body = "CreatePasswordRequest",
         .status = 201, .response = "Password"},
        CreatePassword);
  r.Add("GET", branch + "/passwords/{id}",
        {.id = "get_password", .summary = "Get a password (never its secret)", .tag = tag,
         .accesses = read, .response = "Password"},
        GetPassword);
  r.Add("PATCH", branch + "/passwords/{id}",
        {.id = "update_password", .summary = "Rename a password", .tag = tag, .accesses = write,
         .access_note = kWriteNote, .body = "UpdatePasswordRequest", .response = "Password"},
        UpdatePassword);
  r.Add("DELETE", branch + "/passwords/{id}",
        {.id = "delete_password", .summary = "Delete a password; its MariaDB account is dropped",
         .tag = tag,
         .accesses = {A::kDeleteBranchPassword, A::kDeleteProductionBranchPassword,
                      A::kDeleteProductionReadOnlyBranchPassword},
         .access_note = "delete_branch_password on a development branch; "
                        "delete_production_branch_password on a production branch, or "
                        "delete_production_read_only_branch_password for a reader password.",
         .status = 204},
        DeletePassword);
  r.Add("POST", branch + "/passwords/{id}/renew",
        {.id = "renew_password", .summary = "Extend a password that has a time to live by its TTL",
         .tag = tag, .accesses = write, .access_note = kWriteNote, .response = "Password"},
        RenewPassword);
  r.Add("POST", branch + "/safe-migrations",
        {.id = "enable_safe_migrations",
         .summary = "Enable safe migrations: direct DDL is refused, schema changes go through deploy requests",
         .tag = "Branches", .accesses = {A::kWriteDatabase}, .response = "Branch"},
        EnableSafeMigrations);
  r.Add("DELETE", branch + "/safe-migrations",
        {.id = "disable_safe_migrations", .summary = "Disable safe migrations", .tag = "Branches",
         .accesses = {A::kWriteDatabase}, .response = "Branch"},
        DisableSafeMigrations);
  r.Add("POST", branch + "/promote",
        {.id = "promote_branch", .summary = "Make a branch a production branch", .tag = "Branches",
         .accesses = {A::kPromoteBranches, A::kConnectProductionBranch}, .response = "Branch"},
        Promote);
  r.Add("POST", branch + "/demote",
        {.id = "demote_branch",
         .summary = "Make a production branch a development branch (not the last production branch)",
         .tag = "Branches", .accesses = {A::kDemoteBranches, A::kConnectProductionBranch},
         .response = "Branch"},
        Demote);
}

}  // namespace opscale::api
