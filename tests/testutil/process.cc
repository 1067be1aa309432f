#include "testutil/process.h"

#include "testutil/test_logs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace opscale::testutil {

namespace {

std::vector<std::string> BuildEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) {
    if (v == "\x01unset")
      env.erase(k);
    else
      env[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

RunResult RunProcess(const std::vector<std::string>& argv_in, const std::map<std::string, std::string>& env_in,
              const std::string& stdin_text, int timeout_s) {
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env = BuildEnv(env_in);
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    auto a = CStrings(argv);
    auto e = CStrings(env);
    execve(a[0], a.data(), e.data());
    std::fprintf(stderr, "exec %s failed: %s\n", a[0], std::strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!stdin_text.empty()) {
    ssize_t n = write(in[1], stdin_text.data(), stdin_text.size());
    (void)n;
  }
  close(in[1]);
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool out_open = true, err_open = true;
  char buf[8192];
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  deadline - std::chrono::steady_clock::now())
                                  .count());
    if (ms <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, ms) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
        fds[i].fd = -1;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  KeepCommandOutput(argv, r.out, r.err);  // for the secret scan (test_logs.h)
  return r;
}

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

Background::Background(const std::vector<std::string>& argv_in,
                       const std::map<std::string, std::string>& env_in) {
  char tmpl[] = "/tmp/opscale-bg-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  argv_ = argv_in;
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env = BuildEnv(env_in);
  std::string out = dir_ + "/out", err = dir_ + "/err";
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int n = open("/dev/null", O_RDONLY);
    dup2(n, 0);
    dup2(o, 1);
    dup2(e, 2);
    auto a = CStrings(argv);
    auto ev = CStrings(env);
    execve(a[0], a.data(), ev.data());
    _exit(127);
  }
}

