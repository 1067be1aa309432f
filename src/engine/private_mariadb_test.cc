// Lifecycle of the private mariadbd: install, stop, restart, a second
// manager refused, a server abandoned by a killed opscaled replaced, the
// engine factory. Every server started here is stopped by pid, also when an
// assertion fails (PidGuard, PrivateMariaDb's destructor).
#include "engine/private_mariadb.h"

#include <errmsg.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/engine_factory.h"
#include "engine/mariadb_connection.h"

namespace opscale::engine {
namespace {

namespace fs = std::filesystem;

// Kills a pid we learned about but did not spawn, when the test ends, and
// reaps it if it was reparented to us.
struct PidGuard {
  pid_t pid = -1;
  ~PidGuard() {
    if (pid <= 0) return;
    if (ProcessAlive(pid)) kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
};

// Makes this process the reaper of orphaned descendants for its lifetime, so
// an abandoned mariadbd is reparented to us and not to pid 1.
struct SubreaperScope {
  SubreaperScope() { prctl(PR_SET_CHILD_SUBREAPER, 1); }
  ~SubreaperScope() { prctl(PR_SET_CHILD_SUBREAPER, 0); }
};

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/opscale-pmdb-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool CanLogin(const DsnSpec& dsn) { return MariaDbConnection::Open(dsn, 2).ok(); }

TEST(PrivateMariaDbTest, MissingBinaryMeansNoEngine) {
  TempDir tmp;
  PrivateMariaDbOptions options;
  options.data_dir = tmp.path;
  options.mariadbd_path = "/nonexistent/mariadbd";
  Result<std::unique_ptr<PrivateMariaDb>> db = PrivateMariaDb::Start(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kUnavailable);
  EXPECT_EQ(db.status().message(), kNoEngineMessage);
}

// A data dir that looks installed, and a fake mariadbd script running `body`.
struct FakeServer {
  TempDir tmp;
  PrivateMariaDbOptions options;
  explicit FakeServer(const std::string& body) {
    fs::create_directories(tmp.path + "/mariadb");
    std::ofstream(tmp.path + "/mariadb/installed").flush();
    std::string script = tmp.path + "/fake-mariadbd";
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    chmod(script.c_str(), 0700);
    options.data_dir = tmp.path;
    options.mariadbd_path = script;
    options.start_timeout = std::chrono::seconds(1);
  }
};

TEST(PrivateMariaDbTest, ServerDyingAtStartupReportsItsErrorLog) {
  FakeServer fake(
      "for a; do case \"$a\" in --log-error=*) echo \"[ERROR] fake: Can't open the datadir\" "
      ">> \"${a#--log-error=}\";; esac; done\nexit 1");
  Result<std::unique_ptr<PrivateMariaDb>> db = PrivateMariaDb::Start(fake.options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kUnavailable);
  EXPECT_NE(db.status().message().find("exited with status 1"), std::string::npos)
      << db.status().message();
  EXPECT_NE(db.status().message().find("fake: Can't open the datadir"), std::string::npos);
}

TEST(PrivateMariaDbTest, SilentServerTimesOutAndIsKilled) {
  FakeServer fake("echo $$ > \"$(dirname \"$0\")/fake.pid\"\nexec sleep 30");
  Result<std::unique_ptr<PrivateMariaDb>> db = PrivateMariaDb::Start(fake.options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kUnavailable);
  EXPECT_NE(db.status().message().find("did not answer"), std::string::npos)
      << db.status().message();
  pid_t pid = -1;
  ASSERT_TRUE(std::ifstream(fake.tmp.path + "/fake.pid") >> pid);
  PidGuard guard{pid};
  EXPECT_FALSE(ProcessAlive(pid));
}

TEST(PrivateMariaDbTest, FactoryReportsBadOrUnreachableDsn) {
  EXPECT_EQ(OpenEngine({"", "postgres://x"}).status().code(), Code::kInvalidArgument);
  // Port 1 on loopback: nobody listens there.
  Result<std::unique_ptr<Engine>> engine = OpenEngine({"", "mysql://u:hunter2@127.0.0.1:1"});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), Code::kUnavailable);
  EXPECT_EQ(engine.status().message().find("hunter2"), std::string::npos);
  EXPECT_NE(engine.status().message().find("mysql://u:****@127.0.0.1:1"), std::string::npos);
}

TEST(PrivateMariaDbTest, InstallsRestartsAndReplacesAStaleServer) {
  TempDir tmp;
  // A data dir this long puts the socket under /tmp (sun_path is 108 bytes).
  std::string data_dir = tmp.path + "/" + std::string(90, 'd');
  PrivateMariaDbOptions options;
  options.data_dir = data_dir;

  // 1. First start installs, creates opscale_admin and locks root out.
  Result<std::unique_ptr<PrivateMariaDb>> first = PrivateMariaDb::Start(options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  PrivateMariaDb& db = **first;
  std::cerr << "[ engine   ] fresh: install " << db.install_time().count() << " ms, start "
            << db.start_time().count() << " ms\n";
  EXPECT_GT(db.install_time().count(), 0);
  pid_t pid = db.pid();
  EXPECT_TRUE(ProcessAlive(pid));
  EXPECT_EQ(db.dir(), data_dir + "/mariadb");
  struct stat st {};
  ASSERT_EQ(stat((db.dir() + "/admin.cnf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(CanLogin(db.admin_dsn()));
  EXPECT_FALSE(CanLogin({"root", "", "127.0.0.1", db.port()}));
  EXPECT_FALSE(CanLogin({"", "", "127.0.0.1", db.port()}));
  {
    auto admin = MariaDbConnection::Open(db.admin_dsn());
    ASSERT_TRUE(admin.ok());
    EXPECT_TRUE((*admin)->Exec("CREATE DATABASE kept").ok());
  }
  // Another manager of the same data dir is refused (it would kill ours).
  EXPECT_EQ(PrivateMariaDb::Start(options).status().code(), Code::kConflict);

  auto stop_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(db.Stop().ok());
  std::cerr << "[ engine   ] stop "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - stop_start)
                   .count()
            << " ms\n";
  EXPECT_FALSE(ProcessAlive(pid));
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_TRUE(db.Stop().ok());  // idempotent
  first = Status::Internal("released");

  // 2. A restart reuses the install and the admin password; data survives.
  Result<std::unique_ptr<PrivateMariaDb>> second = PrivateMariaDb::Start(options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  std::cerr << "[ engine   ] restart: start " << (*second)->start_time().count() << " ms\n";
  EXPECT_EQ((*second)->install_time().count(), 0);
  {
    auto admin = MariaDbConnection::Open((*second)->admin_dsn());
    ASSERT_TRUE(admin.ok());
    EXPECT_TRUE((*admin)->SelectDb("kept").ok());
  }
  pid = (*second)->pid();
  second = Status::Internal("released");  // the destructor stops it
  EXPECT_FALSE(ProcessAlive(pid));

  // 3. An opscaled that dies without stopping its server: a forked child
  // starts one and exits; the next Start stops the orphan first.
  SubreaperScope subreaper;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Result<std::unique_ptr<PrivateMariaDb>> orphan = PrivateMariaDb::Start(options);
    pid_t orphan_pid = orphan.ok() ? (*orphan)->pid() : -1;
    if (orphan.ok()) (void)orphan->release();  // abandoned, as by SIGKILL
    (void)!write(fds[1], &orphan_pid, sizeof(orphan_pid));
    _exit(0);
  }
  close(fds[1]);
  PidGuard stale;  // declared after `subreaper`: reaps before it ends
  ASSERT_EQ(read(fds[0], &stale.pid, sizeof(stale.pid)), static_cast<ssize_t>(sizeof(pid_t)));
  close(fds[0]);
  waitpid(child, nullptr, 0);
  ASSERT_GT(stale.pid, 0);
  ASSERT_TRUE(ProcessAlive(stale.pid));

  EngineOptions engine_options;
  engine_options.data_dir = data_dir;
  Result<std::unique_ptr<Engine>> engine = OpenEngine(engine_options);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_FALSE(ProcessAlive(stale.pid));
  EXPECT_TRUE((*engine)->Ping().ok());
  EXPECT_NE((*engine)->Describe().find("(private)"), std::string::npos);
  std::ifstream pid_file(data_dir + "/mariadb/mariadbd.pid");
  pid_t engine_pid = -1;
  ASSERT_TRUE(pid_file >> engine_pid);
  PidGuard guard{engine_pid};
  EXPECT_TRUE(ProcessAlive(engine_pid));
  EXPECT_FALSE(fs::exists(data_dir + "/mariadb/mariadbd.sock"));  // it lives in /tmp
  // Destroying the engine stops its private server.
  engine = Status::Internal("released");
  EXPECT_FALSE(ProcessAlive(engine_pid));
}

}  // namespace
}  // namespace opscale::engine
