// The API's rate limits against the real server (docs/rate-limits.md): the
// default 600 requests a minute, per-credential and per-address budgets that
// are separate, the failed-authentication throttle that blocks even the right
// secret, the dashboard's files left uncounted, and the CLI's report of a
// 429. Bursts go through one curl process on one keep-alive connection
// (URL globbing), so no test waits a minute.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

// A /v1 path no route serves: authenticated and counted like any API
// request, then a 404 that costs the server nothing, so a burst is quick
// even on a busy machine.
constexpr const char* kProbe = "/v1/rate-limit-probe";

// `n` GETs of `path` with the header line `auth` on one connection; the
// status of each, in order. The header goes through stdin, not argv.
std::vector<int> Burst(const Server& s, const std::string& path, const std::string& auth, int n) {
  std::string url = s.url() + path + "?burst=[1-" + std::to_string(n) + "]";
  RunResult r = RunProcess({"/usr/bin/curl", "-sS", "-H", "@-", "-o", "/dev/null", "-w", "%{http_code}\n",
                            "--max-time", "120", url},
                           {}, auth.empty() ? std::string("X-Nothing: 1\n") : auth + "\n", 180);
  std::vector<int> codes;
  std::istringstream in(r.out);
  for (int code; in >> code;) codes.push_back(code);
  EXPECT_EQ(static_cast<int>(codes.size()), n) << r.err;
  return codes;
}

int Count(const std::vector<int>& codes, int status) {
  return static_cast<int>(std::count(codes.begin(), codes.end(), status));
}

HttpExchange Get(const Server& s, const std::string& path, const std::string& auth) {
  return Http("GET", s.url() + path, auth.empty() ? std::vector<std::string>{} : std::vector{auth});
}

// A 429 as the API promises it: rate_limited body, Retry-After in whole
// seconds within the minute window.
void ExpectThrottled(const HttpExchange& r, const std::string& why) {
  EXPECT_EQ(r.status, 429) << Masked(r.body);
  json::value v = r.Json();
  ASSERT_TRUE(v.is_object()) << Masked(r.body);
  EXPECT_EQ(v.at("code").as_string(), "rate_limited");
  std::string message(v.at("message").as_string());
  EXPECT_NE(message.find(why), std::string::npos) << message;
  std::string retry = r.Header("retry-after");
  ASSERT_FALSE(retry.empty()) << r.headers;
  ASSERT_EQ(retry.find_first_not_of("0123456789"), std::string::npos) << retry;
  int seconds = std::stoi(retry);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 120);
  EXPECT_NE(message.find("Retry after " + retry + " second"), std::string::npos) << message;
}

struct ServiceToken {
  std::string id, secret;
  std::string header;  // "Authorization: <id>:<secret>"
};

ServiceToken CreateServiceToken(const Server& s, const std::string& admin) {
  HttpReply t = CallApi(s.url(), "POST", "/v1/organizations/acme/service-tokens", admin, "{}");
  EXPECT_EQ(t.status, 200) << Masked(t.body);
  json::object o = t.Json().as_object();
  ServiceToken out{std::string(o["id"].as_string()), std::string(o["token"].as_string()), ""};
  out.header = TokenHeader(out.id, out.secret);
  return out;
}

// The same token with its last character changed: well-formed, wrong.
std::string WrongSecret(const std::string& token) {
  std::string wrong = token;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  return wrong;
}

