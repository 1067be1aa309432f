// ChildProcess: a program this process started (posix_spawn), in its own
// process group, with stdin from /dev/null, stdout and stderr appended to a
// file, no other inherited descriptors and a minimal environment (PATH, so
// no secrets from ours leak into it). Owns the pid: the destructor kills and
// reaps a child still running.
//
// Not thread-safe; PrivateMariaDb guards its instance with a mutex. Plus
// free helpers for processes we did not start (a stale server).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace opscale::engine {

class ChildProcess {
 public:
  // argv[0] must be a path. Internal if the spawn fails.
  static Result<ChildProcess> Spawn(const std::vector<std::string>& argv,
                                    const std::string& output_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // False once the child exited (it is then reaped).
  bool Running();
  // Waits up to `timeout` for the child to exit; true if it did.
  bool WaitFor(std::chrono::milliseconds timeout);
  // SIGTERM, up to `grace` to exit, then SIGKILL; always reaps. True if it
  // exited within the grace period.
  bool Terminate(std::chrono::milliseconds grace);
  // "exited with status 1", "killed by signal 9", or "running".
  std::string DescribeExit() const;
  bool ExitedCleanly() const;

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<int> wait_status_;
};

// Absolute path of an executable: each PATH entry, then `extra_dirs`.
std::optional<std::string> FindExecutable(const std::string& name,
                                          const std::vector<std::string>& extra_dirs);
// True if the pid exists and is not a zombie.
bool ProcessAlive(pid_t pid);
// The command line of a process (empty if it is gone or unreadable).
std::vector<std::string> ProcessCommandLine(pid_t pid);
// Stops a process that is not our child: SIGTERM, poll, SIGKILL after `grace`.
void TerminateForeignProcess(pid_t pid, std::chrono::milliseconds grace);
// Last `max_lines` lines of a text file, starting no earlier than `offset`.
std::string TailOfFile(const std::string& path, size_t max_lines, long long offset = 0);

}  // namespace opscale::engine
