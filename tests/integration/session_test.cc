// Dashboard sign-in against the real server with the real curl: the session
// cookie's flags, CSRF and same-origin rules on every write, sign-out,
// expiry, throttled sign-in, the embedded dashboard's files and headers, and
// the dashboard's helper endpoints (access catalog, audit log filters).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

using Reply = HttpExchange;

struct Session {
  std::string cookie;  // "Cookie: opscale_session=..."
  std::string secret;
  std::string csrf;
};

std::string LoginBody(const std::string& email, const std::string& password) {
  return json::serialize(json::object{{"email", email}, {"password", password}});
}

Reply PostLogin(const Server& s, const std::string& email, const std::string& password,
                std::vector<std::string> extra = {}) {
  extra.push_back("Content-Type: application/json");
  return Http("POST", s.url() + "/auth/login", extra, LoginBody(email, password));
}

Session SignIn(const Server& s, const std::string& email, const std::string& password) {
  Reply r = PostLogin(s, email, password);
  EXPECT_EQ(r.status, 200) << r.body;
  std::string set = r.Header("set-cookie");
  Session out;
  size_t eq = set.find('='), semi = set.find(';');
  out.secret = set.substr(eq + 1, semi - eq - 1);
  out.cookie = "Cookie: opscale_session=" + out.secret;
  json::value v = r.Json();
  if (v.is_object()) out.csrf = std::string(v.at("csrf_token").as_string());
  return out;
}

class SessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new Server("acme"); }
  static void TearDownTestSuite() { delete server_; }
  static Server* server_;
  const Server& s() { return *server_; }
  std::string admin_email() { return s().admin().admin_email; }
  std::string admin_password() { return s().admin().admin_password; }
};
Server* SessionTest::server_ = nullptr;

TEST_F(SessionTest, SignInSetsAnHttpOnlyStrictCookieThatAuthenticatesTheDashboard) {
  Reply r = PostLogin(s(), admin_email(), admin_password());
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = r.Header("set-cookie");
  EXPECT_EQ(cookie.rfind("opscale_session=", 0), 0u) << Masked(cookie);
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP cannot set Secure cookies";
  json::object body = r.Json().as_object();
  EXPECT_EQ(body["user"].at("email").as_string(), admin_email());
  EXPECT_EQ(body["csrf_token"].as_string().size(), 64u);
  EXPECT_EQ(body["organizations"].as_array().at(0).at("name").as_string(), "acme");
  EXPECT_EQ(body["organizations"].as_array().at(0).at("role").as_string(), "admin");
  EXPECT_EQ(r.body.find("pscale_"), std::string::npos) << "the session secret is only in the cookie";

  Session ses = SignIn(s(), admin_email(), admin_password());
  Reply me = Http("GET", s().url() + "/auth/session", {ses.cookie});
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_TRUE(me.Json().at("signed_in").as_bool());
  EXPECT_EQ(me.Json().at("csrf_token").as_string(), ses.csrf);
  EXPECT_EQ(Http("GET", s().url() + "/auth/session").body, "{\"signed_in\":false}\n");
  Reply orgs = Http("GET", s().url() + "/v1/organizations", {ses.cookie});
  ASSERT_EQ(orgs.status, 200) << orgs.body;
  EXPECT_EQ(orgs.Json().at("data").as_array().at(0).at("name").as_string(), "acme");
}

TEST_F(SessionTest, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  Reply wrong = PostLogin(s(), "nobody-" + admin_email(), "not-the-password");
  Reply unknown = PostLogin(s(), "unknown@example.com", "whatever");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.Header("set-cookie"), "");
}

