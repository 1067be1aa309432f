#include "service/databases.h"

#include "common/ids.h"
#include "domain/names.h"

namespace opscale {

Result<std::vector<Database>> DatabaseService::List(const RequestContext& ctx,
                                                    const std::string& org_name) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Database> all, core_->store().ListDatabases(org.id));
  Resource org_res = Resource::Org(org.id, org.name);
  std::vector<Database> out;
  for (auto& db : all)
    if (Authorizer::CanSee(ctx.principal, org_res.Database(db.id, db.name)))
      out.push_back(std::move(db));
  return out;
}

Result<Database> DatabaseService::Create(const RequestContext& ctx, const std::string& org_name,
                                         const std::string& name, const std::string& region) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, core_->ResolveOrg(ctx, org_name));
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kCreateDatabases,
                                                Resource::Org(org.id, org.name)));
  OPSCALE_RETURN_IF_ERROR(ValidateResourceName("database", name));
  if (!region.empty()) OPSCALE_RETURN_IF_ERROR(ValidateResourceName("region", region));

  TimeMs now = NowMs();
  Database db;
  db.id = NewId();
  db.org_id = org.id;
  db.name = name;
  if (!region.empty()) db.region = region;
  db.created_by = ctx.principal.AsActor();
  db.created_at = db.updated_at = now;

  Branch main;
  main.id = NewId();
  main.database_id = db.id;
  main.name = db.default_branch;
  main.region = db.region;
  main.production = true;
  main.created_by = db.created_by;
  main.created_at = main.updated_at = now;

  std::vector<Grant> grants;
  if (ctx.principal.is_token()) {
    for (Access a : AccessSet::All(AccessLevel::kDatabase).ToVector()) {
      Grant g;
      g.id = NewId();
      g.token_id = ctx.principal.id;
      g.resource_type = ResourceType::kDatabase;
      g.resource_id = db.id;
      g.access = std::string(AccessName(a));
      g.created_at = now;
      grants.push_back(std::move(g));
    }
  }
  AuditEvent e = ServiceCore::Event(ctx, org.id, "database.created", "Database", db.id, db.name);
  // The production branch is a real schema: create it first, undo it if the store refuses.
  OPSCALE_RETURN_IF_ERROR(core_->engine().CreateSchema(ServiceCore::SchemaName(main)));
  Status st = core_->Write(
      [&](Store& tx) {
        OPSCALE_RETURN_IF_ERROR(tx.InsertDatabase(db));
        OPSCALE_RETURN_IF_ERROR(tx.InsertBranch(main));
        for (const auto& g : grants) OPSCALE_RETURN_IF_ERROR(tx.InsertGrant(g));
        return tx.InsertAuditEvent(e);
      },
      [&] {
        for (const auto& g : grants) core_->index().PutGrant(g);
      });
  if (!st.ok()) (void)core_->engine().DropSchema(ServiceCore::SchemaName(main));
  if (st.code() == Code::kConflict)
    return Status::Conflict("database " + name + " already exists in organization " + org.name);
  OPSCALE_RETURN_IF_ERROR(st);
  return db;
}

Result<Database> DatabaseService::Get(const RequestContext& ctx, const std::string& org,
                                      const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, name));
  return std::move(resolved.first);
}

Result<Database> DatabaseService::Update(const RequestContext& ctx, const std::string& org,
                                         const std::string& name, const DatabaseSettings& s) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, name));
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kWriteDatabase, resolved.second));
  Database db = std::move(resolved.first);
  if (s.require_approval_for_deploy) db.require_approval_for_deploy = *s.require_approval_for_deploy;
  if (s.notes) db.notes = *s.notes;
  db.updated_at = NowMs();
  AuditEvent e = ServiceCore::Event(ctx, db.org_id, "database.updated", "Database", db.id, db.name);
  if (s.require_approval_for_deploy)
    e.metadata_json = std::string("{\"require_approval_for_deploy\":") +
                      (db.require_approval_for_deploy ? "true" : "false") + "}";
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.UpdateDatabase(db));
    return tx.InsertAuditEvent(e);
  }));
  return db;
}

Status DatabaseService::Delete(const RequestContext& ctx, const std::string& org,
                               const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, name));
  const Resource& r = resolved.second;
  if (!Authorizer::IsAllowed(ctx.principal, Access::kDeleteDatabases, r))
    OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(ctx.principal, Access::kDeleteDatabase, r));
  const Database& db = resolved.first;
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Branch> branches, core_->store().ListBranches(db.id));
  // Revoke every password first (fail closed): an engine failure stops the delete.
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Password> passwords,
                           core_->store().ListAllPasswordsForDatabase(db.id));
  for (const auto& p : passwords) OPSCALE_RETURN_IF_ERROR(core_->engine().DropAccount(p.username));
  AuditEvent e = ServiceCore::Event(ctx, db.org_id, "database.deleted", "Database", db.id, db.name);
  OPSCALE_RETURN_IF_ERROR(core_->Write(
      [&](Store& tx) {
        OPSCALE_RETURN_IF_ERROR(tx.DeleteDatabase(db.id));
        return tx.InsertAuditEvent(e);
      },
      [&] { core_->index().RemoveDatabase(db.id); }));
  // The store no longer knows the schemas; an engine failure here leaves an
  // orphan schema with no way in (no branch, no password), never a dangling branch.
  core_->Revoke({Revocation::Kind::kDatabaseDeleted, db.org_id, "", db.id, "", ctx});
  for (const auto& b : branches) (void)core_->engine().DropSchema(ServiceCore::SchemaName(b));
  return Status::Ok();
}

