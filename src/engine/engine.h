// Engine: the data plane behind branches and passwords. A branch is one
// MariaDB schema; a password is one MariaDB account (one user name, a few
// loopback hosts) whose grants on that schema follow its role.
//
// Implementations: MariaDbEngine (mariadb_engine.h, over libmariadb) and
// NullEngine (null_engine.h, every call fails with 503 "no database engine").
// All implementations are thread-safe: any method may be called from any
// thread concurrently.
//
// Every name that reaches SQL is validated first (see sql_text.h): schemas
// and user names are [a-z0-9_-], schemas at most 64 chars, users at most 80.
// A bad name fails with InvalidArgument before any SQL is built. Passwords
// never appear in a returned message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace opscale::engine {

// What every call returns when no database engine is configured.
inline constexpr std::string_view kNoEngineMessage =
    "no database engine: install mariadb-server or pass --mysql-dsn";

// Password roles (data-plane-facts §1). Grants, on the account's schema only:
//   reader     SELECT, SHOW VIEW
//   writer     INSERT, UPDATE, DELETE. Deliberately no SELECT: a write-only
//              password must not read. MariaDB checks SELECT on every column a
//              WHERE clause reads, so a writer can INSERT and UPDATE/DELETE
//              whole tables but `UPDATE ... WHERE col = ...` is refused with
//              error 1143 (PlanetScale allows it; we fail closed instead).
//   readwriter reader + writer
//   admin      readwriter + CREATE, ALTER, DROP, INDEX, REFERENCES,
//              CREATE VIEW, CREATE TEMPORARY TABLES, LOCK TABLES; the DDL part
//              only while DDL is allowed (no safe migrations on the branch).
// Never GRANT OPTION. Caveat: MariaDB's DROP on `schema`.* also permits
// DROP DATABASE of that one schema.
enum class Role { kReader, kWriter, kReadWriter, kAdmin };

// "reader", "writer", "readwriter", "admin".
std::string_view RoleName(Role role);
// Inverse of RoleName; InvalidArgument for anything else.
Result<Role> ParseRole(std::string_view name);

// Hosts an account is created for when AccountSpec::hosts is empty:
// TCP from IPv4 and IPv6 loopback, and the unix socket ("localhost").
std::vector<std::string> DefaultAccountHosts();

struct AccountSpec {
  std::string username;  // [a-z0-9_-]{1,80}, not a reserved name
  std::string password;  // 1..512 bytes, any content; never logged
  std::string schema;    // the branch schema the grants apply to
  Role role = Role::kReader;
  bool allow_ddl = true;  // false on branches with safe migrations
  // MariaDB host patterns; empty means DefaultAccountHosts(). Use "%" when
  // clients reach the server from elsewhere (an external --mysql-dsn).
  std::vector<std::string> hosts;
};

// One base table: its name and its CREATE TABLE statement (as SHOW CREATE
// TABLE prints it, without the AUTO_INCREMENT=n table option).
struct TableDdl {
  std::string name;
  std::string ddl;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Creates an empty schema (utf8mb4). Conflict if it exists.
  virtual Status CreateSchema(const std::string& schema) = 0;
  // Drops a schema and its tables; Ok if it does not exist.
  virtual Status DropSchema(const std::string& schema) = 0;
  // Creates `to` with the character set of `from` and every base table of
  // `from` (columns, indexes, foreign keys; no rows; views are not copied).
  // NotFound if `from` is missing, Conflict if `to` exists. On failure `to`
  // is dropped again, so a copy is all or nothing.
  virtual Status CopySchema(const std::string& from, const std::string& to) = 0;
  // Base tables of a schema ordered by name. NotFound if it does not exist.
  virtual Result<std::vector<TableDdl>> ListTables(const std::string& schema) = 0;
  // DDL statements that turn target_schema's tables into source_schema's
  // (schema_diff.h: safe order, no schema qualifier, backtick-quoted names).
  // NotFound if either schema is missing.
  virtual Result<std::vector<std::string>> DiffSchemas(const std::string& target_schema,
                                                       const std::string& source_schema) = 0;
  // Runs the statements in order with `schema` as the default database; stops
  // at the first failure and returns it with the engine's message. Statements
  // already run are not undone (MariaDB DDL is not transactional).
  virtual Status ApplyDdl(const std::string& schema, const std::vector<std::string>& statements) = 0;

  // Creates the account on every host and grants by role. Conflict if the
  // user name is taken; on any other failure nothing is left behind.
  virtual Status CreateAccount(const AccountSpec& spec) = 0;
  // Drops the account on every host, then kills its sessions. Ok if absent.
  // After return the user can neither log in nor run another statement.
  virtual Status DropAccount(const std::string& username) = 0;
  // Kills every session of the user (on any host). Ok if there are none.
  virtual Status KillSessions(const std::string& username) = 0;
  // Live sessions of the user, killed ones excluded.
  virtual Result<int> CountSessions(const std::string& username) = 0;
  // Grants or revokes the DDL privileges of an admin account on `schema`
  // (safe migrations toggled). A no-op for other roles, whose grants never
  // include DDL. Revoking also kills the account's sessions: MariaDB caches
  // schema privileges per session, so only new sessions see the change.
  virtual Status SetDdlAllowed(const std::string& username, const std::string& schema, Role role,
                               bool allowed) = 0;

  // Ok when the engine answers a trivial query now.
  virtual Status Ping() = 0;
  // One line for logs, e.g. "MariaDB 10.11.19 at 127.0.0.1:40123 (private)".
  // Never contains a password.
  virtual std::string Describe() const = 0;
  // Where clients connect (for access URLs); "" and 0 without an engine.
  virtual std::string host() const = 0;
  virtual int port() const = 0;
};

}  // namespace opscale::engine
