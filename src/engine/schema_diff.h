// Schema diff: the DDL statements that turn one schema's tables into
// another's, computed from SHOW CREATE TABLE text (TableDdl, as
// Engine::ListTables returns it). Pure logic, no engine access.
//
// Per table the CREATE TABLE text is split into column definitions (lines
// starting with a backtick-quoted name) and keys/constraints (PRIMARY KEY,
// UNIQUE KEY, KEY, FULLTEXT KEY, SPATIAL KEY, CONSTRAINT ...). A column or key
// whose definition text differs is modified. Table options (engine, charset)
// are not compared.
//
// Statement order is the safe one: CREATE TABLE, ADD COLUMN, MODIFY COLUMN,
// ADD INDEX (a changed key is dropped and re-added in one ALTER), DROP INDEX,
// DROP COLUMN, DROP TABLE. Statements carry no schema qualifier and quote
// every identifier with backticks; they are meant to run with the target
// schema as the default database.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/sql_text.h"  // QuoteIdent

namespace opscale::engine {

// Statements that make `target` look like `source`.
std::vector<std::string> DiffTables(const std::vector<TableDdl>& target,
                                    const std::vector<TableDdl>& source);

// The table a statement from DiffTables is about ("" if not recognized).
std::string StatementTable(const std::string& statement);

}  // namespace opscale::engine
