#include "tunnel/server_tunnel.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace opscale::tunnel {
namespace {

void SetSocketOptions(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A CLI that vanishes without a FIN (laptop closed) is noticed eventually.
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
}

// Connects within `timeout`; the socket is blocking again on success.
// Returns the fd, or -1 with *err set.
int ConnectWithTimeout(const addrinfo* ai, std::chrono::milliseconds timeout, int* err) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
  if (rc != 0 && errno != EINPROGRESS) {
    *err = errno;
    close(fd);
    return -1;
  }
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int ready;
    do {
      ready = poll(&p, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) {
      *err = ready == 0 ? ETIMEDOUT : errno;
      close(fd);
      return -1;
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
      *err = so_error != 0 ? so_error : errno;
      close(fd);
      return -1;
    }
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    *err = errno;
    close(fd);
    return -1;
  }
  SetSocketOptions(fd);
  return fd;
}

}  // namespace

Result<int> OpenUpstream(const std::string& host, int port, std::chrono::milliseconds timeout) {
  bool v6 = host.find(':') != std::string::npos;
  std::string where = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  auto fail = [&](const std::string& why) {
    return Status::Unavailable("cannot reach the database engine at " + where + ": " + why);
  };
  if (port <= 0 || port > 65535) return fail("invalid port");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0 || list == nullptr) return fail(rc != 0 ? gai_strerror(rc) : "no address");
  int err = 0;
  int fd = -1;
  for (addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ConnectWithTimeout(ai, timeout, &err);
  }
  freeaddrinfo(list);
  if (fd < 0) return fail(std::strerror(err));
  return fd;
}

RelayResult RunServerTunnel(int client_fd, std::string already_read, int upstream_fd,
                            TunnelRegistry& registry, TunnelInfo info,
                            const std::function<bool()>& still_allowed) {
  if (client_fd < 0 || upstream_fd < 0) {
    if (client_fd >= 0) close(client_fd);
    if (upstream_fd >= 0) close(upstream_fd);
    RelayResult r;
    r.error = EBADF;
    return r;
  }
  SetSocketOptions(client_fd);
  Relay relay(client_fd, upstream_fd);
  // Stop() shuts both sockets down: both peers see the end at once, before
  // the relay's threads even wake up; the descriptors stay open (and ours)
  // until Unregister.
  TunnelId id = registry.Register(std::move(info), [&relay] { relay.Stop(); });
  if (still_allowed && !still_allowed()) relay.Stop();
  RelayResult result = relay.Run(std::move(already_read));
  registry.Unregister(id);
  close(client_fd);
  close(upstream_fd);
  return result;
}

}  // namespace opscale::tunnel
