// EventLoop: an epoll thread shared by every Relay of the process, so that
// relayed bytes cost one wake-up of one thread per batch of ready sockets
// instead of a wake-up of a thread per direction per message (on a busy
// core, those context switches were most of a tunnel's cost).
//
// A process gets one loop per CPU it may run on (its affinity mask), each
// started on first use and kept until exit; relays are spread over them in
// turn. Descriptors are level-triggered. All of a client's descriptors and
// state are touched on its loop's thread only (OnStart, OnEvent, OnRetired),
// so clients need no lock for their I/O.
//
// Thread-safety: Pick() and Start() from any thread; Add, Modify, Remove and
// Retire only on the loop's thread, from the client's callbacks.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace opscale::tunnel {

class EventLoop {
 public:
  class Client {
   public:
    // Once, on the loop thread, after Start(): add the descriptors here.
    virtual void OnStart(EventLoop& loop) = 0;
    // For each ready descriptor the client added, with the `side` it was
    // added with (0 or 1) and the epoll event bits.
    virtual void OnEvent(int side, uint32_t events) = 0;
    // Last call, after the batch in which the client called Retire(): no
    // event follows, and the client may be destroyed as soon as it returns
    // (it must remove its descriptors here, before they are closed).
    virtual void OnRetired() = 0;

   protected:
    ~Client() = default;
  };

  // The next loop in turn; nullptr with *err (errno) when none could be set up.
  static EventLoop* Pick(int* err);

  // Hands `client` to the loop, which calls OnStart soon on its thread.
  void Start(Client* client);

  // Loop thread only. `side` (0 or 1) tells a client's two descriptors
  // apart in OnEvent. False with errno when epoll_ctl fails.
  bool Add(int fd, uint32_t events, Client* client, int side);
  bool Modify(int fd, uint32_t events, Client* client, int side);
  void Remove(int fd);
  // Ends the client: its later events in this batch are dropped, then
  // OnRetired is called.
  void Retire(Client* client);

 private:
  EventLoop() = default;
  bool Init(int* err);
  void Loop();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Start() was called
  std::mutex mu_;
  std::vector<Client*> starting_;  // guarded by mu_
  std::vector<Client*> retired_;   // loop thread only
};

}  // namespace opscale::tunnel
