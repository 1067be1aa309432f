#include "engine/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace opscale::engine {
namespace {

using Ms = std::chrono::milliseconds;
constexpr Ms kPollInterval(20);

std::string SearchPath() {
  const char* path = std::getenv("PATH");
  return path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin";
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv,
                                         const std::string& output_path) {
  if (argv.empty()) return Status::Internal("spawn: empty command line");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string path_var = "PATH=" + SearchPath() + ":/usr/sbin:/sbin";
  char* env[] = {const_cast<char*>(path_var.c_str()), const_cast<char*>("LC_ALL=C"), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // Own process group: a Ctrl-C on opscaled's terminal does not reach it;
  // signals we ignore or block are not inherited.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::Internal("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), wait_status_(other.wait_status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && Running()) Terminate(Ms(0));
    pid_ = other.pid_;
    wait_status_ = other.wait_status_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && Running()) Terminate(Ms(0));
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || wait_status_.has_value()) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) {
    wait_status_ = status;
  } else if (errno == ECHILD) {
    wait_status_ = -1;  // reaped elsewhere (SIGCHLD ignored): gone all the same
  } else {
    return true;
  }
  return false;
}

bool ChildProcess::WaitFor(Ms timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

bool ChildProcess::Terminate(Ms grace) {
  if (!Running()) return true;
  bool in_time = false;
  if (grace.count() > 0) {
    kill(pid_, SIGTERM);
    in_time = WaitFor(grace);
  }
  if (!in_time) {
    kill(pid_, SIGKILL);
    while (Running()) std::this_thread::sleep_for(Ms(5));
  }
  return in_time;
}

bool ChildProcess::ExitedCleanly() const {
  return wait_status_.has_value() && *wait_status_ != -1 && WIFEXITED(*wait_status_) &&
         WEXITSTATUS(*wait_status_) == 0;
}

std::string ChildProcess::DescribeExit() const {
  if (!wait_status_.has_value()) return "running";
  int s = *wait_status_;
  if (s == -1) return "exited";
  if (WIFEXITED(s)) return "exited with status " + std::to_string(WEXITSTATUS(s));
  if (WIFSIGNALED(s)) return "killed by signal " + std::to_string(WTERMSIG(s));
  return "stopped";
}

std::optional<std::string> FindExecutable(const std::string& name,
                                          const std::vector<std::string>& extra_dirs) {
  std::vector<std::string> dirs;
  std::stringstream path(SearchPath());
  for (std::string dir; std::getline(path, dir, ':');) {
    if (!dir.empty()) dirs.push_back(dir);
  }
  dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
  for (const std::string& dir : dirs) {
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "pid (comm) S ...": the state follows the last ')'.
  size_t close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

std::vector<std::string> ProcessCommandLine(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  return args;
}

void TerminateForeignProcess(pid_t pid, Ms grace) {
  if (!ProcessAlive(pid)) return;
  kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (ProcessAlive(pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kPollInterval);
  }
  if (!ProcessAlive(pid)) return;
  kill(pid, SIGKILL);
  for (int i = 0; i < 500 && ProcessAlive(pid); ++i) std::this_thread::sleep_for(Ms(10));
}

std::string TailOfFile(const std::string& path, size_t max_lines, long long offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  long long size = in.tellg();
  long long start = std::max(offset, size - 8192);
  if (start < 0) start = 0;
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty()) return text;
  size_t pos = text.size();
  for (size_t lines = 0; lines < max_lines && pos != std::string::npos && pos > 0; ++lines) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

}  // namespace opscale::engine