Background::~Background() {
  if (exit_code_ == -3 && pid_ > 0) {
    kill(pid_, SIGTERM);
    if (Wait(5000) == -2) {
      kill(pid_, SIGKILL);
      Wait(5000);
    }
  }
  KeepCommandOutput(argv_, Out(), Err());  // for the secret scan (test_logs.h)
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string Background::WaitForOutput(const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string o = Out();
    if (o.find(needle) != std::string::npos) return o;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "";
}

int Background::Wait(int timeout_ms) {
  if (exit_code_ != -3) return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -2;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Background::Signal(int sig) {
  if (exit_code_ == -3) kill(pid_, sig);
}

std::string Background::Out() const { return Slurp(dir_ + "/out"); }
std::string Background::Err() const { return Slurp(dir_ + "/err"); }

TempDir::TempDir() {
  char tmpl[] = "/tmp/opscale-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string OpscaledBin() { return OPSCALE_BIN_DIR "/opscaled"; }
std::string OpscaleBin() { return OPSCALE_BIN_DIR "/opscale"; }
std::string PscaleBin() { return OPSCALE_BIN_DIR "/pscale"; }

namespace {

// opscaled's private mariadbd costs ~5 s to install. Tests install it once per
// build (into a template, under a lock) and copy the stopped instance into
// each new data dir; opscaled then starts it like any restarted instance.
std::string MariaDbTemplate() {
  const std::string tmpl = OPSCALE_BIN_DIR "/../test-mariadb-template";
  if (std::filesystem::exists(tmpl + "/installed")) return tmpl;
  int lock = open((tmpl + ".lock").c_str(), O_RDWR | O_CREAT, 0600);
  flock(lock, LOCK_EX);
  if (!std::filesystem::exists(tmpl + "/installed")) {
    TempDir scratch;
    std::string data = scratch.path() + "/data";
    RunResult init = RunProcess({OpscaledBin(), "init", "--data-dir", data, "--org", "template",
                                 "--admin-email", "t@example.com", "--format", "json"});
    if (init.exit_code != 0) throw std::runtime_error("template init failed: " + init.err);
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::string bin = OpscaledBin();
      execl(bin.c_str(), bin.c_str(), "serve", "--data-dir", data.c_str(), "--listen",
            "127.0.0.1:0", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait until the engine finished its first start (admin.cnf written).
    for (int i = 0; i < 1200 && !std::filesystem::exists(data + "/mariadb/admin.cnf"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    std::error_code ec;
    std::filesystem::remove_all(tmpl, ec);
    std::filesystem::rename(data + "/mariadb", tmpl, ec);
    if (ec) throw std::runtime_error("cannot keep the mariadb template: " + ec.message());
  }
  flock(lock, LOCK_UN);
  close(lock);
  return tmpl;
}

}  // namespace

Server::Server(const std::string& org, const std::string& email,
               std::vector<std::string> serve_args)
    : Server(ServerOptions{org, email, std::move(serve_args)}) {}

std::string FreshPostgresDatabase(std::string* name) {
  const char* file = std::getenv("OPSCALE_TEST_PG_URL_FILE");
  if (!file || !*file) return "";
  std::ifstream in(file);
  std::string base;
  std::getline(in, base);
  if (base.empty()) throw std::runtime_error(std::string("no PostgreSQL URL in ") + file);
  size_t slash = base.find('/', base.find("://") + 3);
  static std::atomic<int> n{0};
  *name = "it_" + std::to_string(getpid()) + "_" + std::to_string(n++) + "_" +
          std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  RunResult r = RunProcess({"/usr/bin/psql", base.substr(0, slash) + "/postgres", "-qAt", "-c",
                            "CREATE DATABASE " + *name});
  if (r.exit_code != 0) throw std::runtime_error("cannot create a test database: " + r.err);
  return base.substr(0, slash) + "/" + *name;
}

void DropPostgresDatabase(const std::string& name) {
  const char* file = std::getenv("OPSCALE_TEST_PG_URL_FILE");
  if (!file || name.empty()) return;
  std::ifstream in(file);
  std::string base;
  std::getline(in, base);
  size_t slash = base.find('/', base.find("://") + 3);
  (void)RunProcess({"/usr/bin/psql", base.substr(0, slash) + "/postgres", "-qAt", "-c",
                    "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"});
}

Server::Server(const ServerOptions& o) : serve_args_(o.serve_args) {
  rate_limits_off_ = !o.default_rate_limits;
  for (const auto& a : o.serve_args)
    if (a.rfind("--rate-limit", 0) == 0) rate_limits_off_ = false;
  std::string data = dir_.path() + "/data";
  std::vector<std::string> shared;
  std::string store = o.store;
  if (store.empty() && o.init) {
    store = FreshPostgresDatabase(&own_database_);
    // Children (opscaled user create, org create, migrate) find it too.
    if (!store.empty()) setenv("OPSCALE_STORE", store.c_str(), 1);
  }
  if (!store.empty()) shared.insert(shared.end(), {"--store", store});
  store_ = store;
  if (!o.token_key_file.empty()) shared.insert(shared.end(), {"--token-key-file", o.token_key_file});
  serve_args_.insert(serve_args_.begin(), shared.begin(), shared.end());
  if (o.init) {
    std::vector<std::string> argv = {OpscaledBin(), "init", "--data-dir", data, "--org", o.org,
                                     "--admin-email", o.email, "--format", "json"};
    argv.insert(argv.end(), shared.begin(), shared.end());
    RunResult init = RunProcess(argv);
    if (init.exit_code != 0) throw std::runtime_error("opscaled init failed: " + init.err);
    auto v = boost::json::parse(init.out).as_object();
    admin_.organization = v["organization"].as_string().c_str();
    admin_.admin_email = v["admin_email"].as_string().c_str();
    admin_.admin_password = v["admin_password"].as_string().c_str();
    admin_.api_token = v["api_token"].as_string().c_str();
  } else {
    std::filesystem::create_directories(data);
    std::filesystem::permissions(data, std::filesystem::perms::owner_all);
  }
  if (o.private_mariadb) {
    std::error_code ec;
    std::filesystem::copy(MariaDbTemplate(), data + "/mariadb",
                          std::filesystem::copy_options::recursive, ec);
    if (ec) throw std::runtime_error("cannot copy the mariadb template: " + ec.message());
  }
  StartServe();
}

std::string Server::MysqlDsn() const {
  std::ifstream in(dir_.path() + "/data/mariadb/admin.cnf");
  std::string line, user, password;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    while (!k.empty() && k.back() == ' ') k.pop_back();
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    if (k == "user") user = v;
    if (k == "password") password = v;
  }
  return "mysql://" + user + ":" + password + "@127.0.0.1:" + std::to_string(MariaDbPort());
}

void Server::Restart() {
  Stop();
  StartServe();
}

void Server::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void Server::StartServe() {
  std::string data = dir_.path() + "/data";
  // In the kept test logs (test_logs.h) when they are on; Restart appends.
  if (log_path_.empty()) log_path_ = NewTestLogPath("server.log");
  if (log_path_.empty()) log_path_ = dir_.path() + "/server.log";
  int out[2];
  if (pipe(out)) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test leaves no server behind
    dup2(out[1], 1);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(log, 2);
    close(out[0]);
    close(out[1]);
    close(log);
    std::vector<std::string> args = {OpscaledBin(), "serve", "--data-dir", data, "--listen",
                                     "127.0.0.1:0"};
    for (const auto& a : serve_args_) args.push_back(a);
    if (rate_limits_off_) {
      for (const char* flag :
           {"--rate-limit-per-token", "--rate-limit-per-address", "--rate-limit-failed-auth"})
        args.insert(args.end(), {flag, "0"});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    if (read(out[0], &c, 1) != 1) break;
    if (c == '\n') break;
    line.push_back(c);
  }
  close(out[0]);
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) {
    Stop();
    throw std::runtime_error("opscaled serve did not start: '" + line + "' log: " + Log());
  }
  url_ = line.substr(prefix.size());
}

Server::~Server() {
  Stop();
  // The private MariaDB's logs go with the data dir: keep them for the scan.
  KeepLogFile(dir_.path() + "/data/mariadb/error.log", "mariadb-error.log");
  KeepLogFile(dir_.path() + "/data/mariadb/install.log", "mariadb-install.log");
  DropPostgresDatabase(own_database_);
}

int Server::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

int Server::MariaDbPort() const {
  std::string log = Log();
  const std::string marker = "(private)";
  auto end = log.find(marker);
  if (end == std::string::npos) return 0;
  auto colon = log.rfind(':', end);
  return std::atoi(log.c_str() + colon + 1);
}

RunResult Server::Sql(const std::string& sql) const {
  return RunProcess({"/usr/bin/mariadb", "--defaults-file=" + dir_.path() + "/data/mariadb/admin.cnf",
                     "-h127.0.0.1", "-P" + std::to_string(MariaDbPort()), "-N", "-B", "-e", sql});
}

std::string Server::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace opscale::testutil