Result<std::vector<Branch>> DatabaseService::ListBranches(const RequestContext& ctx,
                                                          const std::string& org,
                                                          const std::string& db) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db));
  OPSCALE_RETURN_IF_ERROR(Authorizer::AuthorizeAny(ctx.principal, BranchReadSet(),
                                                   Access::kReadBranch, resolved.second));
  return core_->store().ListBranches(resolved.first.id);
}

Result<Branch> DatabaseService::CreateBranch(const RequestContext& ctx, const std::string& org,
                                             const std::string& db_name, const std::string& name,
                                             const std::string& parent_name) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db_name));
  OPSCALE_RETURN_IF_ERROR(
      Authorizer::Authorize(ctx.principal, Access::kCreateBranch, resolved.second));
  OPSCALE_RETURN_IF_ERROR(ValidateResourceName("branch", name));
  const Database& db = resolved.first;
  std::string parent = parent_name.empty() ? db.default_branch : parent_name;
  auto parent_branch = core_->store().GetBranch(db.id, parent);
  if (!parent_branch.ok()) {
    if (parent_branch.status().code() == Code::kNotFound)
      return Status::NotFound("parent branch " + parent + " does not exist in database " + db.name);
    return parent_branch.status();
  }
  TimeMs now = NowMs();
  Branch b;
  b.id = NewId();
  b.database_id = db.id;
  b.name = name;
  b.parent_branch = parent;
  b.region = parent_branch->region;
  b.created_by = ctx.principal.AsActor();
  b.created_at = b.updated_at = now;
  AuditEvent e = ServiceCore::Event(ctx, db.org_id, "branch.created", "Branch", b.id, b.name);
  e.target_type = "Database";
  e.target_id = db.id;
  e.target_display_name = db.name;
  e.metadata_json = "{\"parent_branch\":\"" + parent + "\"}";
  if (core_->store().GetBranch(db.id, name).ok())
    return Status::Conflict("branch " + name + " already exists in database " + db.name);
  // A branch is a real schema: copy the parent's tables (no rows) first.
  OPSCALE_RETURN_IF_ERROR(core_->engine().CopySchema(ServiceCore::SchemaName(*parent_branch),
                                                     ServiceCore::SchemaName(b)));
  Status st = core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.InsertBranch(b));
    return tx.InsertAuditEvent(e);
  });
  if (!st.ok()) (void)core_->engine().DropSchema(ServiceCore::SchemaName(b));
  if (st.code() == Code::kConflict)
    return Status::Conflict("branch " + name + " already exists in database " + db.name);
  OPSCALE_RETURN_IF_ERROR(st);
  return b;
}

Result<Branch> DatabaseService::GetBranch(const RequestContext& ctx, const std::string& org,
                                          const std::string& db, const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db));
  if (!Authorizer::Held(ctx.principal, resolved.second).HasAny(BranchReadSet()))
    return Status::NotFound();
  auto b = core_->GetBranch(resolved.first.id, name);
  if (!b.ok() && b.status().code() == Code::kNotFound) return Status::NotFound();
  return b;
}

Status DatabaseService::DeleteBranch(const RequestContext& ctx, const std::string& org,
                                     const std::string& db_name, const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, GetBranch(ctx, org, db_name, name));
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db_name));
  const Database& db = resolved.first;
  Resource r = resolved.second.Branch(b.name, b.production);
  OPSCALE_RETURN_IF_ERROR(Authorizer::Authorize(
      ctx.principal, b.production ? Access::kDeleteProductionBranch : Access::kDeleteBranch, r));
  if (b.name == db.default_branch)
    return Status::Unprocessable("branch " + b.name + " is the default branch of database " +
                                 db.name + " and cannot be deleted");
  // Revoke the branch's passwords first (fail closed); their rows go with the branch.
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Password> passwords, core_->store().ListPasswords(b.id));
  for (const auto& p : passwords) OPSCALE_RETURN_IF_ERROR(core_->engine().DropAccount(p.username));
  AuditEvent e = ServiceCore::Event(ctx, db.org_id, "branch.deleted", "Branch", b.id, b.name);
  e.target_type = "Database";
  e.target_id = db.id;
  e.target_display_name = db.name;
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.DeleteBranch(b.id));
    return tx.InsertAuditEvent(e);
  }));
  core_->Revoke({Revocation::Kind::kBranchDeleted, db.org_id, "", db.id, b.name, ctx});
  (void)core_->engine().DropSchema(ServiceCore::SchemaName(b));
  return Status::Ok();
}

Result<std::vector<engine::TableDdl>> DatabaseService::BranchSchema(const RequestContext& ctx,
                                                                   const std::string& org,
                                                                   const std::string& db,
                                                                   const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(Branch b, GetBranch(ctx, org, db, name));
  return core_->engine().ListTables(ServiceCore::SchemaName(b));
}

}  // namespace opscale
