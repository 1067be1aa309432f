// PrivateMariaDb: a mariadbd that opscaled runs for itself in
// <data_dir>/mariadb/, listening on a free port of 127.0.0.1 only.
//
// Layout of <data_dir>/mariadb/ (mode 0700):
//   data/        the datadir (mariadb-install-db on first start)
//   installed    marker written once the datadir is complete
//   admin.cnf    [client] user/password of opscale_admin, mode 0600
//   error.log    mariadbd's error log; install.log, mariadbd.out
//   mariadbd.pid, mariadbd.sock (the socket moves to /tmp when the path
//   would exceed the 108-byte sun_path limit)
//   lock         flock()ed while an opscaled manages the instance
//
// On first start root is password-less over TCP ("normal" auth); Start()
// then creates opscale_admin with a random password (saved in admin.cnf),
// and on every start drops the other root/anonymous accounts and leaves
// root@localhost usable only through unix_socket auth by the OS user root,
// so no other local user can log in.
//
// A server left running by a killed opscaled (its pid file names a live
// mariadbd with our datadir) is stopped before starting a new one.
//
// Thread-safe: Stop() may race with the destructor's Stop() or another call.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "engine/child_process.h"
#include "engine/mysql_dsn.h"

namespace opscale::engine {

struct PrivateMariaDbOptions {
  std::string data_dir;  // the opscale data dir; created if missing
  std::chrono::seconds start_timeout{60};
  std::chrono::seconds stop_timeout{30};
  // Binaries; empty means search PATH, then /usr/sbin, /usr/local/sbin
  // (/usr/bin for the installer).
  std::string mariadbd_path;
  std::string install_db_path;
  std::string buffer_pool_size = "64M";
};

class PrivateMariaDb {
 public:
  // Installs on first use, starts mariadbd and waits until it answers.
  //   Unavailable(kNoEngineMessage...) if mariadbd or the installer is missing;
  //   Conflict if another process manages this data dir;
  //   Unavailable with the tail of the error log if the server dies or does
  //   not answer within start_timeout.
  static Result<std::unique_ptr<PrivateMariaDb>> Start(const PrivateMariaDbOptions& options);
  ~PrivateMariaDb();
  PrivateMariaDb(const PrivateMariaDb&) = delete;
  PrivateMariaDb& operator=(const PrivateMariaDb&) = delete;

  // SIGTERM to the server, wait up to stop_timeout, then SIGKILL. Returns
  // once the process is gone; idempotent. Internal if it had to be killed.
  Status Stop();

  // Credentials of opscale_admin at 127.0.0.1:port (for ConnectMariaDb).
  const DsnSpec& admin_dsn() const { return admin_dsn_; }
  std::string host() const { return admin_dsn_.host; }
  int port() const { return admin_dsn_.port; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }

  // How long the last Start() spent installing (0 when already installed)
  // and from spawning mariadbd to its first answer.
  std::chrono::milliseconds install_time() const { return install_time_; }
  std::chrono::milliseconds start_time() const { return start_time_; }

 private:
  PrivateMariaDb() = default;
  Status Install(const std::string& install_db);
  Status StopStaleServer();
  // Spawns mariadbd on `port` and waits for it; `retry_port` is set when the
  // port was taken meanwhile.
  Status Launch(const std::string& mariadbd, int port, bool* retry_port);
  Status Bootstrap();

  PrivateMariaDbOptions options_;
  std::string dir_, data_dir_, socket_path_;
  int lock_fd_ = -1;
  std::mutex mu_;
  std::optional<ChildProcess> child_;  // guarded by mu_
  pid_t pid_ = -1;
  DsnSpec admin_dsn_;
  std::chrono::milliseconds install_time_{0}, start_time_{0};
};

}  // namespace opscale::engine