TEST(RateLimitTest, TheDefaultIs600RequestsAMinuteThen429WithRetryAfter) {
  ServerOptions o;
  o.default_rate_limits = true;
  Server s(o);
  const std::string admin = BearerHeader(s.admin().api_token);

  HttpExchange first = Get(s, "/v1/organizations", admin);
  EXPECT_EQ(first.status, 200) << Masked(first.body);
  EXPECT_EQ(first.Header("x-ratelimit-limit"), "600");
  EXPECT_EQ(first.Header("x-ratelimit-remaining"), "599");

  std::vector<int> codes = Burst(s, kProbe, admin, 599);
  EXPECT_EQ(Count(codes, 404), 599);

  HttpExchange over = Get(s, "/v1/organizations", admin);
  ExpectThrottled(over, "the limit is 600 per minute");
  EXPECT_EQ(over.Header("x-ratelimit-limit"), "600");
  EXPECT_EQ(over.Header("x-ratelimit-remaining"), "0");

  // The dashboard's files and the health check are not counted.
  EXPECT_EQ(Http("GET", s.url() + "/").status, 200);
  EXPECT_EQ(Http("GET", s.url() + "/healthz").status, 200);
  EXPECT_EQ(Http("GET", s.url() + "/").Header("x-ratelimit-limit"), "");

  // The log has the 429s, never the secret.
  EXPECT_EQ(s.Stop(), 0);
  std::string log = s.Log();
  EXPECT_NE(log.find("GET /v1/organizations 429"), std::string::npos);
  EXPECT_EQ(log.find(s.admin().api_token), std::string::npos);
}

TEST(RateLimitTest, PerTokenAndPerAddressBudgetsAreSeparate) {
  Server s("acme", "admin@example.com", {"--rate-limit-per-token", "5", "--rate-limit-per-address", "30"});
  const std::string admin = BearerHeader(s.admin().api_token);
  ServiceToken other = CreateServiceToken(s, admin);  // admin 1, address 1

  // The admin's token spends its five; the next is refused for the token.
  std::vector<int> admin_codes = Burst(s, kProbe, admin, 4);  // admin 5, address 5
  EXPECT_EQ(Count(admin_codes, 404), 4);
  HttpExchange admin_over = Get(s, "/v1/organizations", admin);  // address 6
  ExpectThrottled(admin_over, "for this credential");
  EXPECT_EQ(admin_over.Header("x-ratelimit-limit"), "5");

  // Another token from the same address is not affected, and has its own five.
  std::vector<int> other_codes = Burst(s, kProbe, other.header, 5);  // address 11
  EXPECT_EQ(Count(other_codes, 404), 5);
  ExpectThrottled(Get(s, kProbe, other.header), "for this credential");  // 12

  // The address's budget counts every API request, refused ones too: 18
  // more spend it, then even a request with no credentials gets 429.
  std::vector<int> more = Burst(s, kProbe, admin, 18);  // address 30
  EXPECT_EQ(Count(more, 429), 18);
  HttpExchange address_over = Get(s, "/v1/organizations", "");
  ExpectThrottled(address_over, "from your address: the limit is 30 per minute");
  EXPECT_EQ(address_over.Header("x-ratelimit-limit"), "30");
  EXPECT_EQ(address_over.Header("x-ratelimit-remaining"), "0");
}

TEST(RateLimitTest, FailedAuthenticationIsThrottledHarderAndBlocksEvenTheRightSecret) {
  Server s("acme", "admin@example.com", {"--rate-limit-failed-auth", "5"});
  const std::string admin = BearerHeader(s.admin().api_token);
  ServiceToken token = CreateServiceToken(s, admin);
  const std::string wrong_bearer = BearerHeader(WrongSecret(s.admin().api_token));

  // No credentials at all refuses nothing: not counted as failures.
  std::vector<int> anonymous = Burst(s, kProbe, "", 10);
  EXPECT_EQ(Count(anonymous, 401), 10);
  EXPECT_EQ(Get(s, "/v1/organizations", admin).status, 200);

  // Five refused secrets spend the budget (a wrong session cookie counts too).
  std::vector<int> wrong = Burst(s, kProbe, wrong_bearer, 4);
  EXPECT_EQ(Count(wrong, 401), 4);
  EXPECT_EQ(Get(s, "/v1/organizations", "Cookie: opscale_session=pscale_tkn_notasession").status, 401);

  // From now on this address gets 429 for every API request, the right
  // secrets included, until the window lets it recover.
  ExpectThrottled(Get(s, "/v1/organizations", admin), "failed authentication attempts");
  ExpectThrottled(Get(s, kProbe, token.header), "failed authentication attempts");
  ExpectThrottled(Get(s, "/v1/organizations", wrong_bearer), "failed authentication attempts");
  // The dashboard's files still load.
  EXPECT_EQ(Http("GET", s.url() + "/").status, 200);

  EXPECT_EQ(s.Stop(), 0);
  std::string log = s.Log();
  EXPECT_EQ(log.find(s.admin().api_token), std::string::npos);
  EXPECT_EQ(log.find(WrongSecret(s.admin().api_token)), std::string::npos);
}

