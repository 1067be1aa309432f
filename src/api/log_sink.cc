#include "api/log_sink.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace opscale::api {
namespace {

constexpr size_t kBufferBytes = 64 * 1024;
constexpr auto kFlushEvery = std::chrono::milliseconds(100);

}  // namespace

BufferedLogSink::BufferedLogSink(int fd) : fd_(fd) {
  buffer_.reserve(kBufferBytes);
  flusher_ = std::make_unique<Periodic>(kFlushEvery, [this] { flush(); });
}

BufferedLogSink::~BufferedLogSink() {
  flusher_.reset();  // stops its thread before the buffer goes
  flush();
}

void BufferedLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  buffer_.append(line.data(), line.size());
  if (msg.level >= spdlog::level::warn || buffer_.size() >= kBufferBytes ||
      std::chrono::steady_clock::now() - last_write_ >= kFlushEvery) {
    flush_();
  }
}

void BufferedLogSink::flush_() {
  if (buffer_.empty()) return;
  last_write_ = std::chrono::steady_clock::now();
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // nowhere to report a failing log; drop the batch
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace opscale::api
