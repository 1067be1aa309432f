#include "service/service_tokens.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "auth/token_format.h"
#include "common/ids.h"
#include "domain/names.h"

namespace opscale {
namespace {

Resource OrgResource(const Organization& org) { return Resource::Org(org.id, org.name); }

std::string ValidNames(AccessLevel level) {
  std::string out;
  for (const auto& info : AccessCatalog()) {
    if (info.level != level) continue;
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ",";
    out += "\"" + items[i] + "\"";  // catalog names only: no escaping needed
  }
  return out + "]";
}

// Parses access names for one level; Unprocessable lists the valid names.
Result<std::vector<Access>> ParseAccessList(const std::vector<std::string>& names,
                                            AccessLevel level) {
  if (names.empty())
    return Status::Unprocessable("no access given; valid " + std::string(AccessLevelName(level)) +
                                 " accesses are: " + ValidNames(level));
  std::vector<Access> out;
  for (const auto& n : names) {
    auto a = ParseAccess(n);
    if (!a || Info(*a).level != level) {
      std::optional<std::string_view> near = a ? std::nullopt : ClosestAccessName(n);
      std::string why = a      ? "is not a " + std::string(AccessLevelName(level)) + "-level access"
                        : near ? "is not a valid access (did you mean '" + std::string(*near) + "'?)"
                               : "is not a valid access";
      return Status::Unprocessable("'" + n + "' " + why + "; valid " + AccessLevelName(level) +
                                   " accesses are: " + ValidNames(level));
    }
    out.push_back(*a);
  }
  return out;
}

}  // namespace

Result<std::vector<GrantView>> ServiceTokenService::Views(const Organization& org,
                                                          const std::vector<Grant>& grants,
                                                          const Database* known) {
  std::unordered_map<std::string, Database> dbs;
  if (known) dbs.emplace(known->id, *known);
  std::vector<GrantView> out;
  for (const auto& g : grants) {
    GrantView v{g, org.name, org.created_at, org.updated_at};
    if (g.resource_type == ResourceType::kDatabase) {
      auto it = dbs.find(g.resource_id);
      if (it == dbs.end()) {
        auto db = core_->store().GetDatabaseById(g.resource_id);
        if (!db.ok()) continue;  // deleted concurrently
        it = dbs.emplace(g.resource_id, std::move(db).value()).first;
      }
      v.resource_name = it->second.name;
      v.resource_created_at = it->second.created_at;
      v.resource_updated_at = it->second.updated_at;
    }
    out.push_back(std::move(v));
  }
  // Stable, readable order: databases by name, then the organization; accesses in catalog order.
  auto rank = [](const GrantView& g) {
    auto a = ParseAccess(g.grant.access);
    return std::make_tuple(g.grant.resource_type == ResourceType::kOrganization, g.resource_name,
                           a ? static_cast<int>(*a) : 999);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const GrantView& x, const GrantView& y) { return rank(x) < rank(y); });
  return out;
}

Result<ServiceTokenView> ServiceTokenService::Load(const Organization& org, const std::string& id) {
  if (!IsWellFormedId(id)) return Status::NotFound();
  OPSCALE_ASSIGN_OR_RETURN(ServiceToken t, core_->store().GetServiceToken(org.id, id));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Grant> grants, core_->store().ListGrants(id));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<GrantView> views, Views(org, grants));
  return ServiceTokenView{std::move(t), std::move(views), std::nullopt};
}

Result<ServiceTokenView> ServiceTokenService::Create(const RequestContext& ctx,
                                                     const std::string& org_name,
                                                     std::optional<std::string> name,
                                                     std::optional<int64_t> ttl_seconds) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kWriteServiceTokens, OrgResource(org)));
  if (name) OPSCALE_RETURN_IF_ERROR(ValidateTokenName(*name));
  if (ttl_seconds && *ttl_seconds < 0)
    return Status::Unprocessable("ttl must be a number of seconds >= 0 (0 means no expiry)");
  if (ttl_seconds && *ttl_seconds > int64_t{100} * 365 * 24 * 3600)
    return Status::Unprocessable("ttl is too large (at most 100 years)");

  TimeMs now = NowMs();
  ServiceToken t;
  t.id = NewId();
  t.org_id = org.id;
  t.name = std::move(name);
  std::string secret = GenerateSecret(kServiceTokenPrefix);
  t.secret_hash = core_->index().hasher().Hash(secret);
  t.created_by = ctx.principal.AsActor();
  t.created_at = t.updated_at = now;
  if (ttl_seconds && *ttl_seconds > 0) t.expires_at = now + *ttl_seconds * 1000;

  AuditEvent e = ServiceCore::Event(ctx, org.id, "service_token.created", "ServiceToken", t.id,
                                    t.name.value_or(t.id));
  if (t.expires_at) e.metadata_json = "{\"expires_at\":\"" + FormatTime(*t.expires_at) + "\"}";
  OPSCALE_RETURN_IF_ERROR(core_->WriteCredentials(
      [&](Store& tx) {
        OPSCALE_RETURN_IF_ERROR(tx.InsertServiceToken(t));
        return tx.InsertAuditEvent(e);
      },
      [&] { core_->index().PutServiceToken(t); }));
  return ServiceTokenView{std::move(t), {}, std::move(secret)};
}

