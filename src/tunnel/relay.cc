#include "tunnel/relay.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <thread>

namespace opscale::tunnel {
namespace {

constexpr size_t kChunk = 64 * 1024;

// For sockets that are non-blocking after all: waits until `fd` is ready.
// False with errno when poll() itself fails.
bool WaitReady(int fd, short events) {
  pollfd p{fd, events, 0};
  for (;;) {
    int rc = poll(&p, 1, -1);
    if (rc > 0 && (p.revents & POLLNVAL) != 0) {
      errno = EBADF;
      return false;
    }
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

// Sends all of `data`. False with *err on failure (EPIPE when the peer is gone).
bool SendAll(int fd, std::string_view data, uint64_t* sent, int* err) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      *sent += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && WaitReady(fd, POLLOUT)) continue;
    *err = n < 0 ? errno : EPIPE;
    return false;
  }
  return true;
}

}  // namespace

const char* RelayEndName(RelayEnd end) {
  switch (end) {
    case RelayEnd::kLeftClosed: return "left closed";
    case RelayEnd::kRightClosed: return "right closed";
    case RelayEnd::kStopped: return "stopped";
    case RelayEnd::kError: return "error";
  }
  return "error";
}

Relay::Relay(int left_fd, int right_fd) : left_fd_(left_fd), right_fd_(right_fd) {}

void Relay::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  if (!running_ || ended_) return;
  ended_ = true;
  end_ = RelayEnd::kStopped;
  error_ = 0;
  shutdown(left_fd_, SHUT_RDWR);
  shutdown(right_fd_, SHUT_RDWR);
}

void Relay::End(RelayEnd end, int error) {
  std::lock_guard lock(mu_);
  if (ended_) return;
  ended_ = true;
  end_ = end;
  error_ = error;
  shutdown(left_fd_, SHUT_RDWR);
  shutdown(right_fd_, SHUT_RDWR);
}

uint64_t Relay::Pump(int from, int to, std::string_view pending, RelayEnd from_closed,
                     RelayEnd to_closed) {
  uint64_t sent = 0;
  int err = 0;
  if (!SendAll(to, pending, &sent, &err)) {
    End(to_closed, err);
    return sent;
  }
  // Allocated once, not zero-filled: a fresh or resized std::string per
  // read would clear 64 KiB for every small MySQL packet.
  auto buf = std::make_unique_for_overwrite<char[]>(kChunk);
  for (;;) {
    ssize_t n = recv(from, buf.get(), kChunk, 0);
    if (n > 0) {
      if (!SendAll(to, std::string_view(buf.get(), static_cast<size_t>(n)), &sent, &err)) {
        End(to_closed, err);
        return sent;
      }
      continue;
    }
    if (n == 0) {
      End(from_closed, 0);
      return sent;
    }
    if (errno == EINTR) continue;
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && WaitReady(from, POLLIN)) continue;
    bool broken = errno == EBADF || errno == ENOTSOCK || errno == EINVAL;
    End(broken ? RelayEnd::kError : from_closed, errno);
    return sent;
  }
}

RelayResult Relay::Run(std::string left_pending, std::string right_pending) {
  RelayResult result;
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      result.end = RelayEnd::kStopped;
      return result;
    }
    running_ = true;
  }
  // Right to left on a second thread, left to right on this one.
  std::thread right_to_left;
  try {
    right_to_left = std::thread([&] {
      result.right_to_left_bytes =
          Pump(right_fd_, left_fd_, right_pending, RelayEnd::kRightClosed, RelayEnd::kLeftClosed);
    });
  } catch (const std::system_error& e) {
    std::lock_guard lock(mu_);
    running_ = false;
    result.error = e.code().value();
    return result;
  }
  result.left_to_right_bytes =
      Pump(left_fd_, right_fd_, left_pending, RelayEnd::kLeftClosed, RelayEnd::kRightClosed);
  right_to_left.join();
  std::lock_guard lock(mu_);
  running_ = false;
  result.end = end_;
  result.error = error_;
  return result;
}

}  // namespace opscale::tunnel
