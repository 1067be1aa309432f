// Versioned schema migrations of the PostgreSQL store.
//
// The schema is the SQLite store's, table for table and column for column
// (sqlite/sqlite_migrations.cc), with PostgreSQL types where they differ:
// BOOLEAN flags, an identity column for the audit sequence. Migration N has
// the same version and name as SQLite's migration N; a new migration is added
// to both backends. Migrations are append-only: never edit one that shipped.
//
// Migrate() applies what is missing under a session advisory lock, so nodes
// that start together against one database wait for each other instead of
// racing; each migration commits in its own transaction together with its
// schema_migrations row.
//
// Thread-safety: Migrate() needs a connection no other thread uses.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "storage/postgres/postgres_connection.h"

namespace opscale::postgres {

struct Migration {
  int64_t version;
  const char* name;
  const char* sql;
};

// Every migration, in ascending version order.
const std::vector<Migration>& Migrations();

// The version the newest migration brings the schema to.
int64_t LatestSchemaVersion();

// Applies every migration not yet recorded. Unavailable when the database was
// migrated by a newer opscale (its version exceeds this build's).
Status Migrate(Connection& conn);

}  // namespace opscale::postgres
