#include "engine/private_mariadb.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/crypto.h"
#include "common/ids.h"
#include "engine/engine.h"
#include "engine/mariadb_connection.h"
#include "engine/sql_text.h"

namespace opscale::engine {
namespace {

namespace fs = std::filesystem;
using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxSocketPath = 100;  // sun_path holds 108 bytes
constexpr std::string_view kLogFileSize = "16M";

Ms Since(Clock::time_point start) { return std::chrono::duration_cast<Ms>(Clock::now() - start); }

// A port the kernel considered free a moment ago (bind to 0, read, close).
Result<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port <= 0) return Status::Internal("cannot find a free port on 127.0.0.1");
  return port;
}

Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::Internal("cannot write " + tmp + ": " + std::strerror(errno));
  fchmod(fd, mode);
  bool ok = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return Status::Internal("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// user and password from a [client] section written by Bootstrap().
std::optional<std::pair<std::string, std::string>> ReadAdminCnf(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string user, password;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("user=", 0) == 0) user = line.substr(5);
    if (line.rfind("password=", 0) == 0) password = line.substr(9);
  }
  if (user.empty() || password.empty()) return std::nullopt;
  return std::make_pair(user, password);
}

bool IsOurServer(pid_t pid, const std::string& data_dir) {
  std::vector<std::string> cmd = ProcessCommandLine(pid);
  if (cmd.empty()) return false;
  std::string exe = fs::path(cmd[0]).filename().string();
  if (exe != "mariadbd" && exe != "mysqld") return false;
  for (const std::string& arg : cmd) {
    if (arg == "--datadir=" + data_dir) return true;
  }
  return false;
}

// Pids of mariadbd processes serving `data_dir`: the pid file's, and any
// other found in /proc (the pid file may be gone).
std::vector<pid_t> FindServers(const std::string& pid_file, const std::string& data_dir) {
  std::vector<pid_t> found;
  std::ifstream in(pid_file);
  long long from_file = 0;
  if (in >> from_file && from_file > 0 && IsOurServer(static_cast<pid_t>(from_file), data_dir)) {
    found.push_back(static_cast<pid_t>(from_file));
  }
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      char* end = nullptr;
      long pid = std::strtol(entry->d_name, &end, 10);
      if (pid <= 0 || *end != '\0' || pid == from_file) continue;
      if (IsOurServer(static_cast<pid_t>(pid), data_dir)) found.push_back(static_cast<pid_t>(pid));
    }
    closedir(proc);
  }
  return found;
}

std::string SocketPathFor(const std::string& dir) {
  std::string path = dir + "/mariadbd.sock";
  if (path.size() < kMaxSocketPath) return path;
  return "/tmp/opscale-mariadb-" + crypto::Hex(crypto::Sha256(dir)).substr(0, 16) + ".sock";
}

}  // namespace