Result<std::vector<ServiceTokenView>> ServiceTokenService::List(const RequestContext& ctx,
                                                                const std::string& org_name) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kReadServiceTokens, OrgResource(org)));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ServiceToken> tokens,
                           core_->store().ListServiceTokens(org.id));
  std::vector<ServiceTokenView> out;
  for (auto& t : tokens) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<Grant> grants, core_->store().ListGrants(t.id));
    OPSCALE_ASSIGN_OR_RETURN(std::vector<GrantView> views, Views(org, grants));
    out.push_back({std::move(t), std::move(views), std::nullopt});
  }
  return out;
}

Result<ServiceTokenView> ServiceTokenService::Get(const RequestContext& ctx,
                                                  const std::string& org_name,
                                                  const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kReadServiceTokens, OrgResource(org)));
  return Load(org, id);
}

Status ServiceTokenService::Delete(const RequestContext& ctx, const std::string& org_name,
                                   const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kDeleteServiceTokens, OrgResource(org)));
  if (!IsWellFormedId(id)) return Status::NotFound();
  OPSCALE_ASSIGN_OR_RETURN(ServiceToken t, core_->store().GetServiceToken(org.id, id));
  AuditEvent e = ServiceCore::Event(ctx, org.id, "service_token.deleted", "ServiceToken", t.id,
                                    t.name.value_or(t.id));
  OPSCALE_RETURN_IF_ERROR(core_->WriteCredentials(
      [&](Store& tx) {
        OPSCALE_RETURN_IF_ERROR(tx.DeleteServiceToken(t.id));
        return tx.InsertAuditEvent(e);
      },
      [&] { core_->index().RemoveServiceToken(t.id); }));
  // "Deleting a service token will sever any database connections that use it."
  core_->Revoke({Revocation::Kind::kPrincipalDeleted, org.id, t.id, "", "", ctx});
  return Status::Ok();
}

Result<ServiceTokenService::AccessChange> ServiceTokenService::PrepareChange(
    const RequestContext& ctx, const std::string& org_name, const std::string& id,
    const std::string& database, const std::vector<std::string>& names) {
  AccessChange c;
  OPSCALE_ASSIGN_OR_RETURN(c.org, core_->ResolveOrg(ctx, org_name));
  c.target = OrgResource(c.org);
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kWriteServiceTokens, c.target));
  if (!IsWellFormedId(id)) return Status::NotFound("token " + id + " does not exist");
  OPSCALE_ASSIGN_OR_RETURN(c.token, core_->store().GetServiceToken(c.org.id, id));
  c.resource_id = c.org.id;
  c.resource_name = c.org.name;
  if (!database.empty()) {
    OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org_name, database));
    c.target = resolved.second;
    c.type = ResourceType::kDatabase;
    c.resource_id = resolved.first.id;
    c.resource_name = resolved.first.name;
    c.database = std::move(resolved.first);
  }
  AccessLevel level = database.empty() ? AccessLevel::kOrganization : AccessLevel::kDatabase;
  OPSCALE_ASSIGN_OR_RETURN(c.accesses, ParseAccessList(names, level));
  return c;
}

AuditEvent ServiceTokenService::ChangeEvent(const RequestContext& ctx, const AccessChange& c,
                                            const std::string& action,
                                            const std::vector<std::string>& names) {
  AuditEvent e = ServiceCore::Event(ctx, c.org.id, action, "ServiceToken", c.token.id,
                                    c.token.name.value_or(c.token.id));
  e.target_type = ResourceTypeName(c.type);
  e.target_id = c.resource_id;
  e.target_display_name = c.resource_name;
  e.metadata_json = "{\"accesses\":" + JsonList(names) + "}";
  return e;
}

