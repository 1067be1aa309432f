#include "cli/table.h"

#include <algorithm>

namespace opscale::cli {
namespace {

bool IsWide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
         (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
         (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

std::string Pad(const std::string& s, size_t width, bool right) {
  size_t w = DisplayWidth(s);
  if (w >= width) return s;
  std::string fill(width - w, ' ');
  return right ? fill + s : s + fill;
}

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    if (i > start) words.emplace_back(s.substr(start, i - start));
  }
  return words;
}

}  // namespace

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      ++i;
      continue;
    }
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1F;
      len = 2;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    width += IsWide(cp) ? 2 : 1;
    i += len;
  }
  return width;
}

std::vector<std::string> WrapCell(std::string_view s, size_t limit) {
  if (s.size() <= limit) return {std::string(s)};
  std::vector<std::string> lines;
  std::string line;
  for (const std::string& word : SplitWords(s)) {
    if (line.empty()) {
      line = word;
    } else if (DisplayWidth(line) + 1 + DisplayWidth(word) <= limit) {
      line += ' ';
      line += word;
    } else {
      lines.push_back(line);
      line = word;
    }
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

std::string RenderTable(const Table& table) {
  if (table.rows.empty()) return "";
  const size_t cols = table.headers.size();
  std::vector<std::string> headers = table.headers;
  if (table.rows.size() > 3 && cols > 0)
    headers[0] = headers[0] + " (" + std::to_string(table.rows.size()) + ") ";

  // Each row becomes one or more physical lines (wrapped cells).
  std::vector<std::vector<std::vector<std::string>>> cells(table.rows.size());
  std::vector<size_t> widths(cols, 0);
  for (size_t c = 0; c < cols; ++c) widths[c] = DisplayWidth(headers[c]);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    cells[r].resize(cols);
    for (size_t c = 0; c < cols; ++c) {
      std::string_view v = c < table.rows[r].size() ? std::string_view(table.rows[r][c]) : std::string_view();
      cells[r][c] = WrapCell(v, kWrapLimit);
      for (const auto& l : cells[r][c]) widths[c] = std::max(widths[c], DisplayWidth(l));
    }
  }
  auto right = [&](size_t c) { return c < table.right_align.size() && table.right_align[c]; };
  auto line = [&](const std::vector<std::string>& values, bool header) {
    std::string out = "  ";
    for (size_t c = 0; c < cols; ++c) {
      if (c > 0) out += "   ";
      out += Pad(values[c], widths[c], !header && right(c));
    }
    out += "  \n";
    return out;
  };

  std::string out = line(headers, true);
  out += ' ';
  for (size_t c = 0; c < cols; ++c) {
    out.append(widths[c] + 2, '-');
    out += ' ';
  }
  out += '\n';
  for (const auto& row : cells) {
    size_t height = 1;
    for (const auto& cell : row) height = std::max(height, cell.size());
    for (size_t h = 0; h < height; ++h) {
      std::vector<std::string> values(cols);
      for (size_t c = 0; c < cols; ++c)
        if (h < row[c].size()) values[c] = row[c][h];
      out += line(values, false);
    }
  }
  return out;
}

}  // namespace opscale::cli
