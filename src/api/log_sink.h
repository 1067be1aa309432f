// BufferedLogSink: opscaled's log lines to a file descriptor (stderr), in
// batches under load. A line is written at once if nothing was written in
// the last 100 ms, or if it is a warning or an error; otherwise it waits in
// a buffer that is written when it holds 64 KiB, by a thread of its own
// within 100 ms, on flush() and when the sink is destroyed. So occasional
// lines appear at once, while a flood of request lines costs ~10 writes a
// second instead of one each (~5% of a cached GET, bench/README.md row 2).
// A SIGKILL loses at most the last 100 ms of info lines.
//
// Thread-safety: spdlog's base_sink serializes every call with its mutex.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/periodic.h"

namespace opscale::api {

class BufferedLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedLogSink(int fd);
  ~BufferedLogSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  int fd_;
  std::string buffer_;  // guarded by base_sink's mutex_, like last_write_
  std::chrono::steady_clock::time_point last_write_{};
  std::unique_ptr<Periodic> flusher_;  // destroyed first, in ~BufferedLogSink
};

}  // namespace opscale::api
