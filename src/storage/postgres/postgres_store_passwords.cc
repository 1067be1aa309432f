// PostgresStore: branch passwords.
#include "storage/postgres/postgres_store.h"

namespace opscale::postgres {
namespace {

constexpr const char* kPasswordColumns =
    "id, branch_id, database_id, org_id, name, role, username, created_by_type, created_by_id, "
    "created_by_name, created_at, updated_at, expires_at, ttl_seconds, last_used_at, "
    "connect_session";

Password ReadPassword(const Row& r) {
  Password p;
  p.id = r.Text(0);
  p.branch_id = r.Text(1);
  p.database_id = r.Text(2);
  p.org_id = r.Text(3);
  p.name = r.Text(4);
  p.role = r.Text(5);
  p.username = r.Text(6);
  p.created_by = ReadActor(r, 7);
  p.created_at = r.Int(10);
  p.updated_at = r.Int(11);
  p.expires_at = r.OptInt(12);
  p.ttl_seconds = r.OptInt(13);
  p.last_used_at = r.OptInt(14);
  p.connect_session = r.Bool(15);
  return p;
}

}  // namespace

Status PostgresStore::InsertPassword(const Password& pw) {
  Params p;
  p.Text(pw.id)
      .Text(pw.branch_id)
      .Text(pw.database_id)
      .Text(pw.org_id)
      .Text(pw.name)
      .Text(pw.role)
      .Text(pw.username);
  BindActor(p, pw.created_by);
  p.Int(pw.created_at)
      .Int(pw.updated_at)
      .OptInt(pw.expires_at)
      .OptInt(pw.ttl_seconds)
      .OptInt(pw.last_used_at)
      .Bool(pw.connect_session);
  return Write(InsertSql("passwords", kPasswordColumns), p,
               {.duplicate_id = "a password with id " + Quoted(pw.id) + " already exists",
                .duplicate_key =
                    "a password with user name " + Quoted(pw.username) + " already exists",
                .missing_parent = "branch with id " + Quoted(pw.branch_id) + " not found"})
      .status();
}

Result<Password> PostgresStore::GetPassword(const std::string& branch_id, const std::string& id) {
  return OneRow<Password>(
      Read(SelectSql(kPasswordColumns, "FROM passwords WHERE branch_id = $1 AND id = $2"),
           Params().Text(branch_id).Text(id)),
      ReadPassword, "password " + Quoted(id) + " not found");
}

Result<std::vector<Password>> PostgresStore::ListPasswords(const std::string& branch_id) {
  return CollectRows<Password>(
      Read(SelectSql(kPasswordColumns,
                     R"(FROM passwords WHERE branch_id = $1 ORDER BY created_at, id COLLATE "C")"),
           Params().Text(branch_id)),
      ReadPassword);
}

Result<std::vector<Password>> PostgresStore::ListAllPasswordsForDatabase(
    const std::string& database_id) {
  return CollectRows<Password>(
      Read(
          SelectSql(kPasswordColumns,
                    R"(FROM passwords WHERE database_id = $1 ORDER BY created_at, id COLLATE "C")"),
          Params().Text(database_id)),
      ReadPassword);
}

Status PostgresStore::UpdatePassword(const Password& pw) {
  return WriteOne(
      "UPDATE passwords SET name = $2, updated_at = $3, expires_at = $4, ttl_seconds = $5, "
      "last_used_at = $6 WHERE id = $1",
      Params()
          .Text(pw.id)
          .Text(pw.name)
          .Int(pw.updated_at)
          .OptInt(pw.expires_at)
          .OptInt(pw.ttl_seconds)
          .OptInt(pw.last_used_at),
      "password with id " + Quoted(pw.id) + " not found");
}

Status PostgresStore::DeletePassword(const std::string& id) {
  return WriteOne("DELETE FROM passwords WHERE id = $1", Params().Text(id),
                  "password with id " + Quoted(id) + " not found");
}

Result<std::vector<Password>> PostgresStore::ListExpiredPasswords(TimeMs now) {
  return CollectRows<Password>(
      Read(SelectSql(kPasswordColumns,
                     R"(FROM passwords WHERE expires_at IS NOT NULL AND expires_at <= $1 )"
                     R"(ORDER BY expires_at, id COLLATE "C")"),
           Params().Int(now)),
      ReadPassword);
}

}  // namespace opscale::postgres
