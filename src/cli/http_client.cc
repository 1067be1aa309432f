#include "cli/http_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include <curl/curl.h>

namespace opscale::cli {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kTotalTimeoutSeconds = 300;

// Server verification, for the API client and the tunnel alike. libcurl verifies by default;
// said explicitly so that no later change can turn it off by accident.
void ApplyTls(CURL* curl, const TlsOptions& tls) {
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!tls.ca_file.empty()) {
    // Only this file: Debian's libcurl would otherwise also search /etc/ssl/certs.
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
  }
}

std::string ErrorText(CURLcode rc, const char* buffer) {
  std::string text = buffer[0] ? std::string(buffer) : std::string(curl_easy_strerror(rc));
  if (rc == CURLE_PEER_FAILED_VERIFICATION) {
    text += " (opscale verifies the server's TLS certificate and host name; to trust a private CA, "
            "pass --ca-file PATH or set OPSCALE_CA_FILE)";
  } else if (rc == CURLE_SSL_CACERT_BADFILE) {
    text += " (check the file given by --ca-file or OPSCALE_CA_FILE)";
  }
  return text;
}

// OpenTlsPipe's relay: `curl` (a connect-only TLS connection on `sock`) <-> `local`, until
// either ends. Non-blocking both ways, one thread; a side that does not take bytes stops the
// reading of the other.
void PumpTls(CURL* curl, curl_socket_t sock, int local) {
  constexpr size_t kChunk = 16 * 1024;
  std::string down, up;  // server -> local, local -> server
  size_t down_sent = 0, up_sent = 0;
  char buf[kChunk];
  bool hangup = false;
  for (;;) {
    bool progress = false;
    if (down_sent == down.size()) {
      size_t n = 0;
      CURLcode rc = curl_easy_recv(curl, buf, sizeof buf, &n);
      if (rc == CURLE_OK && n == 0) return;  // the server closed
      if (rc != CURLE_OK && rc != CURLE_AGAIN) return;
      if (rc == CURLE_OK) {
        down.assign(buf, n);
        down_sent = 0;
        progress = true;
      }
    }
    if (down_sent < down.size()) {
      ssize_t n = send(local, down.data() + down_sent, down.size() - down_sent, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) {
        down_sent += static_cast<size_t>(n);
        progress = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return;
      }
    }
    if (up_sent == up.size()) {
      ssize_t n = recv(local, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0) return;  // the caller closed its end
      if (n > 0) {
        up.assign(buf, static_cast<size_t>(n));
        up_sent = 0;
        progress = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return;
      }
    }
    if (up_sent < up.size()) {
      size_t n = 0;
      CURLcode rc = curl_easy_send(curl, up.data() + up_sent, up.size() - up_sent, &n);
      if (rc != CURLE_OK && rc != CURLE_AGAIN) return;
      if (rc == CURLE_OK && n > 0) {
        up_sent += n;
        progress = true;
      }
    }
    if (progress) continue;
    // Nothing moved although a side hung up: it will not move any more.
    if (hangup) return;
    // TLS may have decrypted bytes buffered: curl_easy_recv above drained them (CURLE_AGAIN)
    // before this wait, so the socket's readiness tells the truth.
    pollfd p[2] = {{sock, 0, 0}, {local, 0, 0}};
    if (down_sent == down.size()) p[0].events |= POLLIN;
    if (up_sent < up.size()) p[0].events |= POLLOUT;
    if (up_sent == up.size()) p[1].events |= POLLIN;
    if (down_sent < down.size()) p[1].events |= POLLOUT;
    if (poll(p, 2, -1) < 0 && errno != EINTR) return;
    hangup = ((p[0].revents | p[1].revents) & (POLLHUP | POLLERR | POLLNVAL)) != 0;
  }
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(TlsOptions tls) : handle_(std::make_unique<Handle>()), tls_(std::move(tls)) {
  GlobalInitOnce();
  handle_->curl = curl_easy_init();
}

HttpClient::~HttpClient() = default;

Result<HttpReply> HttpClient::Send(const HttpRequest& request) {
  CURL* curl = handle_->curl;
  if (!curl) return Status::Internal("cannot initialise libcurl");
  curl_easy_reset(curl);

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) return Status::Internal("out of memory building headers");
    headers.release();
    headers.reset(next);
  }
  // curl adds "Expect: 100-continue" to larger bodies; the API does not need the round trip.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));

  HttpReply reply;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (request.body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body->size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTotalTimeoutSeconds);
  ApplyTls(curl, tls_);

  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) return Status::Unavailable(ErrorText(rc, error));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  reply.status = static_cast<int>(status);
  curl_header* retry = nullptr;
  if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &retry) == CURLHE_OK && retry)
    reply.retry_after = retry->value;
  return reply;
}

std::string UrlEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace opscale::cli

namespace opscale::cli {

Result<int> OpenTlsPipe(const std::string& host, const std::string& port, const TlsOptions& tls,
                        std::chrono::milliseconds timeout) {
  GlobalInitOnce();
  CURL* curl = curl_easy_init();
  if (!curl) return Status::Internal("cannot initialise libcurl");
  bool v6 = host.find(':') != std::string::npos;
  std::string url = "https://" + (v6 ? "[" + host + "]" : host) + ":" + port + "/";
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  // Connect and handshake (verified), then hand the connection over: no HTTP from curl.
  curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_ENABLE_ALPN, 0L);  // the tunnel speaks HTTP/1.1
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  ApplyTls(curl, tls);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_socket_t sock = CURL_SOCKET_BAD;
  if (rc == CURLE_OK) rc = curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &sock);
  if (rc != CURLE_OK || sock == CURL_SOCKET_BAD) {
    std::string text = rc != CURLE_OK ? ErrorText(rc, error) : "no connection";
    curl_easy_cleanup(curl);
    return Status::Unavailable(text);
  }
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    int err = errno;
    curl_easy_cleanup(curl);
    return Status::Internal(std::string("socketpair: ") + std::strerror(err));
  }
  try {
    std::thread([curl, sock, local = pair[0]] {
      PumpTls(curl, sock, local);
      // Both peers see the end: the caller reads EOF, the server gets the TCP close.
      close(local);
      curl_easy_cleanup(curl);
    }).detach();
  } catch (const std::system_error& e) {
    close(pair[0]);
    close(pair[1]);
    curl_easy_cleanup(curl);
    return Status::Internal(std::string("cannot start a thread: ") + e.what());
  }
  return pair[1];
}

}  // namespace opscale::cli
