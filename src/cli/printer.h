// Writes command results in the selected format: human (tables, messages, spinners), JSON
// (indented models) or CSV. Human messages and spinners are dropped in json/csv mode.
// Not thread-safe: one Printer per run. While a spinner runs, its own thread owns the output
// stream; every other write stops the spinner first.
#pragma once

#include <atomic>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/json/value.hpp>

#include "cli/csv.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "cli/table.h"

namespace opscale::cli {

// One result in all three shapes; the printer picks the one the format asks for.
struct Output {
  Table table;
  std::string empty_message;  // human text instead of an empty table ("" prints just "\n")
  boost::json::value json;
  bool escape_html = false;  // pscale's API models escape <, >, & in JSON
  std::optional<CsvTable> csv;
  // When csv is unset: the Go type pscale names in its CSV failure
  // ("cannot use <type>, only slice or array supported").
  std::string csv_go_type;
};

class Printer {
 public:
  // `tty`: stdin, stdout and stderr are terminals (spinners animate); `color`: ANSI allowed.
  Printer(Format format, std::ostream& out, bool tty, bool color);
  ~Printer();
  Printer(const Printer&) = delete;
  Printer& operator=(const Printer&) = delete;

  Format format() const { return format_; }
  bool human() const { return format_ == Format::kHuman; }

  // Human mode only. On a TTY shows " <text>" until StopSpinner(); otherwise prints
  // "<text>\n" once.
  void StartSpinner(std::string_view text);
  void StopSpinner();

  // Human mode only: writes `text` and a newline.
  void Line(std::string_view text);

  // Writes `o` in the current format (tables and CSV are followed by a blank line).
  Outcome Print(const Output& o);

  // JSON mode only: writes `v` (for results that have no table or CSV shape).
  void Json(const boost::json::value& v, bool escape_html = false);

  std::string BoldBlue(std::string_view s) const;
  std::string Bold(std::string_view s) const;
  std::string BoldRed(std::string_view s) const;
  std::string BoldGreen(std::string_view s) const;

 private:
  Format format_;
  std::ostream& out_;
  bool tty_;
  bool color_;
  std::thread spinner_;
  std::atomic<bool> stop_spinner_{false};
};

}  // namespace opscale::cli
