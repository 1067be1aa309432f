#include "cli/mask.h"

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

TEST(MaskTest, TokenPrefixesAreMasked) {
  EXPECT_EQ(MaskSecrets("id=abc secret=pscale_tkn_AbC123-_xyz end"), "id=abc secret=*** end");
  EXPECT_EQ(MaskSecrets("Bearer pscale_oauth_ZZZ999"), "Bearer ***");
  EXPECT_EQ(MaskSecrets("pscale_oauth_refresh_abcDEF"), "***");
  EXPECT_EQ(MaskSecrets("pw: pscale_pw_0123456789abcdef."), "pw: ***.");
  EXPECT_EQ(MaskSecrets("no secrets here"), "no secrets here");
}

TEST(MaskTest, SecretJsonValuesAreMasked) {
  EXPECT_EQ(MaskSecrets(R"({"id":"k2b8x9ta4mzp","token":"whatever-secret","name":"ci"})"),
            R"({"id":"k2b8x9ta4mzp","token":"***","name":"ci"})");
  EXPECT_EQ(MaskSecrets(R"({"plain_text": "s3cr3t", "password" : "hunter2"})"),
            R"({"plain_text": "***", "password" : "***"})");
  EXPECT_EQ(MaskSecrets(R"({"api_token":"abc","plain_text_refresh_token":"def","admin_password":"x"})"),
            R"({"api_token":"***","plain_text_refresh_token":"***","admin_password":"***"})");
}

TEST(MaskTest, EscapedQuotesInsideSecretValues) {
  EXPECT_EQ(MaskSecrets(R"({"password":"a\"b\\","ok":"yes"})"), R"({"password":"***","ok":"yes"})");
}

TEST(MaskTest, NonSecretKeysAndNullsAreKept) {
  EXPECT_EQ(MaskSecrets(R"({"token":null,"token_id":"abc","name":"token"})"),
            R"({"token":null,"token_id":"abc","name":"token"})");
  EXPECT_EQ(MaskSecrets(R"({"plain_text_refresh_token":null})"), R"({"plain_text_refresh_token":null})");
}

TEST(MaskTest, AuthorizationHeaderIsAlwaysMasked) {
  EXPECT_EQ(MaskHeaderValue("Authorization", "k2b8x9ta4mzp:pscale_tkn_abc"), "***");
  EXPECT_EQ(MaskHeaderValue("authorization", "Bearer anything"), "***");
  EXPECT_EQ(MaskHeaderValue("User-Agent", "pscale-cli/0.1.0 opscale"), "pscale-cli/0.1.0 opscale");
}

TEST(MaskTest, UnterminatedValueDoesNotLeak) {
  EXPECT_EQ(MaskSecrets(R"({"token":"abcdef)"), R"({"token":"***)");
}

}  // namespace
}  // namespace opscale::cli
