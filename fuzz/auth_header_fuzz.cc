// The Authorization header parsers: Authenticator::Authenticate (service
// token "<ID>:<TOKEN>", "Bearer <TOKEN>") against a real CredentialIndex
// holding one service token and one API token, and the OAuth endpoints'
// HTTP Basic client credentials (DecodeBasicAuthorization).
//
// Invariants: exactly the two known credentials are accepted, each as the
// Principal it belongs to; every other header gets the uniform 401 and its
// message, which never echoes the header; Basic credentials that decode
// re-encode to a header that decodes to the same pair.
#include <cstdint>
#include <string>

#include "api/request_bodies.h"
#include "auth/authenticator.h"
#include "auth/token_format.h"
#include "fuzz_check.h"

namespace opscale {
namespace {

// Secrets minted for this run by the product's own generator; the seeds
// that use them are written at start-up (LLVMFuzzerInitialize).
constexpr std::string_view kTokenId = "fuzztoken001";
const std::string& TokenSecret() {
  static const std::string s = GenerateSecret(kServiceTokenPrefix);
  return s;
}
const std::string& ApiSecret() {
  static const std::string s = GenerateSecret(kApiTokenPrefix);
  return s;
}

struct Fixture {
  CredentialIndex index{SecretHasher(std::string(32, 'k'))};
  Authenticator auth{&index};
  Fixture() {
    ServiceToken t;
    t.id = std::string(kTokenId);
    t.org_id = "org000000001";
    t.secret_hash = index.hasher().Hash(TokenSecret());
    index.PutServiceToken(t);
    index.PutGrant({"", t.id, ResourceType::kDatabase, "db0000000001", "read_branch", 0});
    User u;
    u.id = "user00000001";
    u.email = "fuzz@example.invalid";
    index.PutUser(u);
    index.PutMembership({"org000000001", u.id, Role::kAdmin, 0});
    ApiToken at;
    at.id = "api000000001";
    at.user_id = u.id;
    at.secret_hash = index.hasher().Hash(ApiSecret());
    index.PutApiToken(at);
  }
};

std::string Base64(std::string_view in) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += k[(v >> s) & 63];
  }
  if (in.size() - i == 1) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8;
    for (int s = 18; s >= 6; s -= 6) out += k[(v >> s) & 63];
    out += '=';
  }
  return out;
}

std::string PercentEncodeAll(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace
}  // namespace opscale

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  using opscale::TokenSecret;
  using opscale::ApiSecret;
  std::string tok = TokenSecret(), api = ApiSecret();
  std::string bad = tok;
  bad.back() = bad.back() == 'x' ? 'y' : 'x';
  opscale::fuzz::WriteSeeds(*argc, *argv,
                            {{"service_token", "fuzztoken001:" + tok},
                             {"bad_checksum", "fuzztoken001:" + bad},
                             {"two_colons", "fuzztoken001:" + tok + ":x"},
                             {"unknown_id", "fuzztoken002:" + tok},
                             {"bearer", "Bearer " + api},
                             {"lowercase_bearer", "bearer " + api},
                             {"bearer_service_token", "Bearer " + tok}});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace opscale;
  static Fixture* f = new Fixture();
  const std::string header(fuzz::AsText(data, size));

  Result<Principal> p = f->auth.Authenticate(header, /*now=*/1'700'000'000'000);
  const std::string token_header = std::string(kTokenId) + ":" + TokenSecret();
  const std::string bearer_header = "Bearer " + ApiSecret();
  if (p.ok()) {
    FUZZ_CHECK(header == token_header || header == bearer_header);
    if (header == token_header) {
      FUZZ_CHECK(p->is_token());
      FUZZ_CHECK(p->database_accesses.Get("db0000000001").Has(Access::kReadBranch));
    } else {
      FUZZ_CHECK(p->is_user());
    }
  } else {
    FUZZ_CHECK(header != token_header && header != bearer_header);
    FUZZ_CHECK(p.status().code() == Code::kUnauthenticated);
    FUZZ_CHECK(p.status().message() == kUnauthorizedMessage);
  }

  // A dashboard session cookie: the same secrets are never sessions.
  Result<Principal> s = f->auth.AuthenticateSession(header, 1'700'000'000'000);
  FUZZ_CHECK(!s.ok() && s.status().message() == kUnauthorizedMessage);

  auto basic = api::DecodeBasicAuthorization(header);
  FUZZ_CHECK(!basic || header.starts_with("Basic "));
  if (basic) {
    const std::string again = "Basic " + Base64(PercentEncodeAll(basic->first) + ":" +
                                                 PercentEncodeAll(basic->second));
    auto round = api::DecodeBasicAuthorization(again);
    FUZZ_CHECK(round && *round == *basic);
  }
  return 0;
}
