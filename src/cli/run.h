// Entry point of the opscale/pscale CLI: parses the command line, resolves global flags and
// environment, runs the chosen command and returns the process exit code (0 ok, 1 action
// required, 2 error). Not thread-safe: runs once per call on the given Io.
#pragma once

#include <string>
#include <vector>

#include "cli/io.h"

namespace opscale::cli {

// Uses the real process: std::cout/std::cerr/std::cin, getenv, isatty, the working directory.
int Run(int argc, char** argv);

// `args[0]` is the program name. Everything the run reads or writes goes through `io`.
int Run(const std::vector<std::string>& args, Io& io);

}  // namespace opscale::cli
