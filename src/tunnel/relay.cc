#include "tunnel/relay.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace opscale::tunnel {
namespace {

constexpr size_t kChunk = 64 * 1024;

// Allocated once per direction, not zero-filled: clearing 64 KiB would
// cost more than relaying a small MySQL packet.
std::unique_ptr<char[]> NewBuffer(size_t size) { return std::make_unique_for_overwrite<char[]>(size); }

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

void Relay::Finish(RelayEnd end, int error) {
  End(end, error);
  finished_ = true;
  loop_->Retire(this);
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
  int err = 0;
  loop_ = EventLoop::Pick(&err);
  if (loop_ == nullptr) {
    std::lock_guard lock(mu_);
    running_ = false;
    result.error = err;
    return result;
  }
  std::string* pending[2] = {&left_pending, &right_pending};
  for (int i = 0; i < 2; ++i) {
    Direction& d = dir_[i];
    d.from = i == 0 ? left_fd_ : right_fd_;
    d.to = i == 0 ? right_fd_ : left_fd_;
    d.from_closed = i == 0 ? RelayEnd::kLeftClosed : RelayEnd::kRightClosed;
    d.to_closed = i == 0 ? RelayEnd::kRightClosed : RelayEnd::kLeftClosed;
    d.size = std::max(kChunk, pending[i]->size());
    d.buf = NewBuffer(d.size);
    std::memcpy(d.buf.get(), pending[i]->data(), pending[i]->size());
    d.len = pending[i]->size();  // sent by the loop once the peer is writable
  }
  loop_->Start(this);
  std::unique_lock lock(mu_);
  retired_cv_.wait(lock, [this] { return retired_; });
  running_ = false;
  result.end = end_;
  result.error = error_;
  result.left_to_right_bytes = dir_[0].sent;
  result.right_to_left_bytes = dir_[1].sent;
  return result;
}

uint32_t Relay::Wanted(int side) const {
  uint32_t want = 0;
  if (dir_[side].len == 0) want |= EPOLLIN;
  if (dir_[1 - side].len > 0) want |= EPOLLOUT;
  return want;
}

void Relay::OnStart(EventLoop& loop) {
  for (int side = 0; side < 2; ++side) {
    uint32_t want = Wanted(side);
    if (!loop.Add(side == 0 ? left_fd_ : right_fd_, want, this, side)) {
      int err = errno;
      bool broken = err == EBADF || err == EPERM || err == EINVAL;
      Finish(broken ? RelayEnd::kError : dir_[side].from_closed, err);
      return;
    }
    interest_[side] = want;
  }
}

void Relay::OnRetired() {
  // Removed before Run() returns, so before the caller closes them (epoll
  // would otherwise keep watching a reused descriptor number).
  // (Removing one that was never added is harmless.)
  loop_->Remove(left_fd_);
  loop_->Remove(right_fd_);
  std::lock_guard lock(mu_);
  retired_ = true;
  // Notified under the lock: Run() may destroy this relay right after.
  retired_cv_.notify_all();
}

void Relay::OnEvent(int side, uint32_t events) {
  if (finished_) return;
  Direction& in = dir_[side];       // bytes read from this socket
  Direction& out = dir_[1 - side];  // bytes to write to it
  const uint32_t gone = EPOLLERR | EPOLLHUP;
  if (out.len > 0 && (events & (EPOLLOUT | gone)) && !Flush(out)) return;
  if (in.len == 0) {
    if ((events & (EPOLLIN | gone)) && !Forward(in)) return;
  } else if (events & gone) {
    // Gone while its last bytes still wait for the other side.
    int err = 0;
    socklen_t n = sizeof err;
    getsockopt(in.from, SOL_SOCKET, SO_ERROR, &err, &n);
    Finish(in.from_closed, err);
    return;
  }
  UpdateInterest();
}

bool Relay::Forward(Direction& d) {
  ssize_t n = recv(d.from, d.buf.get(), d.size, MSG_DONTWAIT);
  if (n > 0) {
    d.off = 0;
    d.len = static_cast<size_t>(n);
    return Flush(d);
  }
  if (n == 0) {
    Finish(d.from_closed, 0);
    return false;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
  bool broken = errno == EBADF || errno == ENOTSOCK || errno == EINVAL;
  Finish(broken ? RelayEnd::kError : d.from_closed, errno);
  return false;
}

bool Relay::Flush(Direction& d) {
  while (d.off < d.len) {
    ssize_t n = send(d.to, d.buf.get() + d.off, d.len - d.off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      d.off += static_cast<size_t>(n);
      d.sent += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;  // EPOLLOUT resumes
    Finish(d.to_closed, n < 0 ? errno : EPIPE);
    return false;
  }
  d.off = d.len = 0;
  return true;
}

void Relay::UpdateInterest() {
  for (int side = 0; side < 2; ++side) {
    uint32_t want = Wanted(side);
    if (want == interest_[side]) continue;
    if (!loop_->Modify(side == 0 ? left_fd_ : right_fd_, want, this, side)) {
      Finish(RelayEnd::kError, errno);
      return;
    }
    interest_[side] = want;
  }
}

}  // namespace opscale::tunnel
