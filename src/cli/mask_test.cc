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

TEST(MaskTest, DeviceCodeJsonValueIsMasked) {
  EXPECT_EQ(MaskSecrets(R"({"device_code":"abc123","user_code":"ABCD-EFGH"})"),
            R"({"device_code":"***","user_code":"ABCD-EFGH"})");
}

TEST(MaskTest, FormBodySecretsAreMasked) {
  EXPECT_EQ(MaskFormBody("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=Xy12"
                         "&client_id=pscale_app_opscale_cli"),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=***"
            "&client_id=pscale_app_opscale_cli");
  EXPECT_EQ(MaskFormBody("token=opaque-secret&client_id=c&client_secret=s3"),
            "token=***&client_id=c&client_secret=***");
  EXPECT_EQ(MaskFormBody("refresh_token=a&code=b&code_verifier=c&password=d"),
            "refresh_token=***&code=***&code_verifier=***&password=***");
  // Percent-encoded key names are recognised; other values still get the prefix masking.
  EXPECT_EQ(MaskFormBody("%74oken=x&note=pscale_oauth_Abc123"), "%74oken=***&note=***");
  EXPECT_EQ(MaskFormBody("client_id=pscale_app_opscale_cli&scope=read_user%20read_organization"),
            "client_id=pscale_app_opscale_cli&scope=read_user%20read_organization");
  EXPECT_EQ(MaskFormBody(""), "");
  EXPECT_EQ(MaskFormBody("flag&token="), "flag&token=***");
}

TEST(MaskTest, UrlQueryIsMaskedLikeAForm) {
  EXPECT_EQ(MaskUrl("http://h/oauth/device?user_code=ABCD-EFGH"),
            "http://h/oauth/device?user_code=ABCD-EFGH");
  EXPECT_EQ(MaskUrl("http://h/cb?code=abc&state=xyz#frag"), "http://h/cb?code=***&state=xyz#frag");
  EXPECT_EQ(MaskUrl("http://h/v1/organizations"), "http://h/v1/organizations");
}

}  // namespace
}  // namespace opscale::cli
