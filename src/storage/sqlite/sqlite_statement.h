// Statement: RAII owner of one prepared SQLite statement, with positional
// binding and typed column reads. Also the mapping from SQLite result codes to
// opscale Status codes, which every SQLite file uses.
//
// Thread-safety: none of its own. A Statement belongs to one connection and is
// used only while the caller holds that connection's lock.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace opscale::sqlite {

// Maps a failed SQLite result code (extended codes enabled) to a Status:
//   unique / primary key constraint -> Conflict
//   foreign key constraint          -> NotFound (the parent row is missing)
//   NOT NULL / CHECK constraint     -> InvalidArgument
//   busy / locked                   -> Unavailable
//   anything else                   -> Internal
// The message is `context` plus SQLite's own message, which names tables and
// columns but never bound values, so no secret can leak through it.
Status ErrorStatus(sqlite3* db, int rc, std::string_view context);

// Runs one or more SQL statements that bind nothing and return no rows
// (BEGIN, COMMIT, DDL).
Status Exec(sqlite3* db, const std::string& sql);

// Finalizes the statements kept for reuse on `db`; call before closing it.
void ReleaseStatementCache(sqlite3* db);

class Statement {
 public:
  // Prepares exactly one statement, or reuses an idle one prepared earlier
  // with the same SQL on `db` (a destroyed Statement is reset and kept for
  // reuse). Fails with Internal on a syntax error.
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Each Bind* binds the next parameter: the first call binds ?1, the next
  // ?2, and so on. A binding error, or binding fewer or more values than the
  // statement has parameters, is reported by the next Step()/Run().
  Statement& BindText(std::string_view v);
  Statement& BindInt(int64_t v);
  Statement& BindBool(bool v);                                  // 0 / 1
  Statement& BindOptText(const std::optional<std::string>& v);  // nullopt -> NULL
  Statement& BindOptInt(const std::optional<int64_t>& v);       // nullopt -> NULL

  // Advances one row: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to the end; for statements whose rows (if any) are not wanted.
  Status Run();

  // The result code of the last failed Step()/Run() (SQLITE_OK if none), to
  // tell a duplicate id (SQLITE_CONSTRAINT_PRIMARYKEY) from another duplicate.
  int last_error() const { return last_error_; }
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;

  // Column reads of the current row (0-based). NULL reads as "" / 0.
  std::string Text(int col) const;
  int64_t Int(int col) const;
  bool Bool(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  // The text of a column, valid until the next Step() (no copy).
  std::string_view TextView(int col) const;
  // Like Text/OptText, but into an existing string, reusing its capacity
  // (no allocation per row when scanning millions of rows).
  void TextInto(int col, std::string& out) const;
  void OptTextInto(int col, std::optional<std::string>& out) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void NoteBind(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int next_param_ = 1;
  int bind_error_ = SQLITE_OK;
  int last_error_ = SQLITE_OK;
};

}  // namespace opscale::sqlite
