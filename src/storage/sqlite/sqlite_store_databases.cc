// SqliteStore: databases, branches and the audit log.
#include "storage/sqlite/sqlite_rows.h"
#include "storage/sqlite/sqlite_store.h"

namespace opscale::sqlite {
namespace {

constexpr const char* kDatabaseColumns =
    "id, org_id, name, region, kind, state, default_branch, notes, require_approval_for_deploy, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at";

Database ReadDatabase(const Statement& st) {
  Database d;
  d.id = st.Text(0);
  d.org_id = st.Text(1);
  d.name = st.Text(2);
  d.region = st.Text(3);
  d.kind = st.Text(4);
  d.state = st.Text(5);
  d.default_branch = st.Text(6);
  d.notes = st.Text(7);
  d.require_approval_for_deploy = st.Bool(8);
  d.created_by = ReadActor(st, 9);
  d.created_at = st.Int(12);
  d.updated_at = st.Int(13);
  return d;
}

constexpr const char* kBranchColumns =
    "id, database_id, name, parent_branch, region, production, safe_migrations, ready, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at";

Branch ReadBranch(const Statement& st) {
  Branch b;
  b.id = st.Text(0);
  b.database_id = st.Text(1);
  b.name = st.Text(2);
  b.parent_branch = st.Text(3);
  b.region = st.Text(4);
  b.production = st.Bool(5);
  b.safe_migrations = st.Bool(6);
  b.ready = st.Bool(7);
  b.created_by = ReadActor(st, 8);
  b.created_at = st.Int(11);
  b.updated_at = st.Int(12);
  return b;
}

// Every audit column but seq, which SQLite assigns on insert.
constexpr const char* kAuditColumns =
    "id, org_id, actor_type, actor_id, actor_display_name, action, auditable_type, auditable_id, "
    "auditable_display_name, target_type, target_id, target_display_name, metadata_json, "
    "remote_ip, created_at";

// Reads a row of "seq, " + kAuditColumns.
AuditEvent ReadAuditEvent(const Statement& st) {
  AuditEvent e;
  e.seq = st.Int(0);
  e.id = st.Text(1);
  e.org_id = st.Text(2);
  e.actor = ReadActor(st, 3);
  e.action = st.Text(6);
  e.auditable_type = st.Text(7);
  e.auditable_id = st.Text(8);
  e.auditable_display_name = st.Text(9);
  e.target_type = st.Text(10);
  e.target_id = st.Text(11);
  e.target_display_name = st.Text(12);
  e.metadata_json = st.Text(13);
  e.remote_ip = st.Text(14);
  e.created_at = st.Int(15);
  return e;
}

}  // namespace

// --- Databases ---

Status SqliteStore::InsertDatabase(const Database& d) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "databases", kDatabaseColumns));
  st.BindText(d.id)
      .BindText(d.org_id)
      .BindText(d.name)
      .BindText(d.region)
      .BindText(d.kind)
      .BindText(d.state)
      .BindText(d.default_branch)
      .BindText(d.notes)
      .BindBool(d.require_approval_for_deploy);
  BindActor(st, d.created_by);
  st.BindInt(d.created_at).BindInt(d.updated_at);
  return RunWrite(
      st, {.duplicate_id = "a database with id " + Quoted(d.id) + " already exists",
           .duplicate_key =
               "a database named " + Quoted(d.name) + " already exists in this organization",
           .missing_parent = "organization with id " + Quoted(d.org_id) + " not found"});
}

Result<Database> SqliteStore::GetDatabase(const std::string& org_id, const std::string& name) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Select(db(), kDatabaseColumns,
                                                "FROM databases WHERE org_id = ?1 AND name = ?2"));
  st.BindText(org_id).BindText(name);
  return OneRow<Database>(st, ReadDatabase, "database " + Quoted(name) + " not found");
}

Result<Database> SqliteStore::GetDatabaseById(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kDatabaseColumns, "FROM databases WHERE id = ?1"));
  st.BindText(id);
  return OneRow<Database>(st, ReadDatabase, "database with id " + Quoted(id) + " not found");
}

Result<std::vector<Database>> SqliteStore::ListDatabases(const std::string& org_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Select(db(), kDatabaseColumns,
                                                "FROM databases WHERE org_id = ?1 ORDER BY name"));
  st.BindText(org_id);
  return CollectRows<Database>(st, ReadDatabase);
}

Status SqliteStore::UpdateDatabase(const Database& d) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          db(),
          "UPDATE databases SET name = ?2, region = ?3, kind = ?4, state = ?5, default_branch = "
          "?6, "
          "notes = ?7, require_approval_for_deploy = ?8, updated_at = ?9 WHERE id = ?1"));
  st.BindText(d.id)
      .BindText(d.name)
      .BindText(d.region)
      .BindText(d.kind)
      .BindText(d.state)
      .BindText(d.default_branch)
      .BindText(d.notes)
      .BindBool(d.require_approval_for_deploy)
      .BindInt(d.updated_at);
  return RunOne(st,
                {.duplicate_id = "",
                 .duplicate_key =
                     "a database named " + Quoted(d.name) + " already exists in this organization",
                 .missing_parent = ""},
                "database with id " + Quoted(d.id) + " not found");
}

