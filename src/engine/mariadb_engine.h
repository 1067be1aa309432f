// MariaDB implementation of Engine, over libmariadb (Connector/C). Works
// with any MariaDB >= 10.4 reachable over TCP whose account can create
// schemas and users, grant with GRANT OPTION, read mysql.user and the
// process list, and kill connections (the private instance's opscale_admin
// has all of that). MySQL 8 mostly works (accounts get a plain-text
// IDENTIFIED BY instead of a native-password hash).
//
// Thread-safe: calls borrow a connection from a small pool (a new one is
// opened when none is idle; idle ones are pinged before reuse after a quiet
// spell and replaced when the server went away).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "engine/mysql_dsn.h"

namespace opscale::engine {

struct MariaDbEngineOptions {
  DsnSpec dsn;
  // Shown by Describe(), e.g. "private" or "external".
  std::string label = "external";
  // Hosts accounts are created for when AccountSpec::hosts is empty. Empty
  // means DefaultAccountHosts() when dsn.host is a loopback address, else
  // {"%"} (clients then reach the server from another machine).
  std::vector<std::string> account_hosts;
  // Idle connections kept for reuse.
  size_t max_idle_connections = 4;
  // Held until the engine is destroyed, after its last connection closed;
  // used to tie a PrivateMariaDb's lifetime to the engine on top of it.
  std::shared_ptr<void> keep_alive;
};

// Connects once to check the server is reachable and the login works.
// Unavailable (naming dsn.Redacted()) when it is not.
Result<std::unique_ptr<Engine>> ConnectMariaDb(MariaDbEngineOptions options);
Result<std::unique_ptr<Engine>> ConnectMariaDb(const DsnSpec& dsn);

}  // namespace opscale::engine
