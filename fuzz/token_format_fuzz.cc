// Credential formats (auth/token_format.h) and OAuth scope lists
// (auth/oauth_scopes.h): service token, API/OAuth token, OAuth refresh token
// and OAuth client secret shapes, ids, stored hashes, scopes.
//
// Invariants: the well-formedness checks agree with a plain restatement of
// the format; a body of the right shape with its checksum appended is
// well-formed under its prefix only, and changing any one of its characters
// makes it ill-formed (the checksum is 32 bits: a miss is a 1-in-4e9 event);
// a stored hash that parses re-formats to the same text; a scope list that
// parses re-joins to a list that parses to the same scopes.
#include <algorithm>
#include <cstdint>
#include <string>

#include "auth/oauth_scopes.h"
#include "auth/token_format.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "fuzz_check.h"

namespace opscale {
namespace {

// The OAuth formats' prefixes (service/oauth.cc keeps the last two private).
constexpr std::string_view kPrefixes[] = {kServiceTokenPrefix, kApiTokenPrefix,
                                          "pscale_oauth_refresh_", "pscale_app_secret_"};

bool IsBase62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The format restated plainly: prefix, 44 + 6 base62 characters.
bool ReferenceShape(std::string_view s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  std::string_view rest = s.substr(prefix.size());
  return rest.size() == kSecretBodyLength + kSecretChecksumLength &&
         std::all_of(rest.begin(), rest.end(), IsBase62);
}

}  // namespace
}  // namespace opscale

// Valid secrets as seeds, minted for the run (none is committed).
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  using namespace opscale;
  opscale::fuzz::WriteSeeds(*argc, *argv,
                            {{"service_token", GenerateSecret(kServiceTokenPrefix)},
                             {"api_token", GenerateSecret(kApiTokenPrefix)},
                             {"refresh_token", GenerateSecret("pscale_oauth_refresh_")}});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace opscale;
  const std::string_view in = fuzz::AsText(data, size);

  for (std::string_view prefix : kPrefixes) {
    const bool shape = HasSecretShape(in, prefix);
    FUZZ_CHECK(shape == ReferenceShape(in, prefix));
    const bool well_formed = IsWellFormedSecret(in, prefix);
    FUZZ_CHECK(well_formed == (shape && HasValidChecksum(in, prefix)));
    if (well_formed) FUZZ_CHECK(WithSecretChecksum(in.substr(0, in.size() - 6)) == in);
  }

  // A secret made from the input: base62 body, valid checksum.
  std::string body;
  for (size_t i = 0; i < kSecretBodyLength; ++i)
    body += kBase62[i < size ? data[i] % 62 : 0];
  const std::string_view prefix = kPrefixes[size % std::size(kPrefixes)];
  const std::string secret = WithSecretChecksum(std::string(prefix) + body);
  FUZZ_CHECK(IsWellFormedSecret(secret, prefix));
  for (std::string_view other : kPrefixes)
    FUZZ_CHECK(other == prefix || !IsWellFormedSecret(secret, other));
  if (size > 0) {
    std::string typo = secret;
    const size_t at = prefix.size() + data[0] % (kSecretBodyLength + kSecretChecksumLength);
    typo[at] = typo[at] == 'x' ? 'y' : 'x';
    FUZZ_CHECK(HasSecretShape(typo, prefix) && !IsWellFormedSecret(typo, prefix));
  }

  // Ids: 12 of [a-z0-9].
  const bool id_ok = in.size() == 12 && std::all_of(in.begin(), in.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                     });
  FUZZ_CHECK(IsWellFormedId(in) == id_ok);

  // Stored hashes: 64 lowercase hex digits, and back.
  if (auto digest = SecretHasher::ParseHash(in)) {
    std::string_view raw(reinterpret_cast<const char*>(digest->data()), digest->size());
    FUZZ_CHECK(crypto::Hex(raw) == in);
  }
  static const SecretHasher hasher(std::string(32, 'k'));
  const std::string hash = hasher.Hash(in);
  FUZZ_CHECK(SecretHasher::ParseHash(hash).has_value());
  FUZZ_CHECK(hasher.Matches(in, hash));

  // OAuth scope lists.
  Result<std::vector<std::string>> scopes = ParseScopes(in);
  if (scopes.ok()) {
    for (const auto& s : *scopes) FUZZ_CHECK(NormalizeScope(s) == s);
    Result<std::vector<std::string>> again = ParseScopes(JoinScopes(*scopes));
    FUZZ_CHECK(again.ok() && *again == *scopes);
  } else {
    FUZZ_CHECK(scopes.status().code() == Code::kUnprocessable);
  }
  return 0;
}
