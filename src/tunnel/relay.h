// Relay: copies bytes both ways between two connected stream sockets until
// one side closes or fails, or until Stop() is called from another thread.
//
// Each direction runs on its own thread (Run()'s caller and one it starts)
// doing blocking recv() then send(): two system calls per message and no
// poll(), which is what makes a tunnel about as cheap as a plain proxy.
// A socket that is non-blocking anyway still works (the direction then
// waits in poll() when it would block); the relay never changes flags.
//
// The relay does not own the sockets (the caller closes them), but it ends
// by shutting both down (SHUT_RDWR): that is how the direction that sees
// the end wakes the other one, and how Stop() wakes both, including one
// blocked writing to a peer that stopped reading. A side that closes thus
// ends the relay at once (no half-close), after everything read from it
// was forwarded; a peer that vanishes with data still buffered for it
// loses that data. The sockets are never touched after Run() returned.
//
// Thread-safety: Run() from one thread, once; Stop() from any thread, any
// number of times, before, during or after Run().
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace opscale::tunnel {

enum class RelayEnd {
  kLeftClosed,   // the left socket reached EOF or was reset
  kRightClosed,  // the right socket reached EOF or was reset
  kStopped,      // Stop() was called
  kError,        // a socket failed otherwise, or no thread could be started;
                 // RelayResult::error has errno
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
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Relays until the end; `left_pending` is sent to the right side first
  // (bytes already read from the left, e.g. past an HTTP upgrade request),
  // `right_pending` likewise to the left side. Returns at once with kStopped
  // (sockets untouched) if Stop() was already called.
  RelayResult Run(std::string left_pending = {}, std::string right_pending = {});

  // Makes Run() return kStopped within milliseconds; idempotent.
  void Stop();

 private:
  // One direction until its end; returns the bytes it sent.
  uint64_t Pump(int from, int to, std::string_view pending, RelayEnd from_closed,
                RelayEnd to_closed);
  // Records the first end (later ones are ignored) and shuts both sockets
  // down so that the other direction returns too.
  void End(RelayEnd end, int error);

  const int left_fd_;
  const int right_fd_;
  std::mutex mu_;
  bool stopped_ = false;  // guarded by mu_
  bool running_ = false;  // guarded by mu_: Run() is between start and return
  bool ended_ = false;    // guarded by mu_
  RelayEnd end_ = RelayEnd::kError;  // guarded by mu_
  int error_ = 0;                    // guarded by mu_
};

}  // namespace opscale::tunnel
