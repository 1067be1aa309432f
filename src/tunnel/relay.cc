#include "tunnel/relay.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace opscale::tunnel {
namespace {

constexpr size_t kChunk = 64 * 1024;

// One direction: bytes read from `from` waiting to be written to `to`.
struct Direction {
  int from;
  int to;
  std::string pending;
  size_t offset = 0;
  uint64_t bytes = 0;

  bool HasPending() const { return offset < pending.size(); }

  // Writes what it can without blocking. False with *err on failure.
  bool Flush(int* err) {
    while (HasPending()) {
      ssize_t n = send(to, pending.data() + offset, pending.size() - offset,
                       MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        offset += static_cast<size_t>(n);
        bytes += static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      *err = n < 0 ? errno : EPIPE;
      return false;
    }
    pending.clear();
    offset = 0;
    return true;
  }

  // Reads one chunk. 1: data, 0: EOF, -1: error (*err), 2: nothing yet.
  int Fill(int* err) {
    pending.resize(kChunk);
    offset = 0;
    for (;;) {
      ssize_t n = recv(from, pending.data(), pending.size(), MSG_DONTWAIT);
      if (n > 0) {
        pending.resize(static_cast<size_t>(n));
        return 1;
      }
      pending.clear();
      if (n == 0) return 0;
      if (errno == EINTR) {
        pending.resize(kChunk);
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 2;
      *err = errno;
      return -1;
    }
  }
};

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

Relay::Relay(int left_fd, int right_fd)
    : left_fd_(left_fd), right_fd_(right_fd), wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Relay::~Relay() {
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Relay::Stop() {
  stopped_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }
}

RelayResult Relay::Run(std::string left_pending, std::string right_pending) {
  RelayResult result;
  if (wake_fd_ < 0) {
    result.error = EMFILE;
    return result;
  }
  Direction l2r{left_fd_, right_fd_, std::move(left_pending)};
  Direction r2l{right_fd_, left_fd_, std::move(right_pending)};
  auto finish = [&](RelayEnd end, int err) {
    result.end = end;
    result.error = err;
    result.left_to_right_bytes = l2r.bytes;
    result.right_to_left_bytes = r2l.bytes;
    return result;
  };
  int err = 0;
  if (!l2r.Flush(&err)) return finish(RelayEnd::kRightClosed, err);
  if (!r2l.Flush(&err)) return finish(RelayEnd::kLeftClosed, err);

  for (;;) {
    if (stopped_) return finish(RelayEnd::kStopped, 0);
    // A direction reads only once its buffer is drained: the slower peer
    // throttles the faster one instead of growing memory.
    pollfd fds[3] = {
        {left_fd_, static_cast<short>((l2r.HasPending() ? 0 : POLLIN) |
                                      (r2l.HasPending() ? POLLOUT : 0)), 0},
        {right_fd_, static_cast<short>((r2l.HasPending() ? 0 : POLLIN) |
                                       (l2r.HasPending() ? POLLOUT : 0)), 0},
        {wake_fd_, POLLIN, 0},
    };
    int rc = poll(fds, 3, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return finish(RelayEnd::kError, errno);
    }
    if (fds[2].revents != 0 || stopped_) return finish(RelayEnd::kStopped, 0);
    for (int i = 0; i < 2; ++i) {
      short ev = fds[i].revents;
      Direction& in = i == 0 ? l2r : r2l;    // reads from this socket
      Direction& out = i == 0 ? r2l : l2r;   // writes to this socket
      RelayEnd closed = i == 0 ? RelayEnd::kLeftClosed : RelayEnd::kRightClosed;
      RelayEnd other = i == 0 ? RelayEnd::kRightClosed : RelayEnd::kLeftClosed;
      if (ev & POLLNVAL) return finish(RelayEnd::kError, EBADF);
      if ((ev & (POLLIN | POLLHUP | POLLERR)) && !in.HasPending()) {
        int got = in.Fill(&err);
        if (got == 0) return finish(closed, 0);
        if (got < 0) return finish(closed, err);
        if (got == 1 && !in.Flush(&err)) return finish(other, err);
      } else if (ev & (POLLHUP | POLLERR)) {
        // Gone while we still hold data for the other side's reader.
        return finish(closed, 0);
      }
      if ((ev & POLLOUT) && !out.Flush(&err)) return finish(closed, err);
    }
  }
}

}  // namespace opscale::tunnel
