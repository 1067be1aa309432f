#include "tunnel/event_loop.h"

#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

namespace opscale::tunnel {
namespace {

// epoll_event.data holds one word: the client's address, whose lowest bit
// (always 0: clients are aligned objects) carries the side.
uint64_t Tag(EventLoop::Client* client, int side) {
  return reinterpret_cast<uintptr_t>(client) | static_cast<uintptr_t>(side & 1);
}

size_t LoopsWanted() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return static_cast<size_t>(std::max(1, CPU_COUNT(&set)));
}

}  // namespace

EventLoop* EventLoop::Pick(int* err) {
  // Never destroyed: relays may run until exit, on detached threads.
  static std::mutex mu;
  static auto* loops = new std::vector<EventLoop*>();
  static size_t next = 0;
  static const size_t wanted = LoopsWanted();
  std::lock_guard lock(mu);
  if (loops->size() < wanted) {
    auto* loop = new EventLoop();
    if (loop->Init(err)) {
      loops->push_back(loop);
    } else {
      delete loop;
      if (loops->empty()) return nullptr;
    }
  }
  return (*loops)[next++ % loops->size()];
}

bool EventLoop::Init(int* err) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;  // the wake-up descriptor; clients are never null
  if (epoll_fd_ < 0 || wake_fd_ < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    *err = errno;
  } else {
    try {
      std::thread([this] { Loop(); }).detach();
      return true;
    } catch (const std::system_error& e) {
      *err = e.code().value();
    }
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  return false;
}

void EventLoop::Start(Client* client) {
  {
    std::lock_guard lock(mu_);
    starting_.push_back(client);
  }
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

bool EventLoop::Add(int fd, uint32_t events, Client* client, int side) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = Tag(client, side);
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::Modify(int fd, uint32_t events, Client* client, int side) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = Tag(client, side);
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::Retire(Client* client) { retired_.push_back(client); }

void EventLoop::Loop() {
  epoll_event events[64];
  std::vector<Client*> starting;
  for (;;) {
    int n = epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) continue;  // EINTR
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      auto* client = reinterpret_cast<Client*>(static_cast<uintptr_t>(tag & ~uint64_t{1}));
      if (client == nullptr) {
        uint64_t count;
        (void)!read(wake_fd_, &count, sizeof count);
        {
          std::lock_guard lock(mu_);
          starting.swap(starting_);
        }
        for (Client* c : starting) c->OnStart(*this);
        starting.clear();
        continue;
      }
      if (std::find(retired_.begin(), retired_.end(), client) != retired_.end()) continue;
      client->OnEvent(static_cast<int>(tag & 1), events[i].events);
    }
    // Only now: a retired client's events may have been later in the batch.
    for (Client* c : retired_) c->OnRetired();
    retired_.clear();
  }
}

}  // namespace opscale::tunnel