Result<std::unique_ptr<PrivateMariaDb>> PrivateMariaDb::Start(
    const PrivateMariaDbOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("the data dir is not set");
  std::string mariadbd = options.mariadbd_path;
  if (mariadbd.empty()) {
    mariadbd = FindExecutable("mariadbd", {"/usr/sbin", "/usr/local/sbin"}).value_or("");
  }
  if (mariadbd.empty() || access(mariadbd.c_str(), X_OK) != 0) {
    return Status::Unavailable(std::string(kNoEngineMessage));
  }

  std::unique_ptr<PrivateMariaDb> db(new PrivateMariaDb());
  db->options_ = options;
  std::error_code ec;
  fs::path base = fs::absolute(options.data_dir, ec);
  if (ec) return Status::Internal("bad data dir " + options.data_dir + ": " + ec.message());
  db->dir_ = (base.lexically_normal() / "mariadb").string();
  db->data_dir_ = db->dir_ + "/data";
  db->socket_path_ = SocketPathFor(db->dir_);
  fs::create_directories(db->dir_, ec);
  if (ec) return Status::Internal("cannot create " + db->dir_ + ": " + ec.message());
  chmod(db->dir_.c_str(), 0700);

  std::string lock_path = db->dir_ + "/lock";
  db->lock_fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (db->lock_fd_ < 0) {
    return Status::Internal("cannot open " + lock_path + ": " + std::strerror(errno));
  }
  if (flock(db->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::Conflict("the MariaDB instance in " + db->dir_ +
                            " is managed by another running opscaled");
  }
  OPSCALE_RETURN_IF_ERROR(db->StopStaleServer());

  if (!fs::exists(db->dir_ + "/installed", ec)) {
    std::string install_db = options.install_db_path;
    if (install_db.empty()) {
      install_db = FindExecutable("mariadb-install-db", {"/usr/bin", "/usr/local/bin", "/usr/sbin"})
                       .value_or("");
    }
    if (install_db.empty()) return Status::Unavailable(std::string(kNoEngineMessage));
    // mariadb-install-db has been seen to exit 1 with an empty log under heavy
    // load; one retry from a clean directory makes first starts dependable.
    Status installed = db->Install(install_db);
    if (!installed.ok()) installed = db->Install(install_db);
    OPSCALE_RETURN_IF_ERROR(installed);
  }
  for (int attempt = 0;; ++attempt) {
    OPSCALE_ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
    bool retry_port = false;
    Status st = db->Launch(mariadbd, port, &retry_port);
    if (st.ok()) break;
    if (!retry_port || attempt == 2) return st;
  }
  OPSCALE_RETURN_IF_ERROR(db->Bootstrap());  // on failure the destructor stops the server
  return db;
}

PrivateMariaDb::~PrivateMariaDb() {
  (void)Stop();
  if (lock_fd_ >= 0) close(lock_fd_);
}

Status PrivateMariaDb::StopStaleServer() {
  std::string pid_file = dir_ + "/mariadbd.pid";
  for (pid_t pid : FindServers(pid_file, data_dir_)) {
    TerminateForeignProcess(pid, options_.stop_timeout);
    if (ProcessAlive(pid)) {
      return Status::Unavailable("a mariadbd (pid " + std::to_string(pid) + ") left running on " +
                                 data_dir_ + " could not be stopped");
    }
  }
  unlink(pid_file.c_str());
  unlink(socket_path_.c_str());
  return Status::Ok();
}

Status PrivateMariaDb::Install(const std::string& install_db) {
  auto start = Clock::now();
  std::error_code ec;
  fs::remove_all(data_dir_, ec);  // an interrupted install: no "installed" marker yet
  fs::create_directories(data_dir_, ec);
  if (ec) return Status::Internal("cannot create " + data_dir_ + ": " + ec.message());
  std::vector<std::string> argv = {install_db, "--no-defaults", "--datadir=" + data_dir_};
  if (geteuid() == 0) argv.push_back("--user=root");  // refuses to run as root otherwise
  for (std::string arg :
       {"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"}) {
    argv.push_back(arg);
  }
  argv.push_back("--innodb-log-file-size=" + std::string(kLogFileSize));
  argv.push_back("--innodb-buffer-pool-size=" + options_.buffer_pool_size);
  std::string log = dir_ + "/install.log";
  OPSCALE_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(argv, log));
  if (!child.WaitFor(options_.start_timeout)) {
    child.Terminate(Ms(1000));
    return Status::Unavailable("mariadb-install-db did not finish in time; see " + log);
  }
  if (!child.ExitedCleanly()) {
    return Status::Unavailable("mariadb-install-db " + child.DescribeExit() + "; last lines of " +
                               log + ":\n" + TailOfFile(log, 12));
  }
  OPSCALE_RETURN_IF_ERROR(WriteFileAtomic(dir_ + "/installed", "", 0600));
  install_time_ = Since(start);
  return Status::Ok();
}

Status PrivateMariaDb::Launch(const std::string& mariadbd, int port, bool* retry_port) {
  std::string error_log = dir_ + "/error.log";
  std::error_code ec;
  auto log_offset = static_cast<long long>(fs::file_size(error_log, ec));
  if (ec) log_offset = 0;
  std::vector<std::string> argv = {mariadbd, "--no-defaults"};
  if (geteuid() == 0) argv.push_back("--user=root");
  for (std::string arg :
       {"--datadir=" + data_dir_, "--socket=" + socket_path_,
        "--pid-file=" + dir_ + "/mariadbd.pid", "--port=" + std::to_string(port),
        std::string("--bind-address=127.0.0.1"), std::string("--skip-name-resolve"),
        "--log-error=" + error_log, "--innodb-buffer-pool-size=" + options_.buffer_pool_size,
        "--innodb-log-file-size=" + std::string(kLogFileSize),
        std::string("--innodb-buffer-pool-dump-at-shutdown=0"),
        std::string("--innodb-buffer-pool-load-at-startup=0"),
        std::string("--character-set-server=utf8mb4"),
        std::string("--collation-server=utf8mb4_unicode_ci"), std::string("--local-infile=0")}) {
    argv.push_back(std::move(arg));
  }
  auto start = Clock::now();
  OPSCALE_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(argv, dir_ + "/mariadbd.out"));
  // Probe as the account that exists: root before the first bootstrap.
  DsnSpec probe{"root", "", "127.0.0.1", port};
  if (auto creds = ReadAdminCnf(dir_ + "/admin.cnf")) {
    probe.user = creds->first;
    probe.password = creds->second;
  }
  auto deadline = start + options_.start_timeout;
  while (true) {
    if (!child.Running()) {
      std::string tail = TailOfFile(error_log, 12, log_offset);
      *retry_port = tail.find("Address already in use") != std::string::npos;
      return Status::Unavailable("mariadbd " + child.DescribeExit() +
                                 " while starting; last lines of " + error_log + ":\n" + tail);
    }
    unsigned error_number = 2000;
    // A refusal (error below 2000) also proves the server is answering.
    if (MariaDbConnection::Open(probe, 1, &error_number).ok() || error_number < 2000) break;
    if (Clock::now() >= deadline) {
      child.Terminate(Ms(2000));
      return Status::Unavailable("mariadbd did not answer on 127.0.0.1:" + std::to_string(port) +
                                 " within " + std::to_string(options_.start_timeout.count()) +
                                 " s; last lines of " + error_log + ":\n" +
                                 TailOfFile(error_log, 12, log_offset));
    }
    std::this_thread::sleep_for(Ms(50));
  }
  start_time_ = Since(start);
  std::lock_guard<std::mutex> lock(mu_);
  pid_ = child.pid();
  child_.emplace(std::move(child));
  admin_dsn_.host = "127.0.0.1";
  admin_dsn_.port = port;
  return Status::Ok();
}

