#include "engine/schema_diff.h"

#include <map>
#include <optional>
#include <sstream>

namespace opscale::engine {
namespace {

// Reads a backtick-quoted identifier at s[pos] (which must be '`'); sets
// *end past the closing backtick.
std::optional<std::string> ReadIdent(const std::string& s, size_t pos, size_t* end) {
  if (pos >= s.size() || s[pos] != '`') return std::nullopt;
  std::string out;
  for (size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == '`') {
      if (i + 1 < s.size() && s[i + 1] == '`') {
        out += '`';
        ++i;
        continue;
      }
      if (end) *end = i + 1;
      return out;
    }
    out += s[i];
  }
  return std::nullopt;
}

struct Part {
  std::string name;  // column name, or key name ("PRIMARY" for the primary key)
  std::string def;   // the definition line, without the trailing comma
};

enum class KeyKind { kIndex, kPrimary, kForeignKey, kCheck };

struct Key {
  std::string name;
  std::string def;
  KeyKind kind = KeyKind::kIndex;
};

struct Table {
  std::string name;
  std::string ddl;
  std::vector<Part> columns;
  std::vector<Key> keys;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

Table Parse(const TableDdl& t) {
  Table out{t.name, t.ddl, {}, {}};
  std::istringstream in(t.ddl);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {  // CREATE TABLE `x` (
      first = false;
      continue;
    }
    std::string l = Trim(line);
    if (StartsWith(l, ")")) break;
    if (!l.empty() && l.back() == ',') l.pop_back();
    if (l.empty()) continue;
    if (l[0] == '`') {
      size_t end = 0;
      auto name = ReadIdent(l, 0, &end);
      if (name) out.columns.push_back({*name, l});
      continue;
    }
    Key k;
    k.def = l;
    if (StartsWith(l, "PRIMARY KEY")) {
      k.name = "PRIMARY";
      k.kind = KeyKind::kPrimary;
    } else {
      size_t tick = l.find('`');
      size_t end = 0;
      auto name = tick == std::string::npos ? std::nullopt : ReadIdent(l, tick, &end);
      if (!name) continue;
      k.name = *name;
      if (StartsWith(l, "CONSTRAINT")) {
        k.kind = l.find(" FOREIGN KEY ", end) != std::string::npos ? KeyKind::kForeignKey
                                                                    : KeyKind::kCheck;
      }
    }
    out.keys.push_back(std::move(k));
  }
  return out;
}

std::string DropKey(const Key& k) {
  switch (k.kind) {
    case KeyKind::kPrimary:
      return "DROP PRIMARY KEY";
    case KeyKind::kForeignKey:
      return "DROP FOREIGN KEY " + QuoteIdent(k.name);
    case KeyKind::kCheck:
      return "DROP CONSTRAINT " + QuoteIdent(k.name);
    case KeyKind::kIndex:
      break;
  }
  return "DROP INDEX " + QuoteIdent(k.name);
}

std::string AddKey(const Key& k) { return "ADD " + k.def; }

const Key* FindKey(const std::vector<Key>& keys, const std::string& name) {
  for (const auto& k : keys)
    if (k.name == name) return &k;
  return nullptr;
}
const Part* FindColumn(const std::vector<Part>& cols, const std::string& name) {
  for (const auto& c : cols)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

std::string StatementTable(const std::string& statement) {
  for (const char* prefix : {"CREATE TABLE ", "ALTER TABLE ", "DROP TABLE "}) {
    if (StartsWith(statement, prefix)) {
      size_t end = 0;
      auto name = ReadIdent(statement, std::string(prefix).size(), &end);
      return name.value_or("");
    }
  }
  return "";
}

std::vector<std::string> DiffTables(const std::vector<TableDdl>& target,
                                    const std::vector<TableDdl>& source) {
  std::map<std::string, Table> from, to;
  for (const auto& t : target) from.emplace(t.name, Parse(t));
  for (const auto& t : source) to.emplace(t.name, Parse(t));

  std::vector<std::string> creates, add_cols, modify_cols, add_keys, drop_keys, drop_cols, drops;
  for (const auto& [name, src] : to) {
    auto it = from.find(name);
    if (it == from.end()) {
      creates.push_back(src.ddl);
      continue;
    }
    const Table& dst = it->second;
    const std::string alter = "ALTER TABLE " + QuoteIdent(name) + " ";
    // Columns, in the source's order (new ones placed after their predecessor).
    for (size_t i = 0; i < src.columns.size(); ++i) {
      const Part& c = src.columns[i];
      const Part* old = FindColumn(dst.columns, c.name);
      if (!old) {
        std::string pos = i == 0 ? " FIRST" : " AFTER " + QuoteIdent(src.columns[i - 1].name);
        add_cols.push_back(alter + "ADD COLUMN " + c.def + pos);
      } else if (old->def != c.def) {
        modify_cols.push_back(alter + "MODIFY COLUMN " + c.def);
      }
    }
    for (const Part& c : dst.columns)
      if (!FindColumn(src.columns, c.name)) drop_cols.push_back(alter + "DROP COLUMN " + QuoteIdent(c.name));
    for (const Key& k : src.keys) {
      const Key* old = FindKey(dst.keys, k.name);
      if (!old) {
        add_keys.push_back(alter + AddKey(k));
      } else if (old->def != k.def) {
        add_keys.push_back(alter + DropKey(*old) + ", " + AddKey(k));
      }
    }
    for (const Key& k : dst.keys)
      if (!FindKey(src.keys, k.name)) drop_keys.push_back(alter + DropKey(k));
  }
  for (const auto& [name, dst] : from)
    if (!to.count(name)) drops.push_back("DROP TABLE " + QuoteIdent(name));

  std::vector<std::string> out;
  for (auto* group : {&creates, &add_cols, &modify_cols, &add_keys, &drop_keys, &drop_cols, &drops})
    out.insert(out.end(), group->begin(), group->end());
  return out;
}

}  // namespace opscale::engine
