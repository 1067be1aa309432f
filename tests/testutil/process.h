// Test helpers that run real processes: a command with captured output, and
// a running `opscaled serve` on a free loopback port. Every process started
// here is stopped by its PID.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace opscale::testutil {

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal or timeout
  std::string out;
  std::string err;
};

// Runs argv[0] with args, extra env vars (added to a clean copy of this
// process's environment; a value of "\x01unset" removes the variable), and
// optional stdin text. Kills it after `timeout_s`.
RunResult RunProcess(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {}, const std::string& stdin_text = "",
              int timeout_s = 60);

// A process running in the background with its output in files. Stopped
// (SIGTERM, then SIGKILL) by its PID on destruction.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~Background();
  pid_t pid() const { return pid_; }
  // Waits until stdout contains `needle`; returns stdout so far ("" on timeout).
  std::string WaitForOutput(const std::string& needle, int timeout_ms);
  // Waits for exit; returns the exit code, -1 for a signal, -2 on timeout.
  int Wait(int timeout_ms);
  void Signal(int sig);
  std::string Out() const;
  std::string Err() const;

 private:
  std::string dir_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int exit_code_ = -3;
};

// A fresh temporary directory, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Credentials printed by `opscaled init --format json`.
struct InitOutput {
  std::string organization, admin_email, admin_password, api_token;
};

struct ServerOptions {
  std::string org = "acme";
  std::string email = "admin@example.com";
  std::vector<std::string> serve_args;  // added to `serve`
  // "" = SQLite in the data dir, unless the test runs in the PostgreSQL pass
  // (OPSCALE_TEST_PG_URL_FILE set): then a fresh database on that server,
  // also exported as OPSCALE_STORE so `opscaled user create` etc. use it.
  // Or an explicit postgres:// URL.
  std::string store;
  bool init = true;            // false: join a store another node initialized
  std::string token_key_file;  // several nodes share one key
  bool private_mariadb = true; // false: give --mysql-dsn in serve_args
  // The suite runs from one address and some tests make many requests a
  // minute: serve runs with its rate limits off, unless this is set or
  // serve_args has a --rate-limit-* flag of its own.
  bool default_rate_limits = false;
};

// `opscaled serve` on 127.0.0.1:0 in a temp data dir.
class Server {
 public:
  explicit Server(const ServerOptions& options);
  // Runs `opscaled init` for `org` and starts `serve`. Aborts the test on failure.
  explicit Server(const std::string& org = "acme", const std::string& email = "admin@example.com",
                  std::vector<std::string> serve_args = {});
  ~Server();  // SIGTERM by PID, then wait

  const std::string& url() const { return url_; }            // http://127.0.0.1:PORT
  const std::string& data_dir() const { return dir_.path(); }
  const InitOutput& admin() const { return admin_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits; returns the exit status (or -1).
  int Stop();
  // Server's stderr log so far.
  std::string Log() const;
  // Stops and starts `serve` again on the same data dir (the port changes).
  // After Kill(), just starts it again.
  void Restart();
  // A crash: SIGKILL by PID, no shutdown of any kind, then reaps it. Its
  // private mariadbd is left running, as after a real crash (the next
  // `serve` on the data dir stops it and starts its own).
  void Kill();
  // The store `serve` runs on: a postgres:// URL in the PostgreSQL pass (or
  // when given), "" for SQLite in the data dir (data_dir() + "/data/opscale.db").
  const std::string& store_url() const { return store_; }
  // The private mariadbd's TCP port (from the server log), or 0.
  int MariaDbPort() const;
  // Runs SQL with the real `mariadb` client as the engine's admin account.
  RunResult Sql(const std::string& sql) const;
  // mysql://user:pass@127.0.0.1:PORT of the private MariaDB (for other nodes).
  std::string MysqlDsn() const;

 private:
  void StartServe();
  TempDir dir_;
  InitOutput admin_;
  std::string url_;
  pid_t pid_ = -1;
  std::string log_path_;
  std::vector<std::string> serve_args_;
  bool rate_limits_off_ = true;
  std::string store_;
  std::string own_database_;  // dropped on destruction (PostgreSQL pass)
};

// The PostgreSQL pass: a fresh database on the run's private server, as a
// postgres:// URL ("" when the test runs on SQLite).
std::string FreshPostgresDatabase(std::string* name);
void DropPostgresDatabase(const std::string& name);

std::string OpscaledBin();
std::string OpscaleBin();
std::string PscaleBin();

}  // namespace opscale::testutil
