// Helpers shared by the SqliteStore files: actor columns, turning constraint
// failures into messages that name the row, and collecting query results.
// Internal to src/storage/sqlite/. Same thread-safety as Statement.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/actor.h"
#include "storage/sqlite/sqlite_statement.h"

namespace opscale::sqlite {

// Prepares "SELECT <columns> <rest>".
inline Result<Statement> Select(sqlite3* db, std::string_view columns, std::string_view rest) {
  return Statement::Prepare(db, "SELECT " + std::string(columns) + " " + std::string(rest));
}

// Prepares "INSERT INTO <table> (<columns>) VALUES (?1, ..., ?n) <rest>" with
// one parameter per column, bound in column order.
inline Result<Statement> Insert(sqlite3* db, std::string_view table, std::string_view columns,
                                std::string_view rest = "") {
  std::string sql =
      "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (";
  int n = 1;
  for (char c : columns) n += c == ',' ? 1 : 0;
  for (int i = 1; i <= n; ++i) sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
  sql += ") " + std::string(rest);
  return Statement::Prepare(db, sql);
}

// An actor is three columns: type name, id, display name.
inline void BindActor(Statement& st, const Actor& a) {
  st.BindText(ActorTypeName(a.type)).BindText(a.id).BindText(a.display_name);
}

inline Actor ReadActor(const Statement& st, int first_col) {
  return Actor{ParseActorType(st.Text(first_col)), st.Text(first_col + 1), st.Text(first_col + 2)};
}

// What to say when a write breaks a constraint.
struct WriteErrors {
  std::string duplicate_id;    // primary key already taken
  std::string duplicate_key;   // another unique key already taken
  std::string missing_parent;  // a foreign key points nowhere
};

// Runs a write and rewrites constraint failures with `errors`' messages.
inline Status RunWrite(Statement& st, const WriteErrors& errors) {
  Status s = st.Run();
  if (s.ok()) return s;
  switch (st.last_error()) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status::Conflict(errors.duplicate_id);
    case SQLITE_CONSTRAINT_UNIQUE:
      return Status::Conflict(errors.duplicate_key);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status::NotFound(errors.missing_parent);
    default:
      return s;
  }
}

// Runs an UPDATE/DELETE of one row by key: NotFound(`missing`) if none matched.
inline Status RunOne(Statement& st, const WriteErrors& errors, std::string_view missing) {
  OPSCALE_RETURN_IF_ERROR(RunWrite(st, errors));
  if (st.Changes() == 0) return Status::NotFound(std::string(missing));
  return Status::Ok();
}

// Reads every row with `read`.
template <typename T, typename ReadFn>
Result<std::vector<T>> CollectRows(Statement& st, ReadFn read) {
  std::vector<T> out;
  while (true) {
    Result<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(st));
  }
}

// Reads exactly one row with `read`: NotFound(`missing`) if there is none.
template <typename T, typename ReadFn>
Result<T> OneRow(Statement& st, ReadFn read, std::string_view missing) {
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(std::string(missing));
  return read(st);
}

inline std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace opscale::sqlite