TEST_F(SessionTest, WritesWithTheCookieNeedTheCsrfTokenAndThisOrigin) {
  Session ses = SignIn(s(), admin_email(), admin_password());
  const std::string url = s().url() + "/v1/organizations/acme/service-tokens";
  const std::string json_type = "Content-Type: application/json";
  const std::string body = R"({"name":"csrf-probe"})";
  struct Case {
    const char* what;
    std::vector<std::string> headers;
  } refused[] = {
      {"no token", {ses.cookie, json_type}},
      {"wrong token", {ses.cookie, json_type, "X-CSRF-Token: " + std::string(64, 'a')}},
      {"other origin", {ses.cookie, json_type, "X-CSRF-Token: " + ses.csrf, "Origin: http://evil.example"}},
      {"cross-site fetch", {ses.cookie, json_type, "X-CSRF-Token: " + ses.csrf, "Sec-Fetch-Site: cross-site"}},
      {"opaque origin", {ses.cookie, json_type, "X-CSRF-Token: " + ses.csrf, "Origin: null"}},
  };
  for (const auto& c : refused) {
    Reply r = Http("POST", url, c.headers, body);
    EXPECT_EQ(r.status, 403) << c.what << ": " << r.body;
    EXPECT_EQ(r.Json().at("code").as_string(), "forbidden") << c.what;
  }
  Reply list = Http("GET", url, {ses.cookie});
  ASSERT_EQ(list.status, 200);
  json::value tokens = list.Json();
  for (const auto& t : tokens.at("data").as_array())
    EXPECT_NE(t.at("name"), "csrf-probe") << "a refused request must not write";

  Reply ok = Http("POST", url,
                  {ses.cookie, json_type, "X-CSRF-Token: " + ses.csrf, "Origin: " + s().url(),
                   "Sec-Fetch-Site: same-origin"},
                  body);
  ASSERT_EQ(ok.status, 200) << Masked(ok.body);
  std::string id(ok.Json().at("id").as_string());
  // A same-origin form under Referrer-Policy: no-referrer says "Origin: null".
  Reply del = Http("DELETE", url + "/" + id,
                   {ses.cookie, "X-CSRF-Token: " + ses.csrf, "Origin: null", "Sec-Fetch-Site: same-origin"});
  EXPECT_EQ(del.status, 204) << del.body;
}

TEST_F(SessionTest, SessionSecretsAndApiTokensAreNotInterchangeable) {
  Session ses = SignIn(s(), admin_email(), admin_password());
  Reply as_bearer = Http("GET", s().url() + "/v1/organizations", {"Authorization: Bearer " + ses.secret});
  EXPECT_EQ(as_bearer.status, 401) << "a session secret only works as the HttpOnly cookie";
  Reply api_as_cookie = Http("GET", s().url() + "/v1/organizations",
                             {"Cookie: opscale_session=" + s().admin().api_token});
  EXPECT_EQ(api_as_cookie.status, 401) << "an API token in a cookie is not a session";
}

TEST_F(SessionTest, SignOutEndsTheSession) {
  Session ses = SignIn(s(), admin_email(), admin_password());
  Reply no_csrf = Http("POST", s().url() + "/auth/logout", {ses.cookie});
  EXPECT_EQ(no_csrf.status, 403) << "sign-out is a write too";
  Reply out = Http("POST", s().url() + "/auth/logout", {ses.cookie, "X-CSRF-Token: " + ses.csrf});
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  Reply after = Http("GET", s().url() + "/auth/session", {ses.cookie});
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, "{\"signed_in\":false}\n");
  EXPECT_EQ(Http("GET", s().url() + "/v1/organizations", {ses.cookie}).status, 401);
}

TEST_F(SessionTest, SignInNeedsJsonFromThisOrigin) {
  Reply form = Http("POST", s().url() + "/auth/login",
                    {"Content-Type: application/x-www-form-urlencoded"},
                    "email=" + admin_email() + "&password=" + admin_password());
  EXPECT_EQ(form.status, 400) << form.body;
  Reply cross = PostLogin(s(), admin_email(), admin_password(), {"Origin: http://evil.example"});
  EXPECT_EQ(cross.status, 403) << cross.body;
  EXPECT_EQ(cross.Header("set-cookie"), "");
}

