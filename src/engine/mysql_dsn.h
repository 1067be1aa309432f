// DsnSpec: where an existing MariaDB/MySQL server is and how to log in,
// parsed from `--mysql-dsn mysql://user:pass@host:port`. Value type.
#pragma once

#include <string>

#include "common/status.h"

namespace opscale::engine {

struct DsnSpec {
  std::string user;
  std::string password;  // may be empty; never printed
  std::string host = "127.0.0.1";
  int port = 3306;

  // "mysql://user:****@host:port" (or "mysql://user@host:port" without a
  // password): safe for logs and error messages.
  std::string Redacted() const;
};

// Accepts mysql:// or mariadb://, a user (required) and password, both
// percent-decoded, a host name, IPv4 address or [IPv6] literal, an optional
// port (default 3306) and an optional trailing "/". A database path or a
// query string is refused: opscale manages its own schemas. Errors never
// quote the input (it holds a password).
Result<DsnSpec> ParseMysqlDsn(const std::string& dsn);

}  // namespace opscale::engine