Status PrivateMariaDb::Bootstrap() {
  std::string cnf = dir_ + "/admin.cnf";
  std::vector<std::string> hosts = DefaultAccountHosts();
  std::string accounts;
  for (const std::string& host : hosts) {
    accounts += (accounts.empty() ? "" : ", ") + AccountName(kAdminUser, host);
  }
  auto creds = ReadAdminCnf(cnf);
  if (!creds) {
    // First start: root has no password over TCP until the lock-down below.
    DsnSpec root{"root", "", "127.0.0.1", admin_dsn_.port};
    Result<std::unique_ptr<MariaDbConnection>> opened = MariaDbConnection::Open(root);
    if (!opened.ok()) {
      return Status::Unavailable("cannot log in to the private MariaDB: " + cnf +
                                 " is missing and root is locked; restore that file (or delete " +
                                 dir_ + " to start over without any branch data)");
    }
    std::unique_ptr<MariaDbConnection> conn = std::move(opened).value();
    std::string password = RandomString(32, kBase62);
    std::string hash = NativePasswordHash(password);
    std::string create = "CREATE OR REPLACE USER ";
    for (size_t i = 0; i < hosts.size(); ++i) {
      create += (i ? ", " : "") + AccountName(kAdminUser, hosts[i]) + " IDENTIFIED BY PASSWORD '" +
                hash + "'";
    }
    OPSCALE_RETURN_IF_ERROR(conn->ExecSecret(create, "CREATE USER opscale_admin"));
    OPSCALE_RETURN_IF_ERROR(
        conn->Exec("GRANT ALL PRIVILEGES ON *.* TO " + accounts + " WITH GRANT OPTION"));
    OPSCALE_RETURN_IF_ERROR(WriteFileAtomic(
        cnf, "[client]\nuser=" + std::string(kAdminUser) + "\npassword=" + password + "\n", 0600));
    creds = std::make_pair(std::string(kAdminUser), password);
  }
  admin_dsn_.user = creds->first;
  admin_dsn_.password = creds->second;
  Result<std::unique_ptr<MariaDbConnection>> admin = MariaDbConnection::Open(admin_dsn_);
  if (!admin.ok()) {
    return Status::Unavailable("cannot log in to the private MariaDB with " + cnf + ": " +
                               admin.status().message());
  }
  // Lock down: only opscale_admin over TCP; root only via unix_socket as the
  // OS user root (a recovery path), no anonymous or other root accounts.
  MariaDbConnection& c = **admin;
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Row> users,
                           c.Query("SELECT User, Host, plugin FROM mysql.user"));
  for (const Row& row : users) {
    const std::string& user = row[0];
    const std::string& host = row[1];
    std::string account = c.Literal(user) + "@" + c.Literal(host);
    if (user == "root" && host == "localhost") {
      if (row[2] == "unix_socket") continue;
      if (c.Exec("ALTER USER " + account + " IDENTIFIED VIA unix_socket").ok()) continue;
      OPSCALE_RETURN_IF_ERROR(c.Exec("DROP USER " + account));
    } else if (user == "root" || user.empty()) {
      OPSCALE_RETURN_IF_ERROR(c.Exec("DROP USER " + account));
    }
  }
  return Status::Ok();
}

Status PrivateMariaDb::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!child_) return Status::Ok();
  bool in_time = child_->Terminate(options_.stop_timeout);
  child_.reset();
  if (socket_path_.rfind("/tmp/", 0) == 0) unlink(socket_path_.c_str());
  if (!in_time) {
    return Status::Internal("mariadbd did not stop within " +
                            std::to_string(options_.stop_timeout.count()) + " s and was killed");
  }
  return Status::Ok();
}

}  // namespace opscale::engine