TEST(RateLimitTest, FailedSignInsCountAgainstTheFailedAuthenticationBudget) {
  Server s("acme", "admin@example.com", {"--rate-limit-failed-auth", "3"});
  const std::string admin = BearerHeader(s.admin().api_token);
  std::string body = json::serialize(json::object{{"email", "nobody@example.com"}, {"password", "wrong"}});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(Http("POST", s.url() + "/auth/login", {"Content-Type: application/json"}, body).status, 401);
  ExpectThrottled(Get(s, "/v1/organizations", admin), "failed authentication attempts");
}

class RateLimitCliTest : public ::testing::Test {
 protected:
  // The CLI as the admin (API token), or as `token` when given.
  RunResult Cli(const Server& s, std::vector<std::string> args, const ServiceToken* token = nullptr) {
    args.insert(args.begin(), OpscaleBin());
    std::map<std::string, std::string> env = {{"HOME", home_.path()},
                                              {"PLANETSCALE_API_URL", s.url()},
                                              {"PLANETSCALE_API_TOKEN", s.admin().api_token},
                                              {"PLANETSCALE_SERVICE_TOKEN", "\x01unset"},
                                              {"PLANETSCALE_SERVICE_TOKEN_ID", "\x01unset"},
                                              {"PLANETSCALE_ORG", "\x01unset"}};
    if (token) {
      env["PLANETSCALE_API_TOKEN"] = "\x01unset";
      env["PLANETSCALE_SERVICE_TOKEN_ID"] = token->id;
      env["PLANETSCALE_SERVICE_TOKEN"] = token->secret;
      env["PLANETSCALE_ORG"] = "acme";
    }
    return RunProcess(args, env);
  }
  TempDir home_;
};

TEST_F(RateLimitCliTest, TheCliReportsA429AndExitsNonZero) {
  Server s("acme", "admin@example.com", {"--rate-limit-per-token", "2"});
  const std::string admin = BearerHeader(s.admin().api_token);
  ServiceToken token = CreateServiceToken(s, admin);  // spends one of the admin's two
  RunResult ok = Cli(s, {"org", "list"});
  EXPECT_EQ(ok.exit_code, 0) << Masked(ok.err);
  // Whatever `org list` left of the admin's budget is spent now.
  (void)Burst(s, kProbe, admin, 2);

  RunResult human = Cli(s, {"org", "list"});
  EXPECT_EQ(human.exit_code, 2);
  EXPECT_EQ(human.out, "");
  EXPECT_EQ(human.err.rfind("Error: rate limited by the API: retry after ", 0), 0u) << Masked(human.err);
  EXPECT_NE(human.err.find(" seconds\n"), std::string::npos) << Masked(human.err);

  RunResult as_json = Cli(s, {"org", "list", "--format", "json"});
  EXPECT_EQ(as_json.exit_code, 2);
  json::value v = json::parse(as_json.out);
  EXPECT_EQ(v.at("status").as_string(), "error");
  std::string error(v.at("error").as_string());
  EXPECT_EQ(error.rfind("rate limited by the API: retry after ", 0), 0u) << error;
  EXPECT_EQ(v.at("issues").at(0).at("code").as_string(), "rate_limited");

  // `auth check` does not mistake a 429 for a bad service token.
  (void)Burst(s, kProbe, token.header, 2);
  RunResult check = Cli(s, {"auth", "check", "--format", "json"}, &token);
  EXPECT_EQ(check.exit_code, 1);
  json::value c = json::parse(check.out);
  EXPECT_EQ(c.at("issues").at(0).at("code").as_string(), "RATE_LIMITED") << Masked(check.out);
  for (const RunResult* r : {&ok, &human, &as_json, &check}) {
    for (const std::string& secret : {s.admin().api_token, token.secret}) {
      EXPECT_EQ(r->out.find(secret), std::string::npos);
      EXPECT_EQ(r->err.find(secret), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace opscale::testutil
