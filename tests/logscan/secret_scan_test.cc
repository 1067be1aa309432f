// The scanner must find every secret shape opscale issues: each pattern,
// alone in a log file, fails the real secret_scan binary, and the report
// names file:line without the secret.
#include "logscan/secret_scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testutil/process.h"

namespace opscale::logscan {
namespace {

using testutil::RunProcess;
using testutil::TempDir;

// Fake secrets are assembled at run time, so this file itself holds none.
std::string Fake(const std::string& prefix) {
  return prefix + "Zq9" + std::string(41, 'x') + "Ab12Cd";
}

struct Case {
  std::string name, line;
};

std::vector<Case> OneOfEach() {
  return {
      {"service token", "token is " + Fake("pscale_tkn_")},
      {"api token", "{\"api_token\":\"" + Fake("pscale_oauth_") + "\"}"},
      {"refresh token", "refresh_token=" + Fake("pscale_oauth_refresh_")},
      {"client secret", "client_secret " + Fake("pscale_app_secret_")},
      {"password", "plain_text: " + Fake("pscale_pw_")},
      {"cookie", "Set-Cookie: opscale_session=abcdefghijklmnop1234; HttpOnly"},
      {"service token header", "Authorization: abcdefghij12:some-secret-value-here"},
      {"bearer header", "> authorization: Bearer abc.def.ghi-0123456789"},
      {"json header", "{\"Authorization\": \"Basic dXNlcjpwYXNzd29yZA==\"}"},
  };
}

TEST(SecretScanTest, FindsEachPatternAndMasksIt) {
  for (const Case& c : OneOfEach()) {
    auto found = ScanText("first line\n" + c.line + "\n", false);
    ASSERT_EQ(found.size(), 1u) << c.name;
    EXPECT_EQ(found[0].line, 2u) << c.name;
    EXPECT_NE(found[0].masked.find("***"), std::string::npos) << c.name;
    EXPECT_EQ(found[0].masked.find("Zq9x"), std::string::npos) << c.name;
    EXPECT_EQ(found[0].masked.find("abcdefghijklmnop1234"), std::string::npos) << c.name;
    EXPECT_EQ(found[0].masked.find("some-secret-value"), std::string::npos) << c.name;
    EXPECT_EQ(found[0].masked.find("dXNlcj"), std::string::npos) << c.name;
  }
}

TEST(SecretScanTest, MaskedValuesAndMentionsAreClean) {
  const std::string text =
      "[debug]     Authorization: ***\n"
      "[debug]     {\"token\":\"***\",\"plain_text\":\"***\"}\n"
      "service tokens start with pscale_tkn_ and passwords with pscale_pw_\n"
      "Set-Cookie: opscale_session=; Max-Age=0\n"
      "a missing Authorization: header is refused\n"
      "GET /v1/organizations/acme 200 0.3ms 127.0.0.1\n";
  EXPECT_TRUE(ScanText(text, false).empty());
}

TEST(SecretScanTest, CommandOutputMayShowASecretOnlyWhereCreated) {
  const std::string secret = Fake("pscale_tkn_");
  EXPECT_TRUE(ScanText("### opscale service-token create --org acme\n" + secret + "\n", true).empty());
  EXPECT_TRUE(ScanText("### curl -sS -X POST http://127.0.0.1:1/v1/organizations/acme/service-tokens -o -\n" +
                           secret + "\n",
                       true)
                  .empty());
  // The same output from a listing, or in a log, is a finding.
  auto found = ScanText("### opscale service-token create\nok\n### opscale service-token list\n" +
                            secret + "\n",
                        true);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].line, 4u);
  EXPECT_EQ(ScanText("### opscale service-token create\n" + secret + "\n", false).size(), 1u);
  // A header line is never allowed to hold one.
  EXPECT_EQ(ScanText("### opscale service-token create " + secret + "\n", true).size(), 1u);
  EXPECT_FALSE(ShowsSecretOnce("curl -sS -X GET http://h/v1/organizations/acme/service-tokens"));
  EXPECT_FALSE(ShowsSecretOnce("opscale branch list"));
  EXPECT_TRUE(ShowsSecretOnce("opscaled init --data-dir /tmp/x --format json"));
  EXPECT_TRUE(ShowsSecretOnce("runuser -u *** -- /build/bin/opscaled init --data-dir /tmp/x"));
  EXPECT_FALSE(ShowsSecretOnce("runuser -u *** -- /build/bin/opscale service-token list"));
}

TEST(SecretScanTest, BinaryFailsOnEveryPatternWithFileAndLine) {
  TempDir dir;
  for (const Case& c : OneOfEach()) {
    const std::string file = dir.path() + "/case.log";
    std::ofstream(file) << "clean\n" << c.line << "\n";
    auto r = RunProcess({OPSCALE_SECRET_SCAN, dir.path()});
    EXPECT_EQ(r.exit_code, 1) << c.name << ": " << r.out;
    EXPECT_NE(r.out.find(file + ":2: "), std::string::npos) << c.name << ": " << r.out;
    EXPECT_EQ(r.out.find("Zq9x"), std::string::npos) << c.name;
    EXPECT_EQ(r.out.find("some-secret-value"), std::string::npos) << c.name;
  }
  std::ofstream(dir.path() + "/case.log") << "clean\n";
  auto clean = RunProcess({OPSCALE_SECRET_SCAN, dir.path()});
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
}

}  // namespace
}  // namespace opscale::logscan
