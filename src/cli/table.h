// The human table pscale prints (lensesio/tableprinter style): two-space indent, a dash
// separator under the header, three spaces between columns, two trailing spaces, the row count
// in the first header above three rows, long cells word-wrapped. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opscale::cli {

struct Table {
  std::vector<std::string> headers;            // already upper-case ("LAST USED AT")
  std::vector<std::vector<std::string>> rows;  // one string per column
  std::vector<bool> right_align;               // per column; missing entries mean left
};

// The table's lines, each ending in '\n'; "" for a table without rows. The caller adds the
// blank line that follows every table.
std::string RenderTable(const Table& table);

// Display width: ANSI escape sequences count 0, East Asian wide characters 2.
size_t DisplayWidth(std::string_view s);

// Greedy word wrap to `limit` columns; a single longer word stays whole.
std::vector<std::string> WrapCell(std::string_view s, size_t limit);

inline constexpr size_t kWrapLimit = 60;

}  // namespace opscale::cli
