// `pscale auth`: the pure pieces (device-flow replies, poll timing, the check's JSON), the
// access-token file, and login / logout / check run in-process against a small in-test HTTP
// responder on 127.0.0.1 that plays the OAuth endpoints.
#include "cli/commands/auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "cli/api_client.h"
#include "cli/config.h"
#include "cli/json_out.h"
#include "cli/run.h"

namespace opscale::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// --- pure pieces --------------------------------------------------------------------------

TEST(AuthParseTest, DeviceAuthorization) {
  auto d = ParseDeviceAuthorization(json::parse(R"({"device_code":"dc-123","user_code":"ABCD-EFGH",
      "verification_uri":"http://h/oauth/device","verification_uri_complete":"http://h/oauth/device?user_code=ABCD-EFGH",
      "expires_in":900,"interval":5})"));
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->device_code, "dc-123");
  EXPECT_EQ(d->user_code, "ABCD-EFGH");
  EXPECT_EQ(d->url(), "http://h/oauth/device?user_code=ABCD-EFGH");
  EXPECT_EQ(d->expires_in_s, 900);
  EXPECT_EQ(d->interval_s, 5);
}

TEST(AuthParseTest, DeviceAuthorizationDefaultsAndMissingFields) {
  auto d = ParseDeviceAuthorization(json::parse(
      R"({"device_code":"dc","user_code":"AAAA-BBBB","verification_uri":"http://h/oauth/device"})"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->url(), "http://h/oauth/device");  // no _complete: the plain URI
  EXPECT_EQ(d->expires_in_s, 900);
  EXPECT_EQ(d->interval_s, 5);

  auto bad = ParseDeviceAuthorization(json::parse(R"({"user_code":"AAAA-BBBB"})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "the device authorization reply has no device_code, verification_uri");
  EXPECT_FALSE(ParseDeviceAuthorization(json::parse("[]")).ok());
}

TEST(AuthParseTest, TokenReplies) {
  TokenPoll ok = ParseTokenReply(
      200,
      R"({"access_token":"pscale_oauth_abc","token_type":"Bearer","expires_in":2592000,"scope":"read_user"})");
  EXPECT_EQ(ok.state, TokenPollState::kGranted);
  EXPECT_EQ(ok.access_token, "pscale_oauth_abc");

  EXPECT_EQ(ParseTokenReply(400, R"({"error":"authorization_pending","error_description":"waiting"})").state,
            TokenPollState::kPending);
  EXPECT_EQ(ParseTokenReply(400, R"({"error":"slow_down"})").state, TokenPollState::kSlowDown);

  TokenPoll denied = ParseTokenReply(400, R"({"error":"access_denied","error_description":"no"})");
  EXPECT_EQ(denied.state, TokenPollState::kDenied);
  EXPECT_EQ(denied.message, "the login request was denied");

  TokenPoll expired = ParseTokenReply(400, R"({"error":"expired_token"})");
  EXPECT_EQ(expired.state, TokenPollState::kExpired);
  EXPECT_EQ(expired.message, kCodeExpiredMessage);

  TokenPoll other =
      ParseTokenReply(400, R"({"error":"invalid_client","error_description":"unknown client"})");
  EXPECT_EQ(other.state, TokenPollState::kFailed);
  EXPECT_EQ(other.error, "invalid_client");
  EXPECT_EQ(other.message, "unknown client");
  EXPECT_EQ(ParseTokenReply(400, R"({"error":"invalid_grant"})").message, "invalid_grant");
}

TEST(AuthParseTest, MalformedTokenReplies) {
  TokenPoll no_token = ParseTokenReply(200, R"({"token_type":"Bearer"})");
  EXPECT_EQ(no_token.state, TokenPollState::kFailed);
  EXPECT_EQ(no_token.message, "the token endpoint answered without an access_token");

  TokenPoll html = ParseTokenReply(502, "<html>bad gateway</html>");
  EXPECT_EQ(html.state, TokenPollState::kFailed);
  EXPECT_NE(html.message.find("Unexpected API response received"), std::string::npos);
  EXPECT_NE(html.message.find("<html>bad gateway</html>"), std::string::npos);

  EXPECT_EQ(ParseTokenReply(500, "").message, "the token endpoint answered HTTP 500 without a body");
}

TEST(AuthParseTest, PollTiming) {
  using std::chrono::milliseconds;
  PollTiming server = DevicePollTiming(5, "");
  EXPECT_EQ(server.interval, milliseconds(5000));
  EXPECT_EQ(server.slow_down_step, milliseconds(5000));
  EXPECT_EQ(DevicePollTiming(0, "").interval, milliseconds(5000));
  EXPECT_EQ(DevicePollTiming(7, "").interval, milliseconds(7000));
  PollTiming forced = DevicePollTiming(5, "20");
  EXPECT_EQ(forced.interval, milliseconds(20));
  EXPECT_EQ(forced.slow_down_step, milliseconds(20));
  EXPECT_EQ(DevicePollTiming(5, "x").interval, milliseconds(5000));
  EXPECT_EQ(DevicePollTiming(5, "0").interval, milliseconds(5000));
  EXPECT_EQ(DevicePollTiming(5, "-3").interval, milliseconds(5000));
}

TEST(AuthParseTest, FormEncoding) {
  EXPECT_EQ(FormEncode({{"client_id", kCliClientId}, {"scope", kLoginScopes}}),
            "client_id=pscale_app_opscale_cli&scope=read_databases%20write_databases%20read_user%20read_"
            "organization");
  EXPECT_EQ(FormEncode({{"grant_type", kDeviceCodeGrant}}),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code");
  EXPECT_EQ(FormEncode({}), "");
}

TEST(AuthCheckShapeTest, AuthenticatedWithOrg) {
  AuthCheck c;
  c.auth_method = "oauth";
  c.organization = "acme";
  c.api_url = "http://127.0.0.1:8080/";
  c.agent_guide_command = "pscale agent-guide --format json";
  MarkAuthenticated(c);
  EXPECT_EQ(GoJson(AuthCheckJson(c)),
            "{\n"
            "  \"status\": \"ok\",\n"
            "  \"authenticated\": true,\n"
            "  \"auth_method\": \"oauth\",\n"
            "  \"organization\": \"acme\",\n"
            "  \"api_url\": \"http://127.0.0.1:8080/\",\n"
            "  \"agent_guide_command\": \"pscale agent-guide --format json\",\n"
            "  \"next_steps\": [\n"
            "    \"pscale database list --org acme --format json\",\n"
            "    \"pscale branch list <database> --org acme --format json\"\n"
            "  ]\n"
            "}");
  EXPECT_EQ(AuthCheckLines(c), (std::vector<std::string>{"You are authenticated.", "Organization: acme"}));
}

TEST(AuthCheckShapeTest, AuthenticatedWithoutOrgNeedsAction) {
  AuthCheck c;
  c.auth_method = "service_token";
  MarkAuthenticated(c);
  EXPECT_EQ(c.status, "action_required");
  EXPECT_TRUE(c.authenticated);
  json::object o = AuthCheckJson(c);
  EXPECT_FALSE(o.contains("organization"));
  EXPECT_EQ(o.at("issues").at(0).at("code").as_string(), "NO_ORG");
  EXPECT_EQ(AuthCheckLines(c).back(),
            "Note: No organization configured \u2014 Run `pscale org switch <org>` or set org in "
            "~/.config/planetscale/pscale.yml");
}

TEST(AuthCheckShapeTest, FailedOmitsEmptyKeys) {
  AuthCheck c;
  MarkFailed(c, {"AUTH_INVALID", "API authentication failed", ""}, {"pscale auth login --format json"});
  EXPECT_EQ(GoJson(AuthCheckJson(c)),
            "{\n"
            "  \"status\": \"action_required\",\n"
            "  \"authenticated\": false,\n"
            "  \"issues\": [\n"
            "    {\n"
            "      \"code\": \"AUTH_INVALID\",\n"
            "      \"message\": \"API authentication failed\"\n"
            "    }\n"
            "  ],\n"
            "  \"next_steps\": [\n"
            "    \"pscale auth login --format json\"\n"
            "  ]\n"
            "}");
}

TEST(AuthLoginShapeTest, JsonObjects) {
  EXPECT_EQ(GoJson(LoginPendingJson("http://h/d?user_code=X", "X", false)),
            "{\n"
            "  \"status\": \"pending\",\n"
            "  \"verification_url\": \"http://h/d?user_code=X\",\n"
            "  \"user_code\": \"X\",\n"
            "  \"browser_opened\": false,\n"
            "  \"message\": \"Open verification_url in a browser and approve access to continue\",\n"
            "  \"next_steps\": [\n"
            "    \"Approve access in the browser\",\n"
            "    \"pscale auth check --format json\"\n"
            "  ]\n"
            "}");
  EXPECT_EQ(GoJson(LoginOkJson()),
            "{\n"
            "  \"status\": \"ok\",\n"
            "  \"message\": \"Successfully logged in.\",\n"
            "  \"next_steps\": [\n"
            "    \"pscale auth check --format json\",\n"
            "    \"pscale org list --format json\"\n"
            "  ]\n"
            "}");
}

// --- the access-token file ----------------------------------------------------------------

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscale-token-test-XXXXXX";
    home_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(home_, ec);
  }
  static unsigned Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }
  std::vector<std::string> DirEntries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(ConfigDir(home_)))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string home_;
};

TEST_F(TokenFileTest, WritesPrivateFileInPrivateDirectory) {
  ASSERT_TRUE(WriteAccessToken(home_, "pscale_oauth_first").ok());
  EXPECT_EQ(Mode(home_ + "/.config"), 0700u);
  EXPECT_EQ(Mode(ConfigDir(home_)), 0700u);
  EXPECT_EQ(Mode(AccessTokenPath(home_)), 0600u);
  EXPECT_EQ(Slurp(AccessTokenPath(home_)), "pscale_oauth_first");
  EXPECT_EQ(ReadAccessToken(home_), "pscale_oauth_first");
  EXPECT_TRUE(AccessTokenFileExists(home_));
  EXPECT_EQ(DirEntries(), std::vector<std::string>{"access-token"});  // no temporary file left
}

TEST_F(TokenFileTest, ReplacesAtomicallyByRename) {
  fs::create_directories(ConfigDir(home_));
  std::string path = AccessTokenPath(home_);
  std::ofstream(path) << "pscale_oauth_old";
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  // A second name for the old file: an in-place rewrite would change it, a rename does not.
  std::string other = home_ + "/old-link";
  ASSERT_EQ(link(path.c_str(), other.c_str()), 0);

  ASSERT_TRUE(WriteAccessToken(home_, "pscale_oauth_new").ok());
  EXPECT_EQ(Slurp(path), "pscale_oauth_new");
  EXPECT_EQ(Slurp(other), "pscale_oauth_old");
  EXPECT_EQ(Mode(path), 0600u);
  EXPECT_EQ(DirEntries(), std::vector<std::string>{"access-token"});
}

TEST_F(TokenFileTest, ExistingDirectoryIsKept) {
  // An existing config directory (pscale.yml already there) is reused, not recreated.
  ASSERT_TRUE(WriteConfigFile(DefaultConfigPath(home_), ConfigValues{"acme", "", ""}).ok());
  ASSERT_TRUE(WriteAccessToken(home_, "pscale_oauth_x").ok());
  EXPECT_EQ(Mode(AccessTokenPath(home_)), 0600u);
  EXPECT_EQ(ReadConfigFile(DefaultConfigPath(home_))->org, "acme");
}

TEST_F(TokenFileTest, DeleteRemovesTheFile) {
  ASSERT_TRUE(WriteAccessToken(home_, "pscale_oauth_x").ok());
  ASSERT_TRUE(DeleteAccessToken(home_).ok());
  EXPECT_FALSE(AccessTokenFileExists(home_));
  EXPECT_EQ(ReadAccessToken(home_), "");
  EXPECT_TRUE(DeleteAccessToken(home_).ok());  // nothing to delete is fine
}

TEST_F(TokenFileTest, RefusesWithoutHome) {
  Status st = WriteAccessToken("", "pscale_oauth_x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().find("pscale_oauth_x"), std::string::npos);
}

// --- login / logout / check against an in-test responder ----------------------------------

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct CannedReply {
  int status = 200;
  std::string body = "{}";
};

// Answers one request per connection (Connection: close) from `handler`, on a thread, and
// records every request.
class FakeApi {
 public:
  using Handler = std::function<CannedReply(const SeenRequest&)>;

  explicit FakeApi(Handler handler) : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeApi() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::vector<SeenRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  std::vector<SeenRequest> requests_to(const std::string& target) {
    std::vector<SeenRequest> out;
    for (auto& r : requests())
      if (r.target == target) out.push_back(r);
    return out;
  }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      Serve(c);
      close(c);
    }
  }

  void Serve(int c) {
    std::string data;
    char buf[4096];
    size_t header_end = std::string::npos;
    while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    SeenRequest r;
    std::istringstream head(data.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    std::istringstream request_line(line);
    request_line >> r.method >> r.target;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(value.begin());
      r.headers[name] = value;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    r.body = data.substr(header_end + 4);
    while (r.body.size() < length) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      r.body.append(buf, static_cast<size_t>(n));
    }
    CannedReply reply = handler_(r);
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(r);
    }
    std::string out =
        "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: application/json\r\n" +
        "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" + reply.body;
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = write(c, out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

// A stand-in access token, built at run time (no secret-shaped literal in the tree).
const std::string kToken = std::string("pscale_oauth_") + std::string(40, 'g');
constexpr const char* kDeviceCode = "DeviceCodeSecret-0123456789";

// A scripted device flow: `pending` authorization_pending replies (one slow_down among them
// when `slow_down`), then `final_reply`.
struct DeviceScript {
  int pending = 2;
  bool slow_down = true;
  CannedReply final_reply{200, std::string(R"({"access_token":")") + kToken +
                                   R"(","token_type":"Bearer","expires_in":2592000,"scope":"read_user"})"};
  std::string orgs =
      R"({"type":"list","current_page":1,"next_page":null,"data":[{"name":"acme"},{"name":"beta"}]})";
  bool token_info_active = true;
};

FakeApi::Handler DeviceHandler(const DeviceScript& script, const std::string* base_url) {
  auto polls = std::make_shared<int>(0);
  return [=](const SeenRequest& r) -> CannedReply {
    if (r.target == "/oauth/authorize_device") {
      std::string base = *base_url;
      return {200, R"({"device_code":")" + std::string(kDeviceCode) +
                       R"(","user_code":"ABCD-EFGH","verification_uri":")" + base +
                       R"(oauth/device","verification_uri_complete":")" + base +
                       R"(oauth/device?user_code=ABCD-EFGH","expires_in":900,"interval":5})"};
    }
    if (r.target == "/oauth/token") {
      int n = (*polls)++;
      if (n < script.pending) {
        if (script.slow_down && n == 0)
          return {400, R"({"error":"slow_down","error_description":"slow down"})"};
        return {400, R"({"error":"authorization_pending","error_description":"waiting for approval"})"};
      }
      return script.final_reply;
    }
    if (r.target == "/v1/organizations") return {200, script.orgs};
    if (r.target == "/oauth/revoke") return {200, "{}"};
    if (r.target == "/oauth/token/info") {
      if (!script.token_info_active) return {200, R"({"active":false})"};
      return {
          200,
          R"({"active":true,"scope":"read_user","client_id":"pscale_app_opscale_cli","token_type":"Bearer",)"
          R"("exp":1900000000,"iat":1700000000,"sub":"u1"})"};
    }
    return {404, R"({"code":"not_found","message":"Not Found"})"};
  };
}

class AuthRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscale-auth-test-XXXXXX";
    home_ = mkdtemp(tmpl);
    env_["HOME"] = home_;
    env_["OPSCALE_DEVICE_POLL_MS"] = "5";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  void Serve(DeviceScript script = {}) {
    api_ = std::make_unique<FakeApi>(DeviceHandler(script, &base_url_));
    base_url_ = api_->url();
    env_["PLANETSCALE_API_URL"] = base_url_;
  }

  int Exec(std::vector<std::string> args) {
    args.insert(args.begin(), "pscale");
    out_.str("");
    err_.str("");
    Io io;
    io.out = &out_;
    io.err = &err_;
    io.in = &in_;
    io.tty = false;
    io.getenv = [this](const std::string& k) -> std::optional<std::string> {
      auto it = env_.find(k);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    io.cwd = home_;
    return cli::Run(args, io);
  }

  std::string TokenPath() const { return AccessTokenPath(home_); }

  std::string home_;
  std::string base_url_;
  std::unique_ptr<FakeApi> api_;
  std::map<std::string, std::string> env_;
  std::ostringstream out_, err_;
  std::istringstream in_;
};

TEST_F(AuthRunTest, LoginHumanWithoutTty) {
  Serve();
  ASSERT_EQ(Exec({"auth", "login"}), 0) << err_.str();
  std::string url = base_url_ + "oauth/device?user_code=ABCD-EFGH";
  EXPECT_EQ(out_.str(), "Failed to open a browser; open this URL manually: " + url +
                            "\n"
                            "\nConfirmation Code: ABCD-EFGH\n"
                            "\nIf something goes wrong, copy and paste this URL into your browser: " +
                            url +
                            "\n\n"
                            "Waiting for confirmation...\n"
                            "Successfully logged in.\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(ReadAccessToken(home_), kToken);
  struct stat st {};
  ASSERT_EQ(stat(TokenPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(ConfigDir(home_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // The first organization becomes the default.
  EXPECT_EQ(ReadConfigFile(DefaultConfigPath(home_))->org, "acme");

  auto start = api_->requests_to("/oauth/authorize_device");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].method, "POST");
  EXPECT_EQ(start[0].headers["content-type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(start[0].body,
            "client_id=pscale_app_opscale_cli&scope=read_databases%20write_databases%20read_user%20read_"
            "organization");
  EXPECT_EQ(start[0].headers.count("authorization"), 0u);
  auto polls = api_->requests_to("/oauth/token");
  ASSERT_EQ(polls.size(), 3u);  // slow_down, pending, granted
  EXPECT_EQ(polls[0].body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" +
                               std::string(kDeviceCode) + "&client_id=pscale_app_opscale_cli");
  EXPECT_EQ(polls[0].headers.count("authorization"), 0u);
  auto orgs = api_->requests_to("/v1/organizations");
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs[0].headers["authorization"], std::string("Bearer ") + kToken);
}

TEST_F(AuthRunTest, LoginKeepsAVisibleConfiguredOrg) {
  Serve();
  ASSERT_TRUE(WriteConfigFile(DefaultConfigPath(home_), ConfigValues{"beta", "mydb", ""}).ok());
  ASSERT_EQ(Exec({"auth", "login"}), 0) << err_.str();
  ConfigValues v = *ReadConfigFile(DefaultConfigPath(home_));
  EXPECT_EQ(v.org, "beta");
  EXPECT_EQ(v.database, "mydb");
}

TEST_F(AuthRunTest, LoginClientIdFlag) {
  Serve();
  ASSERT_EQ(Exec({"auth", "login", "--client-id", "pscale_app_other"}), 0) << err_.str();
  EXPECT_EQ(api_->requests_to("/oauth/authorize_device")[0].body.rfind("client_id=pscale_app_other&", 0), 0u);
  EXPECT_NE(api_->requests_to("/oauth/token")[0].body.find("&client_id=pscale_app_other"), std::string::npos);
}

TEST_F(AuthRunTest, LoginJson) {
  Serve();
  ASSERT_EQ(Exec({"auth", "login", "--format", "json"}), 0) << err_.str();
  std::string url = base_url_ + "oauth/device?user_code=ABCD-EFGH";
  EXPECT_EQ(err_.str(), GoJson(LoginPendingJson(url, "ABCD-EFGH", false)) + "\n");
  EXPECT_EQ(out_.str(), GoJson(LoginOkJson()) + "\n");
  EXPECT_EQ(ReadAccessToken(home_), kToken);
}

TEST_F(AuthRunTest, LoginDenied) {
  DeviceScript script;
  script.final_reply = {400,
                        R"({"error":"access_denied","error_description":"The user denied the request"})"};
  Serve(script);
  EXPECT_EQ(Exec({"auth", "login"}), 2);
  EXPECT_EQ(err_.str(), "Error: the login request was denied\n");
  EXPECT_EQ(out_.str().find("Successfully"), std::string::npos);
  EXPECT_FALSE(AccessTokenFileExists(home_));

  EXPECT_EQ(Exec({"auth", "login", "-f", "json"}), 2);
  json::value v = json::parse(out_.str());
  EXPECT_EQ(v.at("status").as_string(), "error");
  EXPECT_EQ(v.at("message").as_string(), "Device authorization failed or timed out");
  EXPECT_EQ(v.at("issues").at(0).at("code").as_string(), "DEVICE_AUTH_FAILED");
  EXPECT_EQ(v.at("issues").at(0).at("message").as_string(), "the login request was denied");
}

TEST_F(AuthRunTest, LoginExpired) {
  DeviceScript script;
  script.final_reply = {400, R"({"error":"expired_token"})"};
  Serve(script);
  EXPECT_EQ(Exec({"auth", "login"}), 2);
  EXPECT_EQ(err_.str(), std::string("Error: ") + kCodeExpiredMessage + "\n");
  EXPECT_FALSE(AccessTokenFileExists(home_));
}

TEST_F(AuthRunTest, LoginServerUnreachable) {
  env_["PLANETSCALE_API_URL"] = "http://127.0.0.1:1";
  EXPECT_EQ(Exec({"auth", "login"}), 2);
  EXPECT_EQ(err_.str().rfind("Error: cannot reach the API at http://127.0.0.1:1: ", 0), 0u) << err_.str();
  EXPECT_EQ(Exec({"auth", "login", "--format", "json"}), 2);
  EXPECT_NE(out_.str().find("\"code\": \"DEVICE_VERIFY_FAILED\""), std::string::npos) << out_.str();
}

TEST_F(AuthRunTest, LoginOrgSetupFailureJsonIsActionRequired) {
  DeviceScript script;
  script.orgs = "not json";
  Serve(script);
  EXPECT_EQ(Exec({"auth", "login", "--format", "json"}), 1);
  json::value v = json::parse(out_.str());
  EXPECT_EQ(v.at("status").as_string(), "action_required");
  EXPECT_EQ(v.at("issues").at(0).at("code").as_string(), "ORG_SETUP_FAILED");
  EXPECT_EQ(ReadAccessToken(home_), kToken);  // the credentials are kept
}

TEST_F(AuthRunTest, DebugTraceNeverShowsSecrets) {
  Serve();
  ASSERT_EQ(Exec({"auth", "login", "--debug"}), 0) << err_.str();
  std::string trace = err_.str();
  EXPECT_NE(trace.find("[debug] --> POST " + base_url_ + "oauth/token"), std::string::npos) << trace;
  EXPECT_NE(trace.find("device_code=***"), std::string::npos) << trace;
  EXPECT_EQ(trace.find(kDeviceCode), std::string::npos) << trace;
  EXPECT_EQ(trace.find("GrantedSecretValue"), std::string::npos) << trace;

  ASSERT_EQ(Exec({"auth", "logout", "--debug"}), 0) << err_.str();
  trace = err_.str();
  EXPECT_NE(trace.find("token=***&client_id=pscale_app_opscale_cli"), std::string::npos) << trace;
  EXPECT_EQ(trace.find("GrantedSecretValue"), std::string::npos) << trace;
}

TEST_F(AuthRunTest, LogoutRevokesAndRemovesTheToken) {
  Serve();
  ASSERT_TRUE(WriteAccessToken(home_, kToken).ok());
  ASSERT_EQ(Exec({"auth", "logout"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "Logging out...\nSuccessfully logged out.\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_FALSE(AccessTokenFileExists(home_));
  auto revoke = api_->requests_to("/oauth/revoke");
  ASSERT_EQ(revoke.size(), 1u);
  EXPECT_EQ(revoke[0].body, std::string("token=") + kToken + "&client_id=pscale_app_opscale_cli");
  EXPECT_EQ(revoke[0].headers["content-type"], "application/x-www-form-urlencoded");

  EXPECT_EQ(Exec({"auth", "logout"}), 0);
  EXPECT_EQ(out_.str(), "Already logged out. Exiting...\n");
  EXPECT_EQ(api_->requests_to("/oauth/revoke").size(), 1u);
}

TEST_F(AuthRunTest, LogoutWithoutServerStillForgetsTheToken) {
  env_["PLANETSCALE_API_URL"] = "http://127.0.0.1:1";
  ASSERT_TRUE(WriteAccessToken(home_, kToken).ok());
  ASSERT_EQ(Exec({"auth", "logout"}), 0);
  EXPECT_EQ(out_.str(), "Logging out...\nSuccessfully logged out.\n");
  EXPECT_EQ(
      err_.str().rfind("Warning: could not revoke the access token on the server (cannot reach the API at "
                       "http://127.0.0.1:1: ",
                       0),
      0u)
      << err_.str();
  EXPECT_EQ(err_.str().find("GrantedSecretValue"), std::string::npos);
  EXPECT_FALSE(AccessTokenFileExists(home_));
}

TEST_F(AuthRunTest, CheckWithoutCredentials) {
  EXPECT_EQ(Exec({"auth", "check"}), 1);
  EXPECT_EQ(err_.str(),
            "Error: you must run 'pscale auth login' to authenticate before using this command\n");
  EXPECT_EQ(Exec({"auth", "check", "--format", "json"}), 1);
  json::value v = json::parse(out_.str());
  EXPECT_EQ(v.at("status").as_string(), "action_required");
  EXPECT_EQ(v.at("authenticated").as_bool(), false);
  EXPECT_EQ(v.at("auth_method").as_string(), "none");
  EXPECT_EQ(v.at("issues").at(0).at("code").as_string(), "NO_AUTH");
  EXPECT_EQ(v.at("next_steps").at(0).as_string(), "pscale auth login --format json");
}

TEST_F(AuthRunTest, CheckWithLoginToken) {
  Serve();
  ASSERT_TRUE(WriteAccessToken(home_, kToken).ok());
  ASSERT_TRUE(WriteConfigFile(DefaultConfigPath(home_), ConfigValues{"acme", "", ""}).ok());
  ASSERT_EQ(Exec({"auth", "check"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "You are authenticated.\nOrganization: acme\n");
  auto info = api_->requests_to("/oauth/token/info");
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].method, "GET");
  EXPECT_EQ(info[0].headers["authorization"], std::string("Bearer ") + kToken);

  ASSERT_EQ(Exec({"auth", "check", "-f", "json"}), 0);
  json::value v = json::parse(out_.str());
  EXPECT_EQ(v.at("status").as_string(), "ok");
  EXPECT_EQ(v.at("auth_method").as_string(), "oauth");
  EXPECT_EQ(v.at("organization").as_string(), "acme");
  EXPECT_EQ(v.at("api_url").as_string(), base_url_);
}

TEST_F(AuthRunTest, CheckWithoutOrganization) {
  Serve();
  ASSERT_TRUE(WriteAccessToken(home_, kToken).ok());
  ASSERT_EQ(Exec({"auth", "check"}), 0);
  EXPECT_EQ(
      out_.str(),
      "You are authenticated.\nNote: No organization configured \u2014 Run `pscale org switch <org>` or set "
      "org in ~/.config/planetscale/pscale.yml\n");
  EXPECT_EQ(Exec({"auth", "check", "-f", "json"}), 1);
  EXPECT_NE(out_.str().find("\"code\": \"NO_ORG\""), std::string::npos);
}

TEST_F(AuthRunTest, CheckWithInactiveToken) {
  DeviceScript script;
  script.token_info_active = false;
  Serve(script);
  ASSERT_TRUE(WriteAccessToken(home_, kToken).ok());
  EXPECT_EQ(Exec({"auth", "check"}), 1);
  EXPECT_EQ(err_.str(), "Error: API authentication failed\n");
  EXPECT_EQ(Exec({"auth", "check", "-f", "json"}), 1);
  EXPECT_NE(out_.str().find("\"code\": \"AUTH_INVALID\""), std::string::npos);
}

TEST_F(AuthRunTest, CheckWithServiceToken) {
  Serve();
  env_["PLANETSCALE_SERVICE_TOKEN_ID"] = "k2b8x9ta4mzp";
  env_["PLANETSCALE_SERVICE_TOKEN"] = "pscale_tkn_ServiceSecret";
  env_["PLANETSCALE_ORG"] = "acme";
  ASSERT_EQ(Exec({"auth", "check", "-f", "json"}), 0) << out_.str();
  json::value v = json::parse(out_.str());
  EXPECT_EQ(v.at("auth_method").as_string(), "service_token");
  auto orgs = api_->requests_to("/v1/organizations");
  ASSERT_EQ(orgs.size(), 1u);
  EXPECT_EQ(orgs[0].headers["authorization"], "k2b8x9ta4mzp:pscale_tkn_ServiceSecret");
  EXPECT_TRUE(api_->requests_to("/oauth/token/info").empty());
}

TEST_F(AuthRunTest, CheckWithRejectedServiceToken) {
  api_ = std::make_unique<FakeApi>([](const SeenRequest&) -> CannedReply {
    return {401, R"({"code":"unauthorized","message":"Unauthorized"})"};
  });
  env_["PLANETSCALE_API_URL"] = api_->url();
  env_["PLANETSCALE_SERVICE_TOKEN_ID"] = "k2b8x9ta4mzp";
  env_["PLANETSCALE_SERVICE_TOKEN"] = "pscale_tkn_ServiceSecret";
  EXPECT_EQ(Exec({"auth", "check", "-f", "json"}), 1);
  EXPECT_NE(out_.str().find("\"code\": \"SERVICE_TOKEN_INVALID\""), std::string::npos) << out_.str();
}

TEST_F(AuthRunTest, CheckUnreachable) {
  env_["PLANETSCALE_API_URL"] = "http://127.0.0.1:1";
  ASSERT_TRUE(WriteAccessToken(home_, kToken).ok());
  EXPECT_EQ(Exec({"auth", "check"}), 1);
  EXPECT_EQ(err_.str().rfind("Error: cannot reach the API at http://127.0.0.1:1: ", 0), 0u) << err_.str();
}

TEST_F(AuthRunTest, HelpListsTheGroup) {
  EXPECT_EQ(Exec({"auth"}), 0);
  EXPECT_NE(out_.str().find("login"), std::string::npos);
  EXPECT_NE(out_.str().find("logout"), std::string::npos);
  EXPECT_NE(out_.str().find("check"), std::string::npos);
  EXPECT_EQ(Exec({"auth", "check", "extra"}), 2);
  EXPECT_EQ(err_.str(), "Error: accepts 0 arg(s), received 1\n");
}

}  // namespace
}  // namespace opscale::cli
