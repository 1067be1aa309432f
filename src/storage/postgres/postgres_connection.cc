#include "storage/postgres/postgres_connection.h"

#include <memory>
#include <utility>
#include <vector>

namespace opscale::postgres {
namespace {

constexpr int kMinServerVersion = 120000;  // GENERATED ... AS IDENTITY, stable SSI

// libpq prints server notices ("relation ... already exists, skipping") to
// stderr by default; they are expected and say nothing the caller needs.
void IgnoreNotice(void*, const char*) {}

std::string Field(const PGresult* res, int field) {
  const char* v = res != nullptr ? PQresultErrorField(res, field) : nullptr;
  return v != nullptr ? v : "";
}

struct ClearResult {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

bool Succeeded(const PGresult* res) {
  ExecStatusType st = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

bool IsRetryable(const std::string& sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

bool IsUnavailable(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("53", 0) == 0 ||
         sqlstate.rfind("57P0", 0) == 0;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  ConninfoRedactor redactor(conninfo);
  if (!redactor.parse_error().empty()) {
    return Status::Unavailable("invalid PostgreSQL connection string: " + redactor.parse_error());
  }
  // Entries before "dbname" are defaults the string may override; entries
  // after it override the string (expand_dbname semantics).
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding",
                        nullptr};
  const char* values[] = {"10", "opscaled", conninfo.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Unavailable("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string err = redactor.Scrub(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to " + redactor.target() + ": " + err);
  }
  if (PQserverVersion(conn) < kMinServerVersion) {
    int v = PQserverVersion(conn);
    PQfinish(conn);
    return Status::Unavailable(redactor.target() + " runs version " + std::to_string(v / 10000) +
                               "; opscale needs PostgreSQL 12 or newer");
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn, std::move(redactor)));
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::EnsureOpen() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  prepared_.clear();  // they died with the old session
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Status::Unavailable("cannot reconnect to " + redactor_.target() + ": " +
                               redactor_.Scrub(PQerrorMessage(conn_)));
  }
  return Status::Ok();
}

bool Connection::InFailedTransaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

void Connection::ClearLastError() {
  last_sqlstate_.clear();
  last_constraint_.clear();
  last_error_ = Status::Ok();
}

Status Connection::Failure(const PGresult* res, const char* what) {
  last_sqlstate_ = Field(res, PG_DIAG_SQLSTATE);
  last_constraint_ = Field(res, PG_DIAG_CONSTRAINT_NAME);
  last_error_ = Classify(res, what);
  return last_error_;
}

Status Connection::Classify(const PGresult* res, const char* what) {
  if (res == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    return Status::Unavailable("lost the connection to " + redactor_.target() + ": " +
                               redactor_.Scrub(PQerrorMessage(conn_)));
  }
  std::string primary = Field(res, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) primary = redactor_.Scrub(PQresultErrorMessage(res));
  std::string text = std::string("postgres ") + what + ": " + primary;
  const std::string& state = last_sqlstate_;
  if (state == "23505") return Status::Conflict(std::move(text));
  if (state == "23503") return Status::NotFound(std::move(text));
  if (state == "23502" || state == "23514") return Status::InvalidArgument(std::move(text));
  if (IsRetryable(state)) {
    must_retry_ = true;
    return Status::Unavailable(std::move(text) + " (a concurrent transaction; try again)");
  }
  if (IsUnavailable(state)) return Status::Unavailable(std::move(text));
  return Status::Internal(std::move(text) + " [" + state + "]");
}

Status Connection::Exec(const std::string& sql) {
  ClearLastError();
  ResultPtr res(PQexec(conn_, sql.c_str()));
  if (Succeeded(res.get())) return Status::Ok();
  return Failure(res.get(), "exec");
}

Result<Rows> Connection::Run(const std::string& sql, const Params& params) {
  ClearLastError();
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "opscale_" + std::to_string(prepared_.size() + 1);
    ResultPtr res(PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), params.types()));
    if (!Succeeded(res.get())) return Failure(res.get(), "prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values = params.values();
  ResultPtr res(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), nullptr,
                               nullptr, /*resultFormat=*/0));
  if (!Succeeded(res.get())) return Failure(res.get(), "query");
  return Rows(res.release());
}

}  // namespace opscale::postgres
