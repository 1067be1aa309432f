#include "storage/postgres/postgres_test_database.h"

#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

namespace opscale::postgres {
namespace {

constexpr std::string_view kFromFile = "postgres-from-file:";

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

// Runs `sql` and returns the first column of the first row ("" if none).
Result<std::string> RunOn(PGconn* conn, const std::string& sql) {
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType st = PQresultStatus(res);
  Result<std::string> out = std::string();
  if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0) {
    out = std::string(PQgetvalue(res, 0, 0));
  } else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    out = Status::Internal(sql + ": " + PQerrorMessage(conn));
  }
  PQclear(res);
  return out;
}

Result<PGconn*> Connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string err = PQerrorMessage(conn);
    PQfinish(conn);
    return Status::Unavailable("cannot connect to the test PostgreSQL " + url + ": " + err);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

}  // namespace

bool IsPostgresTestSpec(const std::string& spec) {
  return StartsWith(spec, kFromFile) || StartsWith(spec, "postgres://") ||
         StartsWith(spec, "postgresql://");
}

Result<std::string> ServerUrlFromTestSpec(const std::string& spec) {
  if (!StartsWith(spec, kFromFile)) return spec;
  std::string path = spec.substr(kFromFile.size());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string url = Trimmed(text.str());
  if (!in || url.empty()) {
    return Status::Unavailable("no PostgreSQL URL in " + path +
                               "; start the test server with scripts/test-postgres.sh start " +
                               "(CTest does it in the postgres_start fixture)");
  }
  return url;
}

std::string UrlWithDatabase(const std::string& url, const std::string& dbname) {
  size_t scheme = url.find("://");
  size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  size_t query = url.find('?', authority);
  size_t path = url.find('/', authority);
  if (path == std::string::npos || (query != std::string::npos && path > query)) path = query;
  if (path == std::string::npos) return url + "/" + dbname;
  return url.substr(0, path) + "/" + dbname + (query == std::string::npos ? "" : url.substr(query));
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(const std::string& server_url) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  db->server_url_ = server_url;
  OPSCALE_ASSIGN_OR_RETURN(db->admin_, Connect(server_url));
  std::random_device rd;
  std::ostringstream name;
  name << "t_" << std::hex << rd() << rd();
  db->name_ = name.str();
  // FILE_COPY (PostgreSQL 15+) copies the template's files instead of
  // WAL-logging every block: about twice as fast for this tiny template.
  std::string sql = "CREATE DATABASE " + db->name_;
  if (PQserverVersion(db->admin_) >= 150000) sql += " STRATEGY FILE_COPY";
  OPSCALE_RETURN_IF_ERROR(RunOn(db->admin_, sql).status());
  db->url_ = UrlWithDatabase(server_url, db->name_);
  return db;
}

TestDatabase::~TestDatabase() {
  if (conn_ != nullptr) PQfinish(conn_);
  if (admin_ != nullptr) {
    if (!name_.empty()) (void)RunOn(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    PQfinish(admin_);
  }
}

Result<std::string> TestDatabase::Query(const std::string& sql) {
  if (conn_ == nullptr) {
    OPSCALE_ASSIGN_OR_RETURN(conn_, Connect(url_));
  }
  return RunOn(conn_, sql);
}

}  // namespace opscale::postgres
