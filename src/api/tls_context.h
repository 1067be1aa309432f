// TlsContext: opscaled's server certificate, private key and TLS policy,
// loaded once at start-up (OpenSSL; no Asio here, so that `opscaled serve`
// can check its files before it starts anything else).
//
// The policy is fixed, not configurable: TLS 1.2 and 1.3 only; under 1.2
// only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305),
// the server's order preferred; no compression, no renegotiation, no 1.2
// session tickets (they would weaken forward secrecy). docs/tls.md lists it.
//
// Thread-safety: immutable after Load; the handle may be shared by any
// number of connections (OpenSSL's SSL_CTX is thread-safe for that use).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace opscale::api {

// TLS 1.2 cipher list (OpenSSL names). TLS 1.3 uses OpenSSL's default
// suites, which are all AEAD.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

class TlsContext {
 public:
  // Reads a PEM certificate chain (the server certificate first, then any
  // intermediates) and its PEM private key (unencrypted). Fails with
  // InvalidArgument naming the flag and the file: "cannot read --tls-cert
  // FILE: No such file or directory", "--tls-cert FILE holds no PEM
  // certificate", "--tls-key FILE holds no usable PEM private key",
  // "--tls-key FILE does not match the certificate in --tls-cert FILE".
  static Result<std::shared_ptr<const TlsContext>> Load(const std::string& cert_file,
                                                        const std::string& key_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The SSL_CTX (owned here; callers that keep it take their own reference).
  ssl_ctx_st* native() const { return ctx_; }
  // For the start-up log: "subject CN=..., expires 2027-01-01 (TLS 1.2, 1.3)".
  const std::string& description() const { return description_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
  std::string description_;
};

}  // namespace opscale::api
