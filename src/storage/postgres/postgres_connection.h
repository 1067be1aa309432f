// Connection: one libpq connection, the statements prepared on it, and the
// mapping from PostgreSQL errors (SQLSTATE) to opscale Status codes, which
// every PostgresStore file uses:
//   23505 unique violation            -> Conflict
//   23503 foreign key violation       -> NotFound (the parent row is missing)
//   23502 / 23514 NOT NULL / CHECK    -> InvalidArgument
//   40001 / 40P01 serialization / deadlock -> Unavailable, and must_retry()
//   08xxx, 53xxx, 57P0x (connection, resources, shutdown) -> Unavailable
//   anything else                     -> Internal
// Messages carry PostgreSQL's primary message only: its DETAIL would quote
// row values (token hashes among them). Nothing here reveals the password of
// the connection string (see ConninfoRedactor).
//
// Thread-safety: none of its own; the store calls it under its lock.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "storage/postgres/postgres_conninfo.h"
#include "storage/postgres/postgres_statement.h"

namespace opscale::postgres {

class Connection {
 public:
  // Connects with a libpq connection string (postgres:// URL or key=value).
  // Defaults the string may override: connect_timeout=10 s,
  // application_name=opscaled. Unavailable if the server cannot be reached,
  // refuses the login, or is older than PostgreSQL 12.
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reconnects when the server has dropped the connection (restart, idle
  // timeout, pg_terminate_backend). Call only between transactions.
  Status EnsureOpen();

  // Runs SQL that binds nothing (BEGIN, COMMIT, SAVEPOINT, DDL; may hold
  // several statements).
  Status Exec(const std::string& sql);

  // Runs one statement with parameters $1..$n. Each distinct SQL text is
  // prepared once per connection and then only executed.
  Result<Rows> Run(const std::string& sql, const Params& params);

  // What the server said about the last failed Exec/Run ("" if it succeeded
  // or the server said nothing): SQLSTATE and constraint name.
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  const std::string& last_constraint() const { return last_constraint_; }
  // The Status the last failed Exec/Run returned (Ok if it succeeded).
  const Status& last_error() const { return last_error_; }

  // True once a statement failed because of a concurrent transaction
  // (40001 / 40P01) since the last ClearMustRetry(): the whole transaction
  // must be rolled back and run again.
  bool must_retry() const { return must_retry_; }
  void ClearMustRetry() { must_retry_ = false; }

  // True inside a transaction that a failed statement has aborted.
  bool InFailedTransaction() const;
  // True once the connection is known to be dead (EnsureOpen() reconnects).
  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }

  // For messages: where this connection points, without secrets.
  const ConninfoRedactor& redactor() const { return redactor_; }

 private:
  Connection(PGconn* conn, ConninfoRedactor redactor)
      : conn_(conn), redactor_(std::move(redactor)) {}

  // Turns a failed result (or a null one: connection lost) into a Status,
  // and remembers what the server said.
  Status Failure(const PGresult* res, const char* what);
  Status Classify(const PGresult* res, const char* what);
  void ClearLastError();

  PGconn* conn_;
  ConninfoRedactor redactor_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  std::string last_sqlstate_;
  std::string last_constraint_;
  Status last_error_;
  bool must_retry_ = false;
};

}  // namespace opscale::postgres
