// Relay: copies bytes both ways between two connected stream sockets until
// one side closes or fails, or until Stop() is called from another thread.
//
// The copying runs on the process's shared EventLoop (one epoll thread per
// CPU, not threads per relay): a ready socket costs a recv() and a send()
// into the direction's fixed buffer, and one wake-up of the loop serves
// every socket that became ready meanwhile. Run() only sleeps until the
// end. Sockets may be blocking or not: the relay passes MSG_DONTWAIT and
// never changes their flags. A direction whose peer does not take the
// bytes stops reading its source until they are sent (backpressure).
//
// The relay does not own the sockets (the caller closes them), but it ends
// by shutting both down (SHUT_RDWR): Stop() does so too, which both peers
// see at once and which wakes the loop to finish the relay. A side that
// closes thus ends the relay at once (no half-close), after everything read
// from it was forwarded; a peer that vanishes with data still buffered for
// it loses that data. The sockets are never touched after Run() returned.
//
// Thread-safety: Run() from one thread, once; Stop() from any thread, any
// number of times, before, during or after Run().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "tunnel/event_loop.h"

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

class Relay : private EventLoop::Client {
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
  // One direction: bytes read from `from`, not yet all sent to `to`.
  struct Direction {
    int from = -1;
    int to = -1;
    RelayEnd from_closed = RelayEnd::kError;
    RelayEnd to_closed = RelayEnd::kError;
    std::unique_ptr<char[]> buf;
    size_t size = 0;
    size_t off = 0;  // buf[off, len) is still to be sent
    size_t len = 0;
    uint64_t sent = 0;
  };

  // EventLoop::Client, on the loop thread.
  void OnStart(EventLoop& loop) override;
  void OnEvent(int side, uint32_t events) override;
  void OnRetired() override;

  // Reads what `d.from` has and sends it on; false once the relay finished.
  bool Forward(Direction& d);
  // Sends what `d` holds, as far as `d.to` takes it; false once finished.
  bool Flush(Direction& d);
  // What a side's socket is watched for: reading unless the bytes last read
  // from it are still held; writing while bytes for it are held.
  uint32_t Wanted(int side) const;
  // Tells epoll of changes to Wanted().
  void UpdateInterest();
  // End() plus retiring from the loop.
  void Finish(RelayEnd end, int error);
  // Records the first end (later ones are ignored) and shuts both sockets
  // down so that both peers see it.
  void End(RelayEnd end, int error);

  const int left_fd_;
  const int right_fd_;
  std::mutex mu_;
  bool stopped_ = false;  // guarded by mu_
  bool running_ = false;  // guarded by mu_: Run() is between start and return
  bool ended_ = false;    // guarded by mu_
  RelayEnd end_ = RelayEnd::kError;  // guarded by mu_
  int error_ = 0;                    // guarded by mu_
  bool retired_ = false;             // guarded by mu_: the loop is done with us
  std::condition_variable retired_cv_;

  // Loop thread only (and Run() before Start / after retirement).
  EventLoop* loop_ = nullptr;
  Direction dir_[2];  // [0] left to right, [1] right to left
  uint32_t interest_[2] = {0, 0};  // per side: 0 left, 1 right
  bool finished_ = false;
};

}  // namespace opscale::tunnel
