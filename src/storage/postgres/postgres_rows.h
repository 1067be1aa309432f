// Helpers shared by the PostgresStore files: SQL builders, actor columns,
// constraint failures rewritten into messages that name the row, and
// collecting query results. Internal to src/storage/postgres/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/actor.h"
#include "storage/postgres/postgres_statement.h"

namespace opscale::postgres {

// "SELECT <columns> <rest>".
inline std::string SelectSql(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

// "INSERT INTO <table> (<columns>) VALUES ($1, ..., $n) <rest>", one
// parameter per column, bound in column order.
inline std::string InsertSql(std::string_view table, std::string_view columns,
                             std::string_view rest = "") {
  std::string sql =
      "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (";
  int n = 1;
  for (char c : columns) n += c == ',' ? 1 : 0;
  for (int i = 1; i <= n; ++i) sql += (i > 1 ? ", $" : "$") + std::to_string(i);
  sql += ") " + std::string(rest);
  return sql;
}

// An actor is three columns: type name, id, display name.
inline void BindActor(Params& p, const Actor& a) {
  p.Text(ActorTypeName(a.type)).Text(a.id).Text(a.display_name);
}

inline Actor ReadActor(const Row& r, int first_col) {
  return Actor{ParseActorType(r.Text(first_col)), r.Text(first_col + 1), r.Text(first_col + 2)};
}

// What to say when a write breaks a constraint.
struct WriteErrors {
  std::string duplicate_id;    // primary key already taken
  std::string duplicate_key;   // another unique key already taken
  std::string missing_parent;  // a foreign key points nowhere
};

// Reads every row with `read`.
template <typename T, typename ReadFn>
Result<std::vector<T>> CollectRows(const Result<Rows>& rows, ReadFn read) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(read((*rows)[i]));
  return out;
}

// Reads the first row with `read`: NotFound(`missing`) if there is none.
template <typename T, typename ReadFn>
Result<T> OneRow(const Result<Rows>& rows, ReadFn read, std::string_view missing) {
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return Status::NotFound(std::string(missing));
  return read((*rows)[0]);
}

inline std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace opscale::postgres
