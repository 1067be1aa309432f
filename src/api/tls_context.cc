#include "api/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace opscale::api {
namespace {

// The last OpenSSL error's reason ("no start line"), clearing the queue.
std::string OpenSslReason() {
  unsigned long last = 0;
  for (unsigned long e; (e = ERR_get_error()) != 0;) last = e;
  const char* reason = last != 0 ? ERR_reason_error_string(last) : nullptr;
  return reason != nullptr ? reason : "unknown error";
}

// fopen's answer, so that a missing or unreadable file says so plainly
// (OpenSSL's own text for it is "system lib").
Status CheckReadable(const char* flag, const std::string& path) {
  if (path.empty()) return Status::InvalidArgument(std::string(flag) + " needs a file name");
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Status::InvalidArgument("cannot read " + std::string(flag) + " " + path + ": " +
                                   std::strerror(errno));
  }
  std::fclose(f);
  return Status::Ok();
}

// An encrypted key would otherwise make OpenSSL prompt on the terminal.
// (pem_password_cb)
int NoPassphrase(char*, int, int, void*) { return 0; }

std::string Describe(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "no certificate";
  char cn[256] = "";
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) < 0) {
    cn[0] = '\0';
  }
  std::string out = std::string("certificate CN=") + (cn[0] != '\0' ? cn : "(none)");
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(bio, X509_get0_notAfter(cert)) == 1) {
      char* data = nullptr;
      long n = BIO_get_mem_data(bio, &data);
      out += ", valid until " + std::string(data, static_cast<size_t>(n));
    }
    BIO_free(bio);
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) out += " (EXPIRED)";
  return out + "; TLS 1.2 (ECDHE, AEAD) and 1.3";
}

}  // namespace

Result<std::shared_ptr<const TlsContext>> TlsContext::Load(const std::string& cert_file,
                                                          const std::string& key_file) {
  if (Status st = CheckReadable("--tls-cert", cert_file); !st.ok()) return st;
  if (Status st = CheckReadable("--tls-key", key_file); !st.ok()) return st;
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::Internal("cannot set up TLS: " + OpenSslReason());
  // Owned by `tls` from here on: every failure below frees it.
  std::shared_ptr<TlsContext> tls(new TlsContext(ctx));

  // Policy (see the header). Each call can only fail on an OpenSSL without
  // these features, which the build does not allow (OpenSSL 3 is required).
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
            SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) == 1 &&
            SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
  if (!ok) return Status::Internal("cannot set up TLS: " + OpenSslReason());
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // Idle keep-alive connections give their I/O buffers back.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("--tls-cert " + cert_file + " holds no PEM certificate (" +
                                   OpenSslReason() + ")");
  }
  // Read apart from the context, so that a key of another certificate is
  // reported as such (SSL_CTX_use_PrivateKey would only say "mismatch").
  EVP_PKEY* key = nullptr;
  if (BIO* bio = BIO_new_file(key_file.c_str(), "r")) {
    key = PEM_read_bio_PrivateKey(bio, nullptr, &NoPassphrase, nullptr);
    BIO_free(bio);
  }
  if (key == nullptr) {
    return Status::InvalidArgument("--tls-key " + key_file +
                                   " holds no usable PEM private key (encrypted keys are not "
                                   "supported) (" + OpenSslReason() + ")");
  }
  bool matches = X509_check_private_key(SSL_CTX_get0_certificate(ctx), key) == 1;
  bool used = matches && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  EVP_PKEY_free(key);
  if (!matches) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-key " + key_file +
                                   " does not match the certificate in --tls-cert " + cert_file);
  }
  if (!used || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("--tls-key " + key_file + " cannot be used with --tls-cert " +
                                   cert_file + " (" + OpenSslReason() + ")");
  }
  tls->description_ = Describe(ctx);
  return std::shared_ptr<const TlsContext>(std::move(tls));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace opscale::api
