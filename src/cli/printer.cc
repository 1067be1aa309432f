#include "cli/printer.h"

#include <chrono>
#include <ostream>

#include "cli/json_out.h"

namespace opscale::cli {

Printer::Printer(Format format, std::ostream& out, bool tty, bool color)
    : format_(format), out_(out), tty_(tty), color_(color) {}

Printer::~Printer() { StopSpinner(); }

void Printer::StartSpinner(std::string_view text) {
  if (!human()) return;
  StopSpinner();
  if (!tty_) {
    out_ << text << '\n';
    out_.flush();
    return;
  }
  stop_spinner_ = false;
  spinner_ = std::thread([this, label = std::string(text)] {
    static constexpr const char* kFrames[] = {"\u28fe", "\u28fd", "\u28fb", "\u28bf",
                                              "\u287f", "\u28df", "\u28ef", "\u28f7"};
    for (size_t i = 0; !stop_spinner_; ++i) {
      out_ << '\r' << kFrames[i % 8] << ' ' << label;
      out_.flush();
      for (int t = 0; t < 10 && !stop_spinner_; ++t) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
}

void Printer::StopSpinner() {
  if (!spinner_.joinable()) return;
  stop_spinner_ = true;
  spinner_.join();
  out_ << "\r\x1b[2K";
  out_.flush();
}

void Printer::Line(std::string_view text) {
  if (!human()) return;
  StopSpinner();
  out_ << text << '\n';
  out_.flush();
}

void Printer::Json(const boost::json::value& v, bool escape_html) {
  if (format_ != Format::kJson) return;
  out_ << GoJson(v, escape_html) << '\n';
  out_.flush();
}

Outcome Printer::Print(const Output& o) {
  StopSpinner();
  switch (format_) {
    case Format::kHuman:
      if (o.table.rows.empty() && !o.empty_message.empty()) {
        out_ << o.empty_message << '\n';
      } else {
        out_ << RenderTable(o.table) << '\n';
      }
      break;
    case Format::kJson: out_ << GoJson(o.json, o.escape_html) << '\n'; break;
    case Format::kCsv:
      if (!o.csv) return Classified("cannot use " + o.csv_go_type + ", only slice or array supported");
      out_ << RenderCsv(*o.csv) << '\n';
      break;
  }
  out_.flush();
  return Success();
}

std::string Printer::BoldBlue(std::string_view s) const {
  if (!color_) return std::string(s);
  return "\x1b[34;1m" + std::string(s) + "\x1b[0;22m";
}

std::string Printer::Bold(std::string_view s) const {
  if (!color_) return std::string(s);
  return "\x1b[1m" + std::string(s) + "\x1b[22m";
}

std::string Printer::BoldRed(std::string_view s) const {
  if (!color_) return std::string(s);
  return "\x1b[31;1m" + std::string(s) + "\x1b[0;22m";
}

std::string Printer::BoldGreen(std::string_view s) const {
  if (!color_) return std::string(s);
  return "\x1b[1;32m" + std::string(s) + "\x1b[22;0m";
}

}  // namespace opscale::cli
