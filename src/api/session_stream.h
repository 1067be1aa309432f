// SessionStream: the byte stream of one HTTP connection of HttpServer,
// plain TCP or TLS over it. Private to http_server.cc (the only file that
// includes it: it pulls in Asio's SSL headers).
//
// One type for both, with the choice made at run time, so that every
// Beast/Asio operation the session uses is instantiated for one stream type
// (a Session templated on its stream would compile each of them twice over
// for nothing). Until ActivateTls() the bytes go straight to the socket:
// a TLS session reads the client's first bytes in the clear, to tell a
// ClientHello from plain HTTP sent to the HTTPS port, and hands them to the
// handshake.
//
// Deadlines, socket() and close() act on the TCP layer in both modes.
// Thread-safety: like the streams it wraps (one strand).
#pragma once

#include <optional>
#include <utility>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace opscale::api {

class SessionStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream&>;

  explicit SessionStream(boost::asio::ip::tcp::socket socket) : tcp_(std::move(socket)) {}
  SessionStream(const SessionStream&) = delete;
  SessionStream& operator=(const SessionStream&) = delete;

  executor_type get_executor() { return tcp_.get_executor(); }

  // Prepares TLS with `ctx` (which must outlive the stream); the handshake
  // is the caller's (tls()->async_handshake), then ActivateTls().
  void AttachTls(boost::asio::ssl::context& ctx) { tls_.emplace(tcp_, ctx); }
  TlsStream* tls() { return tls_ ? &*tls_ : nullptr; }
  void ActivateTls() { tls_active_ = tls_.has_value(); }
  bool tls_active() const { return tls_active_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_active_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      tcp_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_active_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      tcp_.async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

  // The TCP layer.
  void expires_after(boost::asio::steady_timer::duration d) { tcp_.expires_after(d); }
  void expires_at(boost::asio::steady_timer::time_point t) { tcp_.expires_at(t); }
  void expires_never() { tcp_.expires_never(); }
  boost::asio::ip::tcp::socket& socket() { return tcp_.socket(); }
  void close() { tcp_.close(); }

 private:
  boost::beast::tcp_stream tcp_;
  std::optional<TlsStream> tls_;  // refers to tcp_
  bool tls_active_ = false;
};

}  // namespace opscale::api
