#include "engine/mariadb_connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <mutex>

namespace opscale::engine {
namespace {

// mysql_library_init is not thread-safe; mysql_init calls it implicitly.
void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

}  // namespace

Status StatusFromMysqlError(unsigned error_number, std::string message) {
  switch (error_number) {
    case ER_DB_CREATE_EXISTS:
    case ER_TABLE_EXISTS_ERROR:
    case ER_CANNOT_USER:
      return Status::Conflict(std::move(message));
    case ER_DB_DROP_EXISTS:
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
      return Status::NotFound(std::move(message));
    case ER_CON_COUNT_ERROR:
    case ER_TOO_MANY_USER_CONNECTIONS:
    case ER_SERVER_SHUTDOWN:
    case ER_ACCESS_DENIED_ERROR:  // our own login was refused
      return Status::Unavailable(std::move(message));
    default:
      break;
  }
  if (error_number >= CR_MIN_ERROR && error_number <= CR_MAX_ERROR) {
    return Status::Unavailable(std::move(message));
  }
  // Anything else (including a missing privilege of the engine's own
  // account) is the operator's problem, not the API caller's.
  return Status::Internal(std::move(message));
}

Result<std::unique_ptr<MariaDbConnection>> MariaDbConnection::Open(const DsnSpec& dsn,
                                                                   int connect_timeout_seconds,
                                                                   unsigned* error_number) {
  InitLibraryOnce();
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return Status::Internal("mariadb: out of memory in mysql_init");
  unsigned int connect_timeout = static_cast<unsigned>(connect_timeout_seconds);
  unsigned int io_timeout = 120;
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  my_bool off = 0;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(mysql, MYSQL_OPT_RECONNECT, &off);
  mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &off);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(mysql, dsn.host.c_str(), dsn.user.c_str(), dsn.password.c_str(), nullptr,
                         static_cast<unsigned>(dsn.port), nullptr, 0) == nullptr) {
    unsigned code = mysql_errno(mysql);
    if (error_number != nullptr) *error_number = code;
    std::string text = mysql_error(mysql);
    mysql_close(mysql);
    return Status::Unavailable("cannot connect to MariaDB at " + dsn.Redacted() + ": " + text +
                               " (" + std::to_string(code) + ")");
  }
  std::unique_ptr<MariaDbConnection> conn(new MariaDbConnection(mysql));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Row> rows, conn->Query("SELECT VERSION()"));
  if (!rows.empty() && !rows[0].empty()) conn->server_version_ = rows[0][0];
  return conn;
}

MariaDbConnection::~MariaDbConnection() { mysql_close(mysql_); }

Status MariaDbConnection::Fail(std::string_view context) {
  last_errno_ = mysql_errno(mysql_);
  std::string message = "mariadb";
  if (!context.empty()) message += " (" + std::string(context) + ")";
  message += ": " + std::string(mysql_error(mysql_)) + " (" + std::to_string(last_errno_) + ")";
  return StatusFromMysqlError(last_errno_, std::move(message));
}

Status MariaDbConnection::Exec(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Fail("");
  if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
  if (mysql_errno(mysql_) != 0) return Fail("");
  last_errno_ = 0;
  return Status::Ok();
}

Status MariaDbConnection::ExecSecret(std::string_view sql, std::string_view what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) == 0) {
    if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
    last_errno_ = 0;
    return Status::Ok();
  }
  last_errno_ = mysql_errno(mysql_);
  return StatusFromMysqlError(last_errno_, "mariadb: " + std::string(what) + " failed (" +
                                               std::to_string(last_errno_) + ")");
}

Result<std::vector<Row>> MariaDbConnection::Query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Fail("");
  MYSQL_RES* res = mysql_store_result(mysql_);
  std::vector<Row> rows;
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) return Fail("reading rows");
    last_errno_ = 0;
    return rows;
  }
  unsigned columns = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    Row out;
    out.reserve(columns);
    for (unsigned i = 0; i < columns; ++i) {
      out.emplace_back(row[i] != nullptr ? std::string(row[i], lengths[i]) : std::string());
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(res);
  last_errno_ = 0;
  return rows;
}

Status MariaDbConnection::SelectDb(const std::string& schema) {
  if (mysql_select_db(mysql_, schema.c_str()) != 0) return Fail("selecting the schema");
  last_errno_ = 0;
  return Status::Ok();
}

Status MariaDbConnection::Ping() {
  if (mysql_ping(mysql_) != 0) return Fail("ping");
  last_errno_ = 0;
  return Status::Ok();
}

std::string MariaDbConnection::Literal(std::string_view value) {
  std::string out(value.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_, out.data(), value.data(), value.size());
  out.resize(n);
  return "'" + out + "'";
}

}  // namespace opscale::engine
