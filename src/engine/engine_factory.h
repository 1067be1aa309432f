// OpenEngine: picks the Engine opscaled runs with, from its flags.
//   --mysql-dsn given  -> MariaDbEngine on that server (no private instance);
//   otherwise          -> a PrivateMariaDb in the data dir and a
//                         MariaDbEngine on it (the engine owns the instance:
//                         destroying the engine stops mariadbd);
//   no mariadbd found  -> NullEngine, whose Describe() says what to install.
// Thread-safe (no shared state).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "engine/engine.h"

namespace opscale::engine {

struct EngineOptions {
  std::string data_dir;   // for the private instance
  std::string mysql_dsn;  // "" = run a private instance
};

// Errors: InvalidArgument for a bad DSN; Unavailable when the DSN's server
// cannot be reached or the private instance fails to start (with the tail of
// its error log); Conflict when another opscaled manages the data dir.
Result<std::unique_ptr<Engine>> OpenEngine(const EngineOptions& options);

}  // namespace opscale::engine
