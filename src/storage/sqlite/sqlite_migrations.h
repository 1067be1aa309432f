// Versioned schema migrations of the SQLite store.
//
// Migration N is applied at most once, in its own transaction, and recorded in
// schema_migrations (version, name, applied_at). Migrations are append-only:
// never edit one that has shipped; add N+1. The SQL is kept portable (TEXT ids,
// BIGINT millisecond times, INTEGER 0/1 booleans) so the PostgreSQL backend can
// reuse it; the only SQLite-specific part is the audit sequence column.
//
// Thread-safety: Migrate() must run on a connection no other thread is using;
// concurrent processes are safe (each step re-checks inside BEGIN IMMEDIATE).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <vector>

#include "common/status.h"

namespace opscale::sqlite {

struct Migration {
  int64_t version;
  const char* name;
  const char* sql;
};

// Every migration, in ascending version order.
const std::vector<Migration>& Migrations();

// The version the newest migration brings the schema to.
int64_t LatestSchemaVersion();

// Applies every migration not yet recorded. Fails with Unavailable when the
// file was migrated by a newer opscale (its version exceeds this build's).
Status Migrate(sqlite3* db);

}  // namespace opscale::sqlite
