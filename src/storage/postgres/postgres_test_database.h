// TestDatabase: a fresh, empty database on a PostgreSQL server, for tests
// only (linked into test binaries, never into opscaled). Each store test
// gets its own, so tests are independent and may run in parallel against one
// server; it is dropped WITH (FORCE) when the object goes.
//
// Test specs (OPSCALE_TEST_STORE):
//   "postgres-from-file:PATH"  the server URL is in PATH, as written by
//                              scripts/test-postgres.sh (the CTest fixture)
//   "postgres://..."           the server URL itself
// The server URL names a maintenance database (e.g. /postgres) that the
// helper connects to for CREATE and DROP DATABASE.
//
// Thread-safety: none; one test thread uses it.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace opscale::postgres {

// True if `spec` names a PostgreSQL server (either form above).
bool IsPostgresTestSpec(const std::string& spec);

// The server URL a PostgreSQL test spec names.
Result<std::string> ServerUrlFromTestSpec(const std::string& spec);

// `url` with its database name replaced by `dbname`.
std::string UrlWithDatabase(const std::string& url, const std::string& dbname);

class TestDatabase {
 public:
  // Creates database t_<random hex> on the server.
  static Result<std::unique_ptr<TestDatabase>> Create(const std::string& server_url);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // A URL for the new database, to hand to OpenStore / PostgresStore::Open.
  const std::string& url() const { return url_; }
  const std::string& server_url() const { return server_url_; }

  // Runs SQL on the new database through a connection of its own (to look
  // at or tamper with it from outside the store). Returns the first column
  // of the first row, or "" when there is none.
  Result<std::string> Query(const std::string& sql);

 private:
  TestDatabase() = default;

  std::string server_url_;
  std::string name_;
  std::string url_;
  PGconn* admin_ = nullptr;  // to the maintenance database
  PGconn* conn_ = nullptr;   // to the test database, opened on first Query()
};

}  // namespace opscale::postgres