Result<std::vector<GrantView>> ServiceTokenService::AddAccess(
    const RequestContext& ctx, const std::string& org_name, const std::string& id,
    const std::string& database, const std::vector<std::string>& names) {
  OPSCALE_ASSIGN_OR_RETURN(AccessChange c, PrepareChange(ctx, org_name, id, database, names));
  const Organization& org = c.org;
  const ServiceToken& t = c.token;
  const Resource& target = c.target;
  const ResourceType type = c.type;
  const std::string& resource_id = c.resource_id;
  const std::vector<Access>& accesses = c.accesses;
  // No escalation: the caller grants only what it holds on that resource.
  for (Access a : accesses) {
    if (!Authorizer::IsAllowed(ctx.principal, a, target))
      return Status::PermissionDenied("cannot grant '" + std::string(AccessName(a)) + "' on " +
                                      target.Describe() + ": you do not hold that access yourself");
  }

  TimeMs now = NowMs();
  std::vector<Grant> grants;
  for (Access a : accesses) {
    Grant g;
    g.id = NewId();
    g.token_id = t.id;
    g.resource_type = type;
    g.resource_id = resource_id;
    g.access = std::string(AccessName(a));
    g.created_at = now;
    grants.push_back(std::move(g));
  }
  AuditEvent e = ChangeEvent(ctx, c, "service_token.granted_access", names);
  std::vector<Grant> all;
  OPSCALE_RETURN_IF_ERROR(core_->WriteCredentials(
      [&](Store& tx) {
        // The database was read before this transaction and may have been
        // deleted since: grants name it without a foreign key, so check here
        // or they would outlive it (and be audited after its deletion). A
        // deleted token is caught by the grants' foreign key.
        if (type == ResourceType::kDatabase) {
          auto db = tx.GetDatabaseById(resource_id);
          if (!db.ok() && db.status().code() == Code::kNotFound)
            return Status::NotFound("database " + c.resource_name + " does not exist");
          OPSCALE_RETURN_IF_ERROR(db.status());
        }
        for (const auto& g : grants) OPSCALE_RETURN_IF_ERROR(tx.InsertGrant(g));
        OPSCALE_RETURN_IF_ERROR(tx.InsertAuditEvent(e));
        // Read back in the same transaction: on SQLite a read outside one
        // pays for its own file locks.
        OPSCALE_ASSIGN_OR_RETURN(all, tx.ListGrants(t.id));
        return Status::Ok();
      },
      [&] {
        for (const auto& g : grants) core_->index().PutGrant(g);
      }));

  std::vector<Grant> on_target;
  for (auto& g : all)
    if (g.resource_type == type && g.resource_id == resource_id) on_target.push_back(std::move(g));
  return Views(org, on_target, c.database ? &*c.database : nullptr);
}

Status ServiceTokenService::RemoveAccess(const RequestContext& ctx, const std::string& org_name,
                                         const std::string& id, const std::string& database,
                                         const std::vector<std::string>& names) {
  OPSCALE_ASSIGN_OR_RETURN(AccessChange c, PrepareChange(ctx, org_name, id, database, names));
  const Organization& org = c.org;
  const ServiceToken& t = c.token;
  const ResourceType type = c.type;
  const std::string& resource_id = c.resource_id;
  const std::vector<Access>& accesses = c.accesses;
  AuditEvent e = ChangeEvent(ctx, c, "service_token.removed_access", names);
  OPSCALE_RETURN_IF_ERROR(core_->WriteCredentials(
      [&](Store& tx) {
        // The token was read before this transaction; if a concurrent delete
        // won, this is a 404 like any later write on it, not a success
        // audited after the token's deletion.
        auto still = tx.GetServiceToken(org.id, t.id);
        if (!still.ok() && still.status().code() == Code::kNotFound)
          return Status::NotFound("token " + t.id + " does not exist");
        OPSCALE_RETURN_IF_ERROR(still.status());
        for (Access a : accesses)
          OPSCALE_RETURN_IF_ERROR(tx.DeleteGrant(t.id, type, resource_id, std::string(AccessName(a))));
        return tx.InsertAuditEvent(e);
      },
      [&] {
        for (Access a : accesses)
          core_->index().RemoveGrant(t.id, type, resource_id, std::string(AccessName(a)));
      }));
  bool connect_removed = false;
  for (Access a : accesses)
    connect_removed |= a == Access::kConnectBranch || a == Access::kConnectProductionBranch ||
                       a == Access::kConnectProductionReadOnlyBranch;
  if (type == ResourceType::kDatabase && connect_removed)
    core_->Revoke({Revocation::Kind::kAccessRemoved, org.id, t.id, resource_id, "", ctx});
  return Status::Ok();
}

}  // namespace opscale
