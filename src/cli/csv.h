// CSV as pscale prints it (gocsv over Go's encoding/csv): a header row of Go field names,
// quoting only where encoding/csv quotes. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opscale::cli {

struct CsvTable {
  std::vector<std::string> headers;            // "ID", "Name", "LastUsedAt", ...
  std::vector<std::vector<std::string>> rows;  // already formatted values
};

// Header and rows, each ending in '\n'. The caller adds the blank line that follows.
std::string RenderCsv(const CsvTable& table);

// One field with encoding/csv's quoting rule (comma, quote, CR/LF, or a leading space).
std::string CsvField(std::string_view field);

// A []string cell: its JSON form (["a","b"]), quoted by CsvField when rendered.
std::string CsvStringList(const std::vector<std::string>& items);

}  // namespace opscale::cli
