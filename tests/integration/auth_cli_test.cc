// `opscale auth login` end to end: the real CLI runs the device flow against
// the real server, a signed-in user approves the code (POST /oauth/device,
// as the dashboard's approval page does), the CLI stores the token 0600 and
// uses it; `auth check` confirms it; `auth logout` revokes it on the server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

struct Cli {
  const Server& s;
  TempDir home;
  std::map<std::string, std::string> Env() const {
    return {{"HOME", home.path()},
            {"PLANETSCALE_API_URL", s.url()},
            {"OPSCALE_DEVICE_POLL_MS", "300"},
            {"DISPLAY", "\x01unset"},
            {"WAYLAND_DISPLAY", "\x01unset"},
            {"PLANETSCALE_SERVICE_TOKEN", "\x01unset"},
            {"PLANETSCALE_SERVICE_TOKEN_ID", "\x01unset"},
            {"PLANETSCALE_API_TOKEN", "\x01unset"}};
  }
  RunResult Run(std::vector<std::string> args) const {
    args.insert(args.begin(), OpscaleBin());
    return RunProcess(args, Env());
  }
  std::string TokenFile() const { return home.path() + "/.config/planetscale/access-token"; }
};

// Starts `auth login` and returns the confirmation code it printed.
std::string StartLogin(const Cli& cli, std::unique_ptr<Background>* login) {
  *login = std::make_unique<Background>(std::vector<std::string>{OpscaleBin(), "auth", "login"}, cli.Env());
  std::string out = (*login)->WaitForOutput("If something goes wrong", 15000);
  std::smatch m;
  static const std::regex kCode("Confirmation Code: (?:\x1b\\[[0-9;]*m)*([B-Z]{4}-[B-Z]{4})");
  if (!std::regex_search(out, m, kCode)) return "";
  return m[1];
}

HttpExchange Decide(const Server& s, const std::string& code, bool approve) {
  return Http("POST", s.url() + "/oauth/device",
              {BearerHeader(s.admin().api_token), "Content-Type: application/json"},
              json::serialize(json::object{{"user_code", code}, {"approve", approve}}));
}

TEST(AuthCliTest, DeviceLoginApprovedUsedCheckedAndLoggedOut) {
  Server s("acme");
  Cli cli{s};
  std::unique_ptr<Background> login;
  std::string code = StartLogin(cli, &login);
  ASSERT_FALSE(code.empty()) << login->Out() << login->Err();
  EXPECT_NE(login->Out().find(s.url() + "/oauth/device?user_code=" + code), std::string::npos)
      << "the URL to open names the code";

  // Nothing is issued until a person approves.
  EXPECT_EQ(login->Wait(700), -2) << "still waiting for approval";
  HttpExchange ok = Decide(s, code, true);
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_EQ(login->Wait(15000), 0) << login->Out() << login->Err();
  EXPECT_NE(login->Out().find("Successfully logged in."), std::string::npos) << login->Out();

  struct stat st {};
  ASSERT_EQ(stat(cli.TokenFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((cli.home.path() + "/.config/planetscale").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u) << "config dir is private";
  std::ifstream f(cli.TokenFile());
  std::stringstream token;
  token << f.rdbuf();
  std::string access = token.str();
  while (!access.empty() && (access.back() == '\n' || access.back() == ' ')) access.pop_back();
  EXPECT_EQ(access.rfind("pscale_oauth_", 0), 0u);
  // A code is single-use: approving it again is refused.
  EXPECT_EQ(Decide(s, code, true).status, 404);

  // The stored token works without a service token.
  RunResult create = cli.Run({"database", "create", "from-login", "--org", "acme"});
  EXPECT_EQ(create.exit_code, 0) << create.err;
  RunResult list = cli.Run({"database", "list", "--org", "acme", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("from-login"), std::string::npos);
  RunResult check = cli.Run({"auth", "check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("You are authenticated."), std::string::npos) << check.out;

  // Logout revokes on the server, not only locally.
  RunResult out = cli.Run({"auth", "logout"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("Successfully logged out."), std::string::npos) << out.out;
  EXPECT_NE(stat(cli.TokenFile().c_str(), &st), 0) << "token file removed";
  EXPECT_EQ(CallApi(s.url(), "GET", "/v1/organizations", BearerHeader(access)).status, 401);
  RunResult again = cli.Run({"auth", "logout"});
  EXPECT_NE(again.out.find("Already logged out. Exiting..."), std::string::npos) << again.out;
  RunResult check2 = cli.Run({"auth", "check"});
  EXPECT_EQ(check2.exit_code, 1);
}

TEST(AuthCliTest, ADeniedLoginEndsWithAClearError) {
  Server s("acme");
  Cli cli{s};
  std::unique_ptr<Background> login;
  std::string code = StartLogin(cli, &login);
  ASSERT_FALSE(code.empty()) << login->Out() << login->Err();
  ASSERT_EQ(Decide(s, code, false).status, 200);
  int rc = login->Wait(15000);
  EXPECT_NE(rc, 0);
  EXPECT_NE(rc, -2) << "the CLI stops polling";
  EXPECT_NE((login->Out() + login->Err()).find("denied"), std::string::npos) << login->Err();
  struct stat st {};
  EXPECT_NE(stat(cli.TokenFile().c_str(), &st), 0) << "no token stored";
  // A code nobody issued cannot be approved.
  EXPECT_EQ(Decide(s, "ZZZZ-ZZZZ", true).status, 404);
}

}  // namespace
}  // namespace opscale::testutil
