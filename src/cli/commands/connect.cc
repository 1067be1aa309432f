// pscale connect <database> [branch]: a local MySQL listener whose
// connections travel through a token-authenticated tunnel on the API port
// to the branch (SPEC §5). Like pscale, it makes a short-lived password for
// the session (renewed while connected, deleted on exit) and accepts any
// user and password locally.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/credentials.h"
#include "cli/models.h"
#include "cli/mysql_proxy.h"
#include "common/ids.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

struct ConnectFlags {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string execute;
  std::string execute_protocol = "mysql2";
  std::string execute_env_url = "DATABASE_URL";
  std::string role = "admin";
};

// Binds a listening socket; port 0 picks one.
int Listen(const std::string& host, int port, std::string* error) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    *error = "--host must be an IPv4 address";
    close(fd);
    return -1;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 64) != 0) {
    *error = std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// Shared by the accept loop, the connection threads and the renewer.
struct Session {
  Context* ctx;
  std::mutex out_mu;
  std::mutex api_mu;  // the API client serves one call at a time
  std::atomic<bool> stopping{false};
  std::atomic<bool> revoked{false};
  int stop_pipe[2] = {-1, -1};
  std::string tunnel_path;
  UpstreamCredentials creds;
  std::string password_path;
  std::string branch_path;
  std::string branch;

  void Err(const std::string& line) {
    std::lock_guard lock(out_mu);
    *ctx->io().err << line << "\n";
    ctx->io().err->flush();
  }
  // Why did a tunnel end that we did not end ourselves? Ask the API: is the
  // credential still valid, and may it still open a tunnel to this branch?
  void ExplainClose() {
    if (stopping || revoked.exchange(true)) return;
    std::unique_lock api_lock(api_mu);
    ApiResult r = ctx->api().Get(branch_path);
    api_lock.unlock();
    std::string why;
    if (!r.ok() && r.error().status == 401) {
      why = "the credential is no longer valid (the service token was deleted or has expired)";
    } else if (!r.ok()) {
      why = "access to branch " + branch + " was revoked (" + r.error().message + ")";
    } else {
      auto probe = OpenTunnel(ctx->settings().api_url, tunnel_path,
                              AuthorizationValue(ctx->settings().credentials), ctx->settings().tls);
      if (probe.ok()) {
        close(probe->fd);
        revoked = false;  // the local client simply disconnected
        return;
      }
      why = "access to branch " + branch + " was revoked (" + probe.status().message() + ")";
    }
    Err("connection closed: " + why);
  }
};

void ServeOne(std::shared_ptr<Session> s, int local_fd) {
  std::string auth = AuthorizationValue(s->ctx->settings().credentials);
  auto tunnel = OpenTunnel(s->ctx->settings().api_url, s->tunnel_path, auth, s->ctx->settings().tls);
  if (!tunnel.ok()) {
    if (tunnel.status().code() == Code::kUnauthenticated ||
        tunnel.status().code() == Code::kPermissionDenied ||
        tunnel.status().code() == Code::kNotFound)
      s->ExplainClose();
    else
      s->Err("Error: cannot open a tunnel: " + tunnel.status().message());
    close(local_fd);
    return;
  }
  int tunnel_fd = tunnel->fd;
  ProxyOptions opts;
  opts.stop_fd = s->stop_pipe[0];
  Status st = ProxyConnection(local_fd, std::move(tunnel).value(), s->creds, opts);
  close(tunnel_fd);
  close(local_fd);
  if (!s->stopping) s->ExplainClose();
  (void)st;
}

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int RunChild(const std::string& command, const std::vector<std::pair<std::string, std::string>>& env) {
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t set = StopSignals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

Outcome Connect(Context& ctx, const std::vector<std::string>& a, const ConnectFlags& f) {
  const std::string db = a[0];
  const std::string db_path = ApiPath({"organizations", ctx.org(), "databases", db});
  ApiResult dbr = ctx.api().Get(db_path);
  std::string missing = fmt::format("database {} and branch {} does not exist in organization {}", db,
                                    a.size() > 1 ? a[1] : "main", ctx.org());
  if (!dbr.ok()) return ctx.Fail(dbr.error(), missing, "connect_branch");
  std::string branch = a.size() > 1 ? a[1] : StringAt(dbr.json().as_object(), "default_branch");
  if (branch.empty()) branch = "main";
  auto s = std::make_shared<Session>();
  s->ctx = &ctx;
  s->branch = branch;
  s->branch_path = ApiPath({"organizations", ctx.org(), "databases", db, "branches", branch});
  ApiResult br = ctx.api().Get(s->branch_path);
  if (!br.ok()) return ctx.Fail(br.error(), missing, "read_branch");

  // The session's short-lived password (5 minutes, renewed while connected).
  json::object body{{"name", "pscale-cli-connect-" + RandomString(12, kLowerAlnum)},
                    {"role", f.role},
                    {"ttl", 300}};
  ApiResult pw = ctx.api().Post(s->branch_path + "/passwords", body);
  if (!pw.ok()) return ctx.Fail(pw.error(), missing, "connect_branch");
  const json::object& p = pw.json().as_object();
  std::string password_id = StringAt(p, "id");
  s->password_path = s->branch_path + "/passwords/" + password_id;
  s->creds.username = StringAt(p, "username");
  s->creds.password = StringAt(p, "plain_text");
  s->creds.schema = StringAt(p, "database");
  s->tunnel_path = "/" + s->branch_path + "/connect?password_id=" + password_id;
  auto cleanup = [&] {
    s->stopping = true;
    std::lock_guard lock(s->api_mu);
    (void)ctx.api().Delete(s->password_path);
  };

  std::string error;
  int listen_fd = Listen(f.host, f.port, &error);
  if (listen_fd < 0 && f.port != 0) {
    *ctx.io().out << fmt::format("Tried address {}:{}, but it's already in use. Picking up a random port ...\n",
                                 f.host, f.port);
    listen_fd = Listen(f.host, 0, &error);
  }
  if (listen_fd < 0) {
    cleanup();
    return Classified("cannot listen on " + f.host + ": " + error);
  }
  std::string local = fmt::format("{}:{}", f.host, BoundPort(listen_fd));
  if (pipe2(s->stop_pipe, O_CLOEXEC) != 0) {
    cleanup();
    return Classified("cannot create a pipe");
  }
  {
    std::lock_guard lock(s->out_mu);
    *ctx.io().out << fmt::format(
        "Secure connection to database {} and branch {} is established!.\n\nLocal address to "
        "connect your application: {} (press ctrl-c to quit)\n\n"
        "  mariadb -h {} -P {} -u root\n  DATABASE_URL={}://root@{}/{}\n",
        db, branch, local, f.host, BoundPort(listen_fd), f.execute_protocol, local, db);
    ctx.io().out->flush();
  }

  sigset_t stop = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::thread acceptor([s, listen_fd] {
    while (!s->stopping) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {s->stop_pipe[0], POLLIN, 0}};
      if (poll(fds, 2, 500) <= 0) continue;
      if (fds[1].revents) break;
      int c = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      int one = 1;  // answers leave at once, not after the client's next ACK
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::thread(ServeOne, s, c).detach();
    }
  });
  std::thread renewer([s] {
    for (int i = 1; !s->stopping; ++i) {
      pollfd pfd{s->stop_pipe[0], POLLIN, 0};
      if (poll(&pfd, 1, 1000) > 0) break;
      if (i % 120 == 0) {
        std::lock_guard lock(s->api_mu);
        (void)s->ctx->api().Post(s->password_path + "/renew", json::object{});
      }
    }
  });

  int exit_code = 0;
  if (!f.execute.empty()) {
    std::string url = fmt::format("{}://root@{}/{}", f.execute_protocol, local, db);
    exit_code = RunChild(f.execute, {{f.execute_env_url, url},
                                     {"PLANETSCALE_DATABASE_HOST", local},
                                     {"PLANETSCALE_DATABASE_NAME", db},
                                     {"PLANETSCALE_BRANCH_NAME", branch}});
  } else {
    int sig = 0;
    sigwait(&stop, &sig);
  }
  s->stopping = true;
  char byte = 1;
  (void)!write(s->stop_pipe[1], &byte, 1);
  acceptor.join();
  renewer.join();
  close(listen_fd);
  cleanup();
  if (exit_code != 0) {
    CliError e = Classified(fmt::format("running command with --execute has failed: exit status {}", exit_code));
    e.exit_code = exit_code;
    return e;
  }
  return Success();
}

}  // namespace

void AddConnectCommand(CommandTree& tree) {
  auto flags = std::make_shared<ConnectFlags>();
  CLI::App* cmd = tree.AddCommand(&tree.root(), "connect", "Create a secure connection to a database and branch for a local client",
                                  {.args = {"database"}, .optional = {"branch"}},
                                  [=](Context& ctx, const auto& a) { return Connect(ctx, a, *flags); });
  cmd->add_option("--org", tree.org_flag_ref(), "The organization for the current user");
  cmd->add_option("--host", flags->host, "Local host to bind and listen for connections");
  cmd->add_option("--port", flags->port, "Local port to bind and listen for connections");
  cmd->add_option("--execute", flags->execute, "Run this command after the connection is established");
  cmd->add_option("--execute-protocol", flags->execute_protocol, "Protocol for the --execute URL");
  cmd->add_option("--execute-env-url", flags->execute_env_url, "Environment variable for the --execute URL");
  cmd->add_option("--role", flags->role, "Role of the session password (admin, reader, writer, readwriter)");
}

}  // namespace opscale::cli