Status SqliteStore::DeleteDatabase(const std::string& id) {
  // Branches go by ON DELETE CASCADE; grants name the database only by
  // (resource_type, resource_id), so they are deleted here, in the same
  // transaction, or a token would keep access to a database recreated later
  // under the same id.
  return Transact([&](Store&) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(Statement database,
                             Statement::Prepare(db(), "DELETE FROM databases WHERE id = ?1"));
    database.BindText(id);
    OPSCALE_RETURN_IF_ERROR(RunOne(database, {}, "database with id " + Quoted(id) + " not found"));
    OPSCALE_ASSIGN_OR_RETURN(
        Statement grants,
        Statement::Prepare(db(),
                           "DELETE FROM grants WHERE resource_type = ?1 AND resource_id = ?2"));
    grants.BindText(ResourceTypeName(ResourceType::kDatabase)).BindText(id);
    return grants.Run();
  });
}

// --- Branches ---

Status SqliteStore::InsertBranch(const Branch& b) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "branches", kBranchColumns));
  st.BindText(b.id)
      .BindText(b.database_id)
      .BindText(b.name)
      .BindText(b.parent_branch)
      .BindText(b.region)
      .BindBool(b.production)
      .BindBool(b.safe_migrations)
      .BindBool(b.ready);
  BindActor(st, b.created_by);
  st.BindInt(b.created_at).BindInt(b.updated_at);
  return RunWrite(
      st, {.duplicate_id = "a branch with id " + Quoted(b.id) + " already exists",
           .duplicate_key = "a branch named " + Quoted(b.name) + " already exists in this database",
           .missing_parent = "database with id " + Quoted(b.database_id) + " not found"});
}

Result<Branch> SqliteStore::GetBranch(const std::string& database_id, const std::string& name) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kBranchColumns, "FROM branches WHERE database_id = ?1 AND name = ?2"));
  st.BindText(database_id).BindText(name);
  return OneRow<Branch>(st, ReadBranch, "branch " + Quoted(name) + " not found");
}

Result<std::vector<Branch>> SqliteStore::ListBranches(const std::string& database_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kBranchColumns, "FROM branches WHERE database_id = ?1 ORDER BY created_at, id"));
  st.BindText(database_id);
  return CollectRows<Branch>(st, ReadBranch);
}

Status SqliteStore::UpdateBranch(const Branch& b) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          db(),
          "UPDATE branches SET name = ?2, parent_branch = ?3, region = ?4, production = ?5, "
          "safe_migrations = ?6, ready = ?7, updated_at = ?8 WHERE id = ?1"));
  st.BindText(b.id)
      .BindText(b.name)
      .BindText(b.parent_branch)
      .BindText(b.region)
      .BindBool(b.production)
      .BindBool(b.safe_migrations)
      .BindBool(b.ready)
      .BindInt(b.updated_at);
  return RunOne(
      st,
      {.duplicate_id = "",
       .duplicate_key = "a branch named " + Quoted(b.name) + " already exists in this database",
       .missing_parent = ""},
      "branch with id " + Quoted(b.id) + " not found");
}

Status SqliteStore::DeleteBranch(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Statement::Prepare(db(), "DELETE FROM branches WHERE id = ?1"));
  st.BindText(id);
  return RunOne(st, {}, "branch with id " + Quoted(id) + " not found");
}

// --- Audit log ---

Status SqliteStore::InsertAuditEvent(const AuditEvent& e) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "audit_events", kAuditColumns));
  st.BindText(e.id).BindText(e.org_id);
  BindActor(st, e.actor);
  st.BindText(e.action)
      .BindText(e.auditable_type)
      .BindText(e.auditable_id)
      .BindText(e.auditable_display_name)
      .BindText(e.target_type)
      .BindText(e.target_id)
      .BindText(e.target_display_name)
      .BindText(e.metadata_json)
      .BindText(e.remote_ip)
      .BindInt(e.created_at);
  const std::string duplicate = "an audit event with id " + Quoted(e.id) + " already exists";
  return RunWrite(st,
                  {.duplicate_id = duplicate, .duplicate_key = duplicate, .missing_parent = ""});
}

Result<std::vector<AuditEvent>> SqliteStore::ListAuditEvents(const std::string& org_id,
                                                             int64_t before_seq, int limit) {
  if (limit <= 0) return std::vector<AuditEvent>{};
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), std::string("seq, ") + kAuditColumns,
                                  "FROM audit_events WHERE org_id = ?1 AND (?2 <= 0 OR seq < ?2) "
                                  "ORDER BY seq DESC LIMIT ?3"));
  st.BindText(org_id).BindInt(before_seq).BindInt(limit);
  return CollectRows<AuditEvent>(st, ReadAuditEvent);
}

}  // namespace opscale::sqlite
