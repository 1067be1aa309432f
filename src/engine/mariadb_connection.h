// MariaDbConnection: one libmariadb client connection (RAII over MYSQL*),
// with errors turned into Status values. Always TCP, utf8mb4, no
// auto-reconnect, no multi-statements, no LOAD DATA LOCAL.
//
// Not thread-safe: one thread at a time per connection (MariaDbEngine keeps a
// pool). Opening connections from many threads at once is safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/mysql_dsn.h"

struct st_mysql;

namespace opscale::engine {

// One result row; SQL NULL reads as "".
using Row = std::vector<std::string>;

class MariaDbConnection {
 public:
  // Connects and logs in. Unavailable when the server cannot be reached or
  // refuses the login; the message names dsn.Redacted(), never the password.
  // `error_number`, when given, receives the failure's error number (2xxx:
  // nobody answered; below 2000: the server answered and refused).
  static Result<std::unique_ptr<MariaDbConnection>> Open(const DsnSpec& dsn,
                                                         int connect_timeout_seconds = 5,
                                                         unsigned* error_number = nullptr);
  ~MariaDbConnection();
  MariaDbConnection(const MariaDbConnection&) = delete;
  MariaDbConnection& operator=(const MariaDbConnection&) = delete;

  // Runs one statement, discarding any result set.
  Status Exec(std::string_view sql);
  // Runs one statement that embeds a secret: a failure message then holds
  // only `what` and the error number, never server text (which may quote
  // the statement).
  Status ExecSecret(std::string_view sql, std::string_view what);
  // Runs one statement and returns its rows.
  Result<std::vector<Row>> Query(std::string_view sql);
  // Sets the session's default schema (for unqualified names).
  Status SelectDb(const std::string& schema);
  Status Ping();

  // A '...' SQL string literal of `value`, escaped by the server's rules for
  // this connection's character set (mysql_real_escape_string).
  std::string Literal(std::string_view value);

  // MariaDB/MySQL error number of the last failed call (0 if none).
  unsigned last_errno() const { return last_errno_; }
  // True after a client-side error (lost connection, timeout): the
  // connection must not be reused.
  bool broken() const { return last_errno_ >= 2000 && last_errno_ < 3000; }
  // SELECT VERSION() as read at connect time, e.g. "10.11.19-MariaDB-0+deb12u1".
  const std::string& server_version() const { return server_version_; }
  bool is_mariadb() const { return server_version_.find("MariaDB") != std::string::npos; }

 private:
  explicit MariaDbConnection(st_mysql* mysql) : mysql_(mysql) {}
  Status Fail(std::string_view context);

  st_mysql* mysql_;
  unsigned last_errno_ = 0;
  std::string server_version_;
};

// Maps a MariaDB/MySQL error number to a Status code (1007 -> Conflict,
// 1049 -> NotFound, 2xxx -> Unavailable, ...), with `message` as text.
Status StatusFromMysqlError(unsigned error_number, std::string message);

}  // namespace opscale::engine
