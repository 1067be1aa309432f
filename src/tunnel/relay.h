// Relay: copies bytes both ways between two connected stream sockets until
// one side closes or fails, or until Stop() is called from another thread.
//
// The relay does not own the sockets (the caller closes them) and does not
// change their flags: it polls and uses non-blocking send/recv, so a peer
// that stops reading cannot wedge Stop(). A side that closes ends the relay
// at once (no half-close), after everything read from it was forwarded; a
// peer that vanishes with data still buffered for it loses that data.
//
// Thread-safety: Run() from one thread, once; Stop() from any thread, any
// number of times, before, during or after Run().
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace opscale::tunnel {

enum class RelayEnd {
  kLeftClosed,   // the left socket reached EOF or was reset
  kRightClosed,  // the right socket reached EOF or was reset
  kStopped,      // Stop() was called
  kError,        // a socket or poll() failed; RelayResult::error has errno
};

struct RelayResult {
  RelayEnd end = RelayEnd::kError;
  int error = 0;  // errno for kError (and for a reset side), else 0
  uint64_t left_to_right_bytes = 0;
  uint64_t right_to_left_bytes = 0;
};

// "left closed", "right closed", "stopped", "error".
const char* RelayEndName(RelayEnd end);

class Relay {
 public:
  Relay(int left_fd, int right_fd);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Relays until the end; `left_pending` is sent to the right side first
  // (bytes already read from the left, e.g. past an HTTP upgrade request),
  // `right_pending` likewise to the left side. Returns at once with kStopped
  // if Stop() was already called.
  RelayResult Run(std::string left_pending = {}, std::string right_pending = {});

  // Makes Run() return kStopped within milliseconds; idempotent.
  void Stop();

 private:
  int left_fd_;
  int right_fd_;
  int wake_fd_ = -1;  // eventfd, readable once Stop() was called
  std::atomic<bool> stopped_{false};
};

}  // namespace opscale::tunnel
