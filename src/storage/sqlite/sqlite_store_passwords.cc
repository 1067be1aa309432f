// SqliteStore: branch passwords.
#include "storage/sqlite/sqlite_rows.h"
#include "storage/sqlite/sqlite_store.h"

namespace opscale::sqlite {
namespace {

constexpr const char* kPasswordColumns =
    "id, branch_id, database_id, org_id, name, role, username, created_by_type, created_by_id, "
    "created_by_name, created_at, updated_at, expires_at, ttl_seconds, last_used_at, "
    "connect_session";

Password ReadPassword(const Statement& st) {
  Password p;
  p.id = st.Text(0);
  p.branch_id = st.Text(1);
  p.database_id = st.Text(2);
  p.org_id = st.Text(3);
  p.name = st.Text(4);
  p.role = st.Text(5);
  p.username = st.Text(6);
  p.created_by = ReadActor(st, 7);
  p.created_at = st.Int(10);
  p.updated_at = st.Int(11);
  p.expires_at = st.OptInt(12);
  p.ttl_seconds = st.OptInt(13);
  p.last_used_at = st.OptInt(14);
  p.connect_session = st.Bool(15);
  return p;
}

}  // namespace

Status SqliteStore::InsertPassword(const Password& p) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "passwords", kPasswordColumns));
  st.BindText(p.id)
      .BindText(p.branch_id)
      .BindText(p.database_id)
      .BindText(p.org_id)
      .BindText(p.name)
      .BindText(p.role)
      .BindText(p.username);
  BindActor(st, p.created_by);
  st.BindInt(p.created_at)
      .BindInt(p.updated_at)
      .BindOptInt(p.expires_at)
      .BindOptInt(p.ttl_seconds)
      .BindOptInt(p.last_used_at)
      .BindBool(p.connect_session);
  return RunWrite(st, {.duplicate_id = "a password with id " + Quoted(p.id) + " already exists",
                       .duplicate_key = "a password with user name " + Quoted(p.username) +
                                        " already exists",
                       .missing_parent = "branch with id " + Quoted(p.branch_id) + " not found"});
}

Result<Password> SqliteStore::GetPassword(const std::string& branch_id, const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kPasswordColumns, "FROM passwords WHERE branch_id = ?1 AND id = ?2"));
  st.BindText(branch_id).BindText(id);
  return OneRow<Password>(st, ReadPassword, "password " + Quoted(id) + " not found");
}

Result<std::vector<Password>> SqliteStore::ListPasswords(const std::string& branch_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kPasswordColumns, "FROM passwords WHERE branch_id = ?1 ORDER BY created_at, id"));
  st.BindText(branch_id);
  return CollectRows<Password>(st, ReadPassword);
}

Result<std::vector<Password>> SqliteStore::ListAllPasswordsForDatabase(
    const std::string& database_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kPasswordColumns,
                           "FROM passwords WHERE database_id = ?1 ORDER BY created_at, id"));
  st.BindText(database_id);
  return CollectRows<Password>(st, ReadPassword);
}

Status SqliteStore::UpdatePassword(const Password& p) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(),
                         "UPDATE passwords SET name = ?2, updated_at = ?3, expires_at = ?4, "
                         "ttl_seconds = ?5, last_used_at = ?6 WHERE id = ?1"));
  st.BindText(p.id)
      .BindText(p.name)
      .BindInt(p.updated_at)
      .BindOptInt(p.expires_at)
      .BindOptInt(p.ttl_seconds)
      .BindOptInt(p.last_used_at);
  return RunOne(st, {}, "password with id " + Quoted(p.id) + " not found");
}

Status SqliteStore::DeletePassword(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Statement::Prepare(db(), "DELETE FROM passwords WHERE id = ?1"));
  st.BindText(id);
  return RunOne(st, {}, "password with id " + Quoted(id) + " not found");
}

Result<std::vector<Password>> SqliteStore::ListExpiredPasswords(TimeMs now) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kPasswordColumns,
             "FROM passwords WHERE expires_at IS NOT NULL AND expires_at <= ?1 "
             "ORDER BY expires_at, id"));
  st.BindInt(now);
  return CollectRows<Password>(st, ReadPassword);
}

}  // namespace opscale::sqlite