TEST_F(SessionTest, RepeatedFailuresAreThrottledEvenWithTheRightPasswordAfterwards) {
  RunResult u = RunProcess({OpscaledBin(), "user", "create", "--data-dir", s().data_dir() + "/data",
                            "--org", "acme", "--email", "throttled@example.com", "--role", "member",
                            "--format", "json"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  std::string password(json::parse(u.out).at("password").as_string());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(PostLogin(s(), "throttled@example.com", "wrong-" + std::to_string(i)).status, 401);
  Reply blocked = PostLogin(s(), "throttled@example.com", password);
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_EQ(blocked.Json().at("code").as_string(), "rate_limited");
  int retry = std::stoi(blocked.Header("retry-after"));
  EXPECT_GT(retry, 0);
  // A sliding 15-minute window (src/common/rate_limiter.h): five failures at
  // the start of a window fade out by 1/5 of the next one, 18 minutes.
  EXPECT_LE(retry, 18 * 60);
  EXPECT_NE(blocked.body.find("Too many failed sign-in attempts"), std::string::npos);
  EXPECT_EQ(blocked.Header("set-cookie"), "");
  // Another account from the same address is not locked out by these five.
  EXPECT_EQ(PostLogin(s(), admin_email(), admin_password()).status, 200);
}

TEST_F(SessionTest, TheDashboardIsServedWithStrictHeaders) {
  for (std::string path : {"/", "/acme", "/acme/settings/service-tokens", "/login"}) {
    Reply r = Http("GET", s().url() + path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8") << path;
    EXPECT_NE(r.body.find("<!doctype html>"), std::string::npos) << path;
    std::string csp = r.Header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  }
  Reply js = Http("GET", s().url() + "/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Http("GET", s().url() + "/assets/no-such-file.js").status, 404);
  EXPECT_EQ(Http("POST", s().url() + "/acme").status, 404);
  Reply api = Http("GET", s().url() + "/v1/organizations");
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(api.Header("cache-control"), "no-store");
}

TEST_F(SessionTest, TheAccessCatalogSaysWhatTheCallerMayGrant) {
  ASSERT_EQ(CallApi(s().url(), "POST", "/v1/organizations/acme/databases",
                    BearerHeader(s().admin().api_token), R"({"name":"catalogdb"})").status, 201);
  RunResult u = RunProcess({OpscaledBin(), "user", "create", "--data-dir", s().data_dir() + "/data",
                            "--org", "acme", "--email", "member@example.com", "--role", "member",
                            "--format", "json"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  std::string member_token(json::parse(u.out).at("api_token").as_string());
  auto grantable = [&](const std::string& token, const std::string& query) {
    HttpReply r = CallApi(s().url(), "GET", "/v1/organizations/acme/access-catalog" + query,
                          BearerHeader(token));
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    int total = 0;
    json::value v = r.Json();
    for (const auto& e : v.at("data").as_array()) {
      ++total;
      EXPECT_FALSE(e.at("description").as_string().empty());
      if (e.at("grantable").as_bool()) out.insert(std::string(e.at("name").as_string()));
    }
    EXPECT_GE(total, 40);
    return out;
  };
  std::set<std::string> admin_org = grantable(s().admin().api_token, "");
  EXPECT_TRUE(admin_org.count("write_service_tokens"));
  EXPECT_FALSE(admin_org.count("create_branch")) << "no database named, no database accesses";
  EXPECT_EQ(grantable(member_token, ""),
            (std::set<std::string>{"read_organization", "read_databases"}));
  std::set<std::string> member_db = grantable(member_token, "?database=catalogdb");
  EXPECT_TRUE(member_db.count("create_branch"));
  EXPECT_TRUE(member_db.count("connect_branch"));
  EXPECT_FALSE(member_db.count("delete_database"));
  EXPECT_FALSE(member_db.count("approve_deploy_request"));
  EXPECT_FALSE(member_db.count("read_organization")) << "organization accesses are granted at org level";
  EXPECT_EQ(CallApi(s().url(), "GET", "/v1/organizations/acme/access-catalog?database=nope",
                    BearerHeader(member_token)).status, 404);
}

TEST_F(SessionTest, TheAuditLogFiltersByActorAndAction) {
  const std::string auth = BearerHeader(s().admin().api_token);
  HttpReply t = CallApi(s().url(), "POST", "/v1/organizations/acme/service-tokens", auth,
                        R"({"name":"audited"})");
  ASSERT_EQ(t.status, 200);
  std::string id(t.Json().at("id").as_string());
  std::string tok(t.Json().at("token").as_string());
  ASSERT_EQ(CallApi(s().url(), "POST", "/v1/organizations/acme/service-tokens/" + id + "/access", auth,
                    R"({"access":["read_audit_logs","read_databases"]})").status, 200);
  // The token reads the log itself and so shows up as an actor of nothing yet;
  // it then creates a database, an action by it.
  ASSERT_EQ(CallApi(s().url(), "POST", "/v1/organizations/acme/service-tokens/" + id + "/access", auth,
                    R"({"access":["create_databases"]})").status, 200);
  ASSERT_EQ(CallApi(s().url(), "POST", "/v1/organizations/acme/databases", TokenHeader(id, tok),
                    R"({"name":"by-token"})").status, 201);

  HttpReply by_action = CallApi(s().url(), "GET",
                                "/v1/organizations/acme/audit-log?action=service_token.granted_access",
                                auth);
  ASSERT_EQ(by_action.status, 200) << by_action.body;
  auto events = by_action.Json().at("data").as_array();
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) EXPECT_EQ(e.at("audit_action").as_string(), "service_token.granted_access");

  HttpReply by_actor = CallApi(s().url(), "GET", "/v1/organizations/acme/audit-log?actor_id=" + id, auth);
  ASSERT_EQ(by_actor.status, 200);
  auto mine = by_actor.Json().at("data").as_array();
  ASSERT_GE(mine.size(), 1u);
  for (const auto& e : mine) EXPECT_EQ(e.at("actor_id").as_string(), id);
  EXPECT_EQ(mine.at(0).at("audit_action").as_string(), "database.created");

  // Filters and the cursor work together: one per page.
  HttpReply page1 = CallApi(s().url(), "GET",
                            "/v1/organizations/acme/audit-log?limit=1&action=service_token.granted_access",
                            auth);
  ASSERT_TRUE(page1.Json().at("has_next").as_bool());
  std::string cursor(page1.Json().at("cursor_end").as_string());
  HttpReply page2 = CallApi(s().url(), "GET",
                            "/v1/organizations/acme/audit-log?limit=1&action=service_token.granted_access"
                            "&starting_after=" + cursor, auth);
  ASSERT_EQ(page2.Json().at("data").as_array().size(), 1u);
  EXPECT_FALSE(page2.Json().at("has_next").as_bool());
  EXPECT_NE(page2.Json().at("data").at(0).at("id"), page1.Json().at("data").at(0).at("id"));
}

TEST_F(SessionTest, AdminsAddMembersWhoCanThenSignIn) {
  const std::string auth = BearerHeader(s().admin().api_token);
  HttpReply added = CallApi(s().url(), "POST", "/v1/organizations/acme/members", auth,
                            R"({"email":"New.Person@Example.com","role":"member"})");
  ASSERT_EQ(added.status, 201) << Masked(added.body);
  json::value v = added.Json();
  EXPECT_EQ(v.at("user").at("email").as_string(), "new.person@example.com");
  EXPECT_EQ(v.at("role").as_string(), "member");
  std::string password(v.at("password").as_string());
  std::string api_token(v.at("api_token").as_string());
  EXPECT_GE(password.size(), 16u);

  EXPECT_EQ(CallApi(s().url(), "POST", "/v1/organizations/acme/members", auth,
                    R"({"email":"new.person@example.com","role":"admin"})").status, 409);
  EXPECT_EQ(CallApi(s().url(), "POST", "/v1/organizations/acme/members", auth,
                    R"({"email":"x@example.com","role":"owner"})").status, 422);
  // A member may list members but not add them.
  HttpReply by_member = CallApi(s().url(), "POST", "/v1/organizations/acme/members",
                                BearerHeader(api_token), R"({"email":"third@example.com"})");
  EXPECT_EQ(by_member.status, 403) << by_member.body;
  EXPECT_NE(by_member.body.find("write_organization"), std::string::npos);
  HttpReply list = CallApi(s().url(), "GET", "/v1/organizations/acme/members", BearerHeader(api_token));
  ASSERT_EQ(list.status, 200);
  std::set<std::string> emails;
  json::value members = list.Json();
  for (const auto& m : members.at("data").as_array())
    emails.insert(std::string(m.at("user").at("email").as_string()));
  EXPECT_TRUE(emails.count("new.person@example.com"));
  EXPECT_TRUE(emails.count(admin_email()));

  EXPECT_EQ(PostLogin(s(), "new.person@example.com", password).status, 200);
  HttpReply log = CallApi(s().url(), "GET", "/v1/organizations/acme/audit-log?action=member.added", auth);
  json::value events = log.Json();
  bool by_admin = false;
  for (const auto& e : events.at("data").as_array())
    by_admin |= e.at("auditable_display_name") == "new.person@example.com" &&
                e.at("actor_type").as_string() == "User";
  EXPECT_TRUE(by_admin) << "the audit log names the admin who added the member";
}

TEST(SessionExpiryTest, AnExpiredSessionIsRefusedEverywhere) {
  Server s("acme", "admin@example.com", {"--session-ttl", "2"});
  Session ses = SignIn(s, s.admin().admin_email, s.admin().admin_password);
  ASSERT_EQ(Http("GET", s.url() + "/v1/organizations", {ses.cookie}).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  EXPECT_EQ(Http("GET", s.url() + "/v1/organizations", {ses.cookie}).status, 401);
  EXPECT_EQ(Http("GET", s.url() + "/auth/session", {ses.cookie}).body, "{\"signed_in\":false}\n");
}

}  // namespace
}  // namespace opscale::testutil
