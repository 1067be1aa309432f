// PostgresStore: databases, branches and the audit log.
#include "storage/postgres/postgres_store.h"

namespace opscale::postgres {
namespace {

constexpr const char* kDatabaseColumns =
    "id, org_id, name, region, kind, state, default_branch, notes, require_approval_for_deploy, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at";

Database ReadDatabase(const Row& r) {
  Database d;
  d.id = r.Text(0);
  d.org_id = r.Text(1);
  d.name = r.Text(2);
  d.region = r.Text(3);
  d.kind = r.Text(4);
  d.state = r.Text(5);
  d.default_branch = r.Text(6);
  d.notes = r.Text(7);
  d.require_approval_for_deploy = r.Bool(8);
  d.created_by = ReadActor(r, 9);
  d.created_at = r.Int(12);
  d.updated_at = r.Int(13);
  return d;
}

constexpr const char* kBranchColumns =
    "id, database_id, name, parent_branch, region, production, safe_migrations, ready, "
    "created_by_type, created_by_id, created_by_name, created_at, updated_at";

Branch ReadBranch(const Row& r) {
  Branch b;
  b.id = r.Text(0);
  b.database_id = r.Text(1);
  b.name = r.Text(2);
  b.parent_branch = r.Text(3);
  b.region = r.Text(4);
  b.production = r.Bool(5);
  b.safe_migrations = r.Bool(6);
  b.ready = r.Bool(7);
  b.created_by = ReadActor(r, 8);
  b.created_at = r.Int(11);
  b.updated_at = r.Int(12);
  return b;
}

// Every audit column but seq, which the identity column assigns on insert.
constexpr const char* kAuditColumns =
    "id, org_id, actor_type, actor_id, actor_display_name, action, auditable_type, auditable_id, "
    "auditable_display_name, target_type, target_id, target_display_name, metadata_json, "
    "remote_ip, created_at";

// Reads a row of "seq, " + kAuditColumns.
AuditEvent ReadAuditEvent(const Row& r) {
  AuditEvent e;
  e.seq = r.Int(0);
  e.id = r.Text(1);
  e.org_id = r.Text(2);
  e.actor = ReadActor(r, 3);
  e.action = r.Text(6);
  e.auditable_type = r.Text(7);
  e.auditable_id = r.Text(8);
  e.auditable_display_name = r.Text(9);
  e.target_type = r.Text(10);
  e.target_id = r.Text(11);
  e.target_display_name = r.Text(12);
  e.metadata_json = r.Text(13);
  e.remote_ip = r.Text(14);
  e.created_at = r.Int(15);
  return e;
}

}  // namespace

// --- Databases ---

Status PostgresStore::InsertDatabase(const Database& d) {
  Params p;
  p.Text(d.id)
      .Text(d.org_id)
      .Text(d.name)
      .Text(d.region)
      .Text(d.kind)
      .Text(d.state)
      .Text(d.default_branch)
      .Text(d.notes)
      .Bool(d.require_approval_for_deploy);
  BindActor(p, d.created_by);
  p.Int(d.created_at).Int(d.updated_at);
  return Write(InsertSql("databases", kDatabaseColumns), p,
               {.duplicate_id = "a database with id " + Quoted(d.id) + " already exists",
                .duplicate_key =
                    "a database named " + Quoted(d.name) + " already exists in this organization",
                .missing_parent = "organization with id " + Quoted(d.org_id) + " not found"})
      .status();
}

Result<Database> PostgresStore::GetDatabase(const std::string& org_id, const std::string& name) {
  return OneRow<Database>(
      Read(SelectSql(kDatabaseColumns, "FROM databases WHERE org_id = $1 AND name = $2"),
           Params().Text(org_id).Text(name)),
      ReadDatabase, "database " + Quoted(name) + " not found");
}

Result<Database> PostgresStore::GetDatabaseById(const std::string& id) {
  return OneRow<Database>(
      Read(SelectSql(kDatabaseColumns, "FROM databases WHERE id = $1"), Params().Text(id)),
      ReadDatabase, "database with id " + Quoted(id) + " not found");
}

Result<std::vector<Database>> PostgresStore::ListDatabases(const std::string& org_id) {
  return CollectRows<Database>(
      Read(SelectSql(kDatabaseColumns,
                     R"(FROM databases WHERE org_id = $1 ORDER BY name COLLATE "C")"),
           Params().Text(org_id)),
      ReadDatabase);
}

Status PostgresStore::UpdateDatabase(const Database& d) {
  return WriteOne(
      "UPDATE databases SET name = $2, region = $3, kind = $4, state = $5, default_branch = $6, "
      "notes = $7, require_approval_for_deploy = $8, updated_at = $9 WHERE id = $1",
      Params()
          .Text(d.id)
          .Text(d.name)
          .Text(d.region)
          .Text(d.kind)
          .Text(d.state)
          .Text(d.default_branch)
          .Text(d.notes)
          .Bool(d.require_approval_for_deploy)
          .Int(d.updated_at),
      "database with id " + Quoted(d.id) + " not found",
      {.duplicate_id = "",
       .duplicate_key =
           "a database named " + Quoted(d.name) + " already exists in this organization",
       .missing_parent = ""});
}

Status PostgresStore::DeleteDatabase(const std::string& id) {
  // Branches go by ON DELETE CASCADE; grants name the database only by
  // (resource_type, resource_id), so they are deleted here, in the same
  // transaction, or a token would keep access to a database recreated later
  // under the same id.
  return Transact([&](Store&) -> Status {
    OPSCALE_RETURN_IF_ERROR(WriteOne("DELETE FROM databases WHERE id = $1", Params().Text(id),
                                     "database with id " + Quoted(id) + " not found"));
    return Write("DELETE FROM grants WHERE resource_type = $1 AND resource_id = $2",
                 Params().Text(ResourceTypeName(ResourceType::kDatabase)).Text(id), {})
        .status();
  });
}

// --- Branches ---

Status PostgresStore::InsertBranch(const Branch& b) {
  Params p;
  p.Text(b.id)
      .Text(b.database_id)
      .Text(b.name)
      .Text(b.parent_branch)
      .Text(b.region)
      .Bool(b.production)
      .Bool(b.safe_migrations)
      .Bool(b.ready);
  BindActor(p, b.created_by);
  p.Int(b.created_at).Int(b.updated_at);
  return Write(InsertSql("branches", kBranchColumns), p,
               {.duplicate_id = "a branch with id " + Quoted(b.id) + " already exists",
                .duplicate_key =
                    "a branch named " + Quoted(b.name) + " already exists in this database",
                .missing_parent = "database with id " + Quoted(b.database_id) + " not found"})
      .status();
}

Result<Branch> PostgresStore::GetBranch(const std::string& database_id, const std::string& name) {
  return OneRow<Branch>(
      Read(SelectSql(kBranchColumns, "FROM branches WHERE database_id = $1 AND name = $2"),
           Params().Text(database_id).Text(name)),
      ReadBranch, "branch " + Quoted(name) + " not found");
}

Result<std::vector<Branch>> PostgresStore::ListBranches(const std::string& database_id) {
  return CollectRows<Branch>(
      Read(SelectSql(kBranchColumns,
                     R"(FROM branches WHERE database_id = $1 ORDER BY created_at, id COLLATE "C")"),
           Params().Text(database_id)),
      ReadBranch);
}

Status PostgresStore::UpdateBranch(const Branch& b) {
  return WriteOne(
      "UPDATE branches SET name = $2, parent_branch = $3, region = $4, production = $5, "
      "safe_migrations = $6, ready = $7, updated_at = $8 WHERE id = $1",
      Params()
          .Text(b.id)
          .Text(b.name)
          .Text(b.parent_branch)
          .Text(b.region)
          .Bool(b.production)
          .Bool(b.safe_migrations)
          .Bool(b.ready)
          .Int(b.updated_at),
      "branch with id " + Quoted(b.id) + " not found",
      {.duplicate_id = "",
       .duplicate_key = "a branch named " + Quoted(b.name) + " already exists in this database",
       .missing_parent = ""});
}

Status PostgresStore::DeleteBranch(const std::string& id) {
  return WriteOne("DELETE FROM branches WHERE id = $1", Params().Text(id),
                  "branch with id " + Quoted(id) + " not found");
}

// --- Audit log ---

Status PostgresStore::InsertAuditEvent(const AuditEvent& e) {
  Params p;
  p.Text(e.id).Text(e.org_id);
  BindActor(p, e.actor);
  p.Text(e.action)
      .Text(e.auditable_type)
      .Text(e.auditable_id)
      .Text(e.auditable_display_name)
      .Text(e.target_type)
      .Text(e.target_id)
      .Text(e.target_display_name)
      .Text(e.metadata_json)
      .Text(e.remote_ip)
      .Int(e.created_at);
  const std::string duplicate = "an audit event with id " + Quoted(e.id) + " already exists";
  return Write(InsertSql("audit_events", kAuditColumns), p,
               {.duplicate_id = duplicate, .duplicate_key = duplicate, .missing_parent = ""})
      .status();
}

Result<std::vector<AuditEvent>> PostgresStore::ListAuditEvents(const std::string& org_id,
                                                               int64_t before_seq, int limit) {
  if (limit <= 0) return std::vector<AuditEvent>{};
  return CollectRows<AuditEvent>(
      Read(SelectSql(std::string("seq, ") + kAuditColumns,
                     "FROM audit_events WHERE org_id = $1 AND ($2 <= 0 OR seq < $2) "
                     "ORDER BY seq DESC LIMIT $3"),
           Params().Text(org_id).Int(before_seq).Int(limit)),
      ReadAuditEvent);
}

}  // namespace opscale::postgres
