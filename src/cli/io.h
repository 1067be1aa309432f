// The process surroundings a CLI run sees: streams, environment, terminal state, working
// directory. Run() builds one from the real process; tests build one over string streams.
// Not thread-safe: one run owns one Io.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace opscale::cli {

struct Io {
  std::ostream* out = nullptr;  // results and human messages
  std::ostream* err = nullptr;  // errors, --debug traces
  std::istream* in = nullptr;   // confirmation prompts (read only when `tty`)
  // True only when stdin, stdout and stderr are all terminals (pscale's rule).
  bool tty = false;
  // True when stdout is a terminal (colour needs this; spinners need `tty`).
  bool stdout_tty = false;
  // Environment lookup; nullopt when unset.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::string cwd;

  // Unset and empty variables are both treated as absent.
  std::string Env(const std::string& name) const {
    if (!getenv) return {};
    auto v = getenv(name);
    return v ? *v : std::string();
  }
};

}  // namespace opscale::cli
