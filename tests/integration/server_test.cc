// opscaled's lifecycle: init, serve, SIGTERM, restart, and durability.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

TEST(ServerTest, InitPrintsCredentialsOnceAndRefusesAnInitializedDir) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  RunResult human = RunProcess({OpscaledBin(), "init", "--data-dir", data, "--org", "acme", "--admin-email",
                         "ops@example.com"});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("pscale_oauth_"), std::string::npos);
  EXPECT_NE(human.out.find("Password:"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat((data + "/token.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto before = std::filesystem::last_write_time(data + "/opscale.db");

  RunResult again = RunProcess({OpscaledBin(), "init", "--data-dir", data, "--org", "other", "--admin-email",
                         "x@example.com", "--format", "json"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already initialized"), std::string::npos) << again.err;
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(std::filesystem::last_write_time(data + "/opscale.db"), before);

  // The store holds only keyed hashes: neither secret appears in the files.
  std::string token = human.out.substr(human.out.find("pscale_oauth_"), 63);
  for (const auto& f : std::filesystem::directory_iterator(data)) {
    std::ifstream in(f.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(content.find(token.substr(0, 40)), std::string::npos) << f.path();
  }
}

TEST(ServerTest, ServeNeedsAnInitializedDir) {
  TempDir dir;
  RunResult r = RunProcess({OpscaledBin(), "serve", "--data-dir", dir.path() + "/none", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not initialized"), std::string::npos);
  RunResult bad = RunProcess({OpscaledBin(), "init", "--data-dir", dir.path() + "/d", "--org", "Bad Name",
                       "--admin-email", "a@b.c"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("invalid organization name"), std::string::npos) << bad.err;
}

TEST(ServerTest, HealthzAndCleanSigterm) {
  Server s("acme");
  EXPECT_EQ(s.url().rfind("http://127.0.0.1:", 0), 0u);
  HttpReply h = Curl("GET", s.url() + "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(s.Stop(), 0);
}

TEST(ServerTest, AcknowledgedWritesSurviveARestart) {
  Server s("acme");
  std::string admin = BearerHeader(s.admin().api_token);
  HttpReply t = Curl("POST", s.url() + "/v1/organizations/acme/service-tokens", {admin}, R"({"name":"keep"})");
  ASSERT_EQ(t.status, 200);
  json::object o = t.Json().as_object();
  std::string id = o["id"].as_string().c_str(), secret = o["token"].as_string().c_str();
  ASSERT_EQ(Curl("POST", s.url() + "/v1/organizations/acme/service-tokens/" + id + "/access", {admin},
                 R"({"database":"","access":["read_organization"]})").status, 200);
  EXPECT_EQ(Curl("GET", s.url() + "/v1/organizations/acme", {TokenHeader(id, secret)}).status, 200);
  s.Restart();
  EXPECT_EQ(Curl("GET", s.url() + "/v1/organizations/acme", {TokenHeader(id, secret)}).status, 200);
  HttpReply got = Curl("GET", s.url() + "/v1/organizations/acme/service-tokens/" + id, {admin});
  ASSERT_EQ(got.status, 200);
  // last_used_at was recorded by the first use.
  EXPECT_TRUE(got.Json().as_object()["last_used_at"].is_string()) << got.body;
  EXPECT_EQ(got.Json().as_object()["name"].as_string(), "keep");
}

TEST(ServerTest, ExpiredTokenIsRefused) {
  Server s("acme");
  std::string admin = BearerHeader(s.admin().api_token);
  HttpReply t = Curl("POST", s.url() + "/v1/organizations/acme/service-tokens", {admin}, R"({"ttl":1})");
  ASSERT_EQ(t.status, 200);
  json::object o = t.Json().as_object();
  EXPECT_TRUE(o["expires_at"].is_string());
  std::string h = TokenHeader(o["id"].as_string().c_str(), o["token"].as_string().c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(Curl("GET", s.url() + "/v1/organizations", {h}).status, 401);
}

TEST(ServerTest, UserCreateOnARunningServerWorksAtOnce) {
  Server s("acme");
  RunResult u = RunProcess({OpscaledBin(), "user", "create", "--data-dir", s.data_dir() + "/data", "--org",
                     "acme", "--email", "second@example.com", "--role", "admin", "--format", "json"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  json::object o = json::parse(u.out).as_object();
  EXPECT_EQ(o["email"].as_string(), "second@example.com");
  EXPECT_TRUE(o["password"].is_string());
  std::string bearer = BearerHeader(o["api_token"].as_string().c_str());
  EXPECT_EQ(Curl("POST", s.url() + "/v1/organizations/acme/databases", {bearer},
                 R"({"name":"fromsecond","cluster_size":"PS-10"})").status, 201);
  RunResult missing = RunProcess({OpscaledBin(), "user", "create", "--data-dir", s.data_dir() + "/data",
                           "--org", "nope", "--email", "x@example.com", "--role", "admin"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("organization nope does not exist"), std::string::npos);
}

TEST(ServerTest, RunsItsPrivateMariaDbAsANonRootUser) {
  // As non-root every other test already covers this; as root, drop to nobody.
  if (geteuid() != 0) GTEST_SKIP() << "already running as a non-root user";
  TempDir dir;
  ASSERT_EQ(chown(dir.path().c_str(), 65534, 65534), 0);
  std::string data = dir.path() + "/data";
  auto as_nobody = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/sbin/runuser", "-u", "nobody", "--", OpscaledBin()});
    return args;
  };
  RunResult init = RunProcess(as_nobody({"init", "--data-dir", data, "--org", "acme", "--admin-email",
                                         "a@example.com", "--format", "json"}));
  ASSERT_EQ(init.exit_code, 0) << init.err;
  std::string token = json::parse(init.out).as_object()["api_token"].as_string().c_str();
  Background serve(as_nobody({"serve", "--data-dir", data, "--listen", "127.0.0.1:0"}));
  std::string out = serve.WaitForOutput("listening on ", 60000);
  ASSERT_FALSE(out.empty()) << serve.Err();
  std::string url = out.substr(out.find("http://"));
  url = url.substr(0, url.find('\n'));
  HttpReply db = Curl("POST", url + "/v1/organizations/acme/databases", {BearerHeader(token)},
                      R"({"name":"mydb","cluster_size":"PS-10"})");
  EXPECT_EQ(db.status, 201) << db.body << serve.Err();
  RunResult owner = RunProcess({"/usr/bin/stat", "-c", "%U", data + "/mariadb/data"});
  EXPECT_EQ(owner.out, "nobody\n");
  serve.Signal(SIGTERM);
  // runuser passes SIGTERM on to opscaled, then re-raises it on itself.
  EXPECT_NE(serve.Wait(20000), -2) << serve.Err();
  EXPECT_NE(serve.Err().find("stopped"), std::string::npos) << serve.Err();
  RunResult left = RunProcess({"/usr/bin/pgrep", "-f", "datadir=" + data});
  EXPECT_EQ(left.out, "") << "the private mariadbd must be stopped";
}

}  // namespace
}  // namespace opscale::testutil
