#include "cli/csv.h"

#include "cli/json_out.h"

namespace opscale::cli {
namespace {

bool NeedsQuotes(std::string_view f) {
  if (f.empty()) return false;
  if (f == "\\.") return true;
  if (f.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  unsigned char c = static_cast<unsigned char>(f[0]);
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == 0x85 || c == 0xA0;
}

}  // namespace

std::string CsvField(std::string_view f) {
  if (!NeedsQuotes(f)) return std::string(f);
  std::string out = "\"";
  for (char c : f) {
    if (c == '"')
      out += "\"\"";
    else
      out += c;
  }
  out += '"';
  return out;
}

std::string CsvStringList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += GoJsonString(items[i]);
  }
  return out + "]";
}

std::string RenderCsv(const CsvTable& table) {
  std::string out;
  auto row = [&](const std::vector<std::string>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      out += CsvField(values[i]);
    }
    out += '\n';
  };
  row(table.headers);
  for (const auto& r : table.rows) row(r);
  return out;
}

}  // namespace opscale::cli
