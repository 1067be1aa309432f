#include "storage/sqlite/sqlite_statement.h"

#include <mutex>
#include <unordered_map>
#include <vector>

#include <utility>

namespace opscale::sqlite {

Status ErrorStatus(sqlite3* db, int rc, std::string_view context) {
  // sqlite3_errmsg describes the most recent failure on the connection; when
  // it does not match rc (e.g. a deferred bind error) use the generic text.
  const char* msg = (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db)
                                                                          : sqlite3_errstr(rc);
  std::string text = std::string(context) + ": " + msg;
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status::Conflict(std::move(text));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status::NotFound(std::move(text));
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_CHECK:
      return Status::InvalidArgument(std::move(text));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(text) + " (another opscaled holds the database lock)");
    // The file, not the request, is at fault: fail closed with 503 (the
    // server's store probe then refuses every request until it is back).
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return Status::Unavailable(std::move(text));
    default:
      return Status::Internal(std::move(text));
  }
}

Status Exec(sqlite3* db, const std::string& sql) {
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(db, rc, "sqlite");
  return Status::Ok();
}

namespace {

// Prepared statements kept for reuse, per connection: preparing is most of
// the cost of a small query. A statement is taken out while in use, so a
// query nested inside another with the same SQL prepares a second one.
struct StatementCache {
  std::mutex mu;
  std::unordered_map<sqlite3*, std::unordered_map<std::string, std::vector<sqlite3_stmt*>>> idle;
};

StatementCache& Cache() {
  static StatementCache* cache = new StatementCache;  // never destroyed: used until exit
  return *cache;
}

void ReturnToCache(sqlite3* db, sqlite3_stmt* stmt) {
  if (stmt == nullptr) return;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  StatementCache& c = Cache();
  std::lock_guard lock(c.mu);
  auto& idle = c.idle[db][sqlite3_sql(stmt)];
  if (idle.size() < 4) {
    idle.push_back(stmt);
  } else {
    sqlite3_finalize(stmt);
  }
}

}  // namespace

void ReleaseStatementCache(sqlite3* db) {
  StatementCache& c = Cache();
  std::lock_guard lock(c.mu);
  auto it = c.idle.find(db);
  if (it == c.idle.end()) return;
  for (auto& [sql, stmts] : it->second)
    for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
  c.idle.erase(it);
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  {
    StatementCache& c = Cache();
    std::lock_guard lock(c.mu);
    auto conn = c.idle.find(db);
    if (conn != c.idle.end()) {
      auto it = conn->second.find(std::string(sql));
      if (it != conn->second.end() && !it->second.empty()) {
        sqlite3_stmt* stmt = it->second.back();
        it->second.pop_back();
        return Statement(db, stmt);
      }
    }
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorStatus(db, rc, "sqlite prepare");
  }
  return Statement(db, stmt);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      next_param_(other.next_param_),
      bind_error_(other.bind_error_),
      last_error_(other.last_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    ReturnToCache(db_, stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    next_param_ = other.next_param_;
    bind_error_ = other.bind_error_;
    last_error_ = other.last_error_;
  }
  return *this;
}

Statement::~Statement() { ReturnToCache(db_, stmt_); }

void Statement::NoteBind(int rc) {
  ++next_param_;
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

Statement& Statement::BindText(std::string_view v) {
  NoteBind(sqlite3_bind_text(stmt_, next_param_, v.data(), static_cast<int>(v.size()),
                             SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::BindInt(int64_t v) {
  NoteBind(sqlite3_bind_int64(stmt_, next_param_, v));
  return *this;
}

Statement& Statement::BindBool(bool v) { return BindInt(v ? 1 : 0); }

Statement& Statement::BindOptText(const std::optional<std::string>& v) {
  if (v) return BindText(*v);
  NoteBind(sqlite3_bind_null(stmt_, next_param_));
  return *this;
}

Statement& Statement::BindOptInt(const std::optional<int64_t>& v) {
  if (v) return BindInt(*v);
  NoteBind(sqlite3_bind_null(stmt_, next_param_));
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    last_error_ = bind_error_;
    return ErrorStatus(db_, bind_error_, "sqlite bind");
  }
  // A parameter left unbound would silently store NULL: a bug, never data.
  if (next_param_ - 1 != sqlite3_bind_parameter_count(stmt_)) {
    last_error_ = SQLITE_RANGE;
    return Status::Internal("sqlite: statement has " +
                            std::to_string(sqlite3_bind_parameter_count(stmt_)) +
                            " parameters but " + std::to_string(next_param_ - 1) + " were bound");
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  last_error_ = rc;
  return ErrorStatus(db_, rc, "sqlite");
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

int64_t Statement::Changes() const { return sqlite3_changes(db_); }

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string_view Statement::TextView(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

void Statement::TextInto(int col, std::string& out) const { out.assign(TextView(col)); }

void Statement::OptTextInto(int col, std::optional<std::string>& out) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) {
    out.reset();
    return;
  }
  TextInto(col, out ? *out : out.emplace());
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::Bool(int col) const { return sqlite3_column_int64(stmt_, col) != 0; }

std::optional<std::string> Statement::OptText(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Text(col);
}

std::optional<int64_t> Statement::OptInt(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Int(col);
}

}  // namespace opscale::sqlite
