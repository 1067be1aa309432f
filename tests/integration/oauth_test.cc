// OAuth end to end against the real server with the real curl: an org admin
// registers an application, a user authorizes it (PKCE), the application's
// service token exchanges the code, the bearer token acts within its scopes,
// refresh tokens rotate (a reused one revokes the chain), revocation and
// deletion take effect on the next request. And the ways it must refuse:
// wrong client secret, reused or expired code, redirect URI mismatch, scope
// escalation, a wrong PKCE verifier.
#include <gtest/gtest.h>

#include <openssl/sha.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

constexpr const char* kRedirect = "http://127.0.0.1:9/callback";

std::string Base64Url(const unsigned char* p, size_t n) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < n; i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += k[(v >> s) & 63];
  }
  if (n - i == 1) {
    uint32_t v = p[i] << 16;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    for (int s = 18; s >= 6; s -= 6) out += k[(v >> s) & 63];
  }
  return out;
}

std::string S256(const std::string& verifier) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), d);
  return Base64Url(d, sizeof d);
}

// "k=v&..." form encoding of already-safe values (tests use URL-safe ones,
// and encode the two that are not).
std::string Form(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    std::string enc;
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') enc += static_cast<char>(c);
      else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        enc += buf;
      }
    }
    out += (out.empty() ? "" : "&") + k + "=" + enc;
  }
  return out;
}

const std::string kFormType = "Content-Type: application/x-www-form-urlencoded";

class OAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>("acme");
    admin_ = BearerHeader(server_->admin().api_token);
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/databases", admin_, R"({"name":"shop"})").status, 201);
    HttpReply app = Api("POST", "/v1/organizations/acme/oauth-applications", admin_,
                        json::serialize(json::object{
                            {"name", "Deploy bot"},
                            {"redirect_uri", kRedirect},
                            {"scopes", json::array{"read_databases", "database:read_branches", "read_user",
                                                   "write_branches"}}}));
    ASSERT_EQ(app.status, 201) << Masked(app.body);
    json::value a = app.Json();
    app_id_ = std::string(a.at("id").as_string());
    client_id_ = std::string(a.at("client_id").as_string());
    client_secret_ = std::string(a.at("client_secret").as_string());
    // The application's service token, which mints tokens for it.
    HttpReply t = Api("POST", "/v1/organizations/acme/service-tokens", admin_, R"({"name":"app-minter"})");
    ASSERT_EQ(t.status, 200);
    std::string tid(t.Json().at("id").as_string());
    minter_ = TokenHeader(tid, std::string(t.Json().at("token").as_string()));
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/service-tokens/" + tid + "/access", admin_,
                  R"({"access":["write_oauth_tokens","read_oauth_tokens","delete_oauth_tokens","read_oauth_applications"]})")
                  .status,
              200);
  }

  HttpReply Api(const std::string& method, const std::string& path, const std::string& auth,
                const std::string& body = "") {
    return CallApi(server_->url(), method, path, auth, body);
  }

  // Approves as the admin user (Bearer API token) and returns the code.
  std::string Authorize(const std::string& scope, const std::string& challenge = "",
                        const std::string& redirect = kRedirect) {
    std::vector<std::pair<std::string, std::string>> kv = {
        {"client_id", client_id_}, {"redirect_uri", redirect}, {"scope", scope},
        {"state", "s t/ate"},       {"response_type", "code"}};
    if (!challenge.empty()) {
      kv.emplace_back("code_challenge", challenge);
      kv.emplace_back("code_challenge_method", "S256");
    }
    HttpExchange r = Http("POST", server_->url() + "/oauth/authorize", {admin_, kFormType}, Form(kv));
    EXPECT_EQ(r.status, 302) << r.body;
    std::string loc = r.Header("location");
    EXPECT_EQ(loc.rfind(std::string(kRedirect) + "?code=", 0), 0u) << loc;
    EXPECT_NE(loc.find("&state=s%20t%2Fate"), std::string::npos) << loc;
    size_t start = loc.find("code=") + 5;
    return loc.substr(start, loc.find('&', start) - start);
  }

  // Exchanges a code through the minting endpoint (the service-token way).
  HttpReply Mint(const std::string& code, const std::string& verifier = "",
                 const std::string& secret = "") {
    json::object body{{"client_id", client_id_},
                      {"client_secret", secret.empty() ? client_secret_ : secret},
                      {"grant_type", "authorization_code"},
                      {"code", code},
                      {"redirect_uri", kRedirect}};
    if (!verifier.empty()) body["code_verifier"] = verifier;
    return Api("POST", "/v1/organizations/acme/oauth-applications/" + app_id_ + "/token", minter_,
               json::serialize(body));
  }

  HttpExchange TokenEndpoint(const std::vector<std::pair<std::string, std::string>>& kv) {
    return Http("POST", server_->url() + "/oauth/token", {kFormType}, Form(kv));
  }

  std::unique_ptr<Server> server_;
  std::string admin_, app_id_, client_id_, client_secret_, minter_;
};

TEST_F(OAuthTest, AuthorizeExchangeUseWithinScopesRefreshRevoke) {
  EXPECT_EQ(client_id_.rfind("pscale_app_", 0), 0u);
  const std::string verifier = "a-verifier-of-enough-length-0123456789abcdefghijkl";
  std::string code = Authorize("read_databases read_branches read_user", S256(verifier));

  HttpReply minted = Mint(code, verifier);
  ASSERT_EQ(minted.status, 200) << Masked(minted.body);
  json::value m = minted.Json();
  std::string access(m.at("token").as_string());
  std::string refresh(m.at("plain_text_refresh_token").as_string());
  EXPECT_EQ(access.rfind("pscale_oauth_", 0), 0u);
  EXPECT_EQ(refresh.rfind("pscale_oauth_refresh_", 0), 0u);
  std::string token_id(m.at("id").as_string());
  const std::string bearer = BearerHeader(access);

  // Within its scopes it acts as the user.
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", bearer).status, 200);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases/shop/branches", bearer).status, 200);
  EXPECT_EQ(Api("GET", "/v1/user", bearer).status, 200);
  // Outside them it is refused, naming the scope.
  HttpReply create = Api("POST", "/v1/organizations/acme/databases/shop/branches", bearer,
                         R"({"name":"nope","parent_branch":"main"})");
  EXPECT_EQ(create.status, 403);
  EXPECT_NE(create.body.find("write_branches"), std::string::npos) << create.body;
  EXPECT_EQ(Api("GET", "/v1/organizations", bearer).status, 403) << "read_organizations not granted";
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/service-tokens", bearer).status, 403);

  // Introspection.
  HttpReply info = CallApi(server_->url(), "GET", "/oauth/token/info", bearer);
  ASSERT_EQ(info.status, 200);
  EXPECT_TRUE(info.Json().at("active").as_bool());
  EXPECT_EQ(info.Json().at("client_id").as_string(), client_id_);
  EXPECT_EQ(info.Json().at("scope").as_string(), "read_databases read_branches read_user");

  // The service token lists and reads the application's tokens.
  HttpReply list = Api("GET", "/v1/organizations/acme/oauth-applications/" + app_id_ + "/tokens", minter_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(list.body.find("pscale_oauth_"), std::string::npos) << "no secret in listings";

  // Refresh at the token endpoint rotates; the old refresh token is spent.
  HttpExchange r1 = TokenEndpoint({{"grant_type", "refresh_token"}, {"refresh_token", refresh},
                                   {"client_id", client_id_}, {"client_secret", client_secret_}});
  ASSERT_EQ(r1.status, 200) << Masked(r1.body);
  json::value t1 = r1.Json();
  EXPECT_EQ(t1.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(t1.at("expires_in").as_int64(), 2592000);
  std::string access2(t1.at("access_token").as_string());
  std::string refresh2(t1.at("refresh_token").as_string());
  EXPECT_NE(refresh2, refresh);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access2)).status, 200);

  // Presenting the spent refresh token again revokes the whole chain.
  HttpExchange reuse = TokenEndpoint({{"grant_type", "refresh_token"}, {"refresh_token", refresh},
                                      {"client_id", client_id_}, {"client_secret", client_secret_}});
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(reuse.Json().at("error").as_string(), "invalid_grant");
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", bearer).status, 401);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access2)).status, 401);
  HttpExchange dead = TokenEndpoint({{"grant_type", "refresh_token"}, {"refresh_token", refresh2},
                                     {"client_id", client_id_}, {"client_secret", client_secret_}});
  EXPECT_EQ(dead.status, 400) << "the newest refresh token died with its chain";

  // A fresh authorization exchanged at /oauth/token, then revoked.
  std::string code2 = Authorize("read_databases");
  HttpExchange t2 = TokenEndpoint({{"grant_type", "authorization_code"}, {"code", code2},
                                   {"redirect_uri", kRedirect}, {"client_id", client_id_},
                                   {"client_secret", client_secret_}});
  ASSERT_EQ(t2.status, 200) << Masked(t2.body);
  std::string access3(t2.Json().at("access_token").as_string());
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access3)).status, 200);
  HttpExchange revoked = Http("POST", server_->url() + "/oauth/revoke", {kFormType},
                              Form({{"token", access3}, {"client_id", client_id_},
                                    {"client_secret", client_secret_}}));
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(revoked.body, "{}\n");
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access3)).status, 401);
  EXPECT_FALSE(CallApi(server_->url(), "GET", "/oauth/token/info", BearerHeader(access3))
                   .Json().at("active").as_bool());

  // Deleting a token through the service token takes effect at once.
  std::string code3 = Authorize("read_databases");
  HttpReply m3 = Mint(code3);
  ASSERT_EQ(m3.status, 200);
  std::string access4(m3.Json().at("token").as_string());
  std::string id4(m3.Json().at("id").as_string());
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/oauth-applications/" + app_id_ + "/tokens/" + id4, minter_).status, 200);
  EXPECT_EQ(Api("DELETE", "/v1/organizations/acme/oauth-applications/" + app_id_ + "/tokens/" + id4, minter_).status, 204);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access4)).status, 401);

  // Deleting the application revokes everything it holds.
  std::string code4 = Authorize("read_databases");
  HttpReply m4 = Mint(code4);
  ASSERT_EQ(m4.status, 200);
  std::string access5(m4.Json().at("token").as_string());
  EXPECT_EQ(Api("DELETE", "/v1/organizations/acme/oauth-applications/" + app_id_, admin_).status, 204);
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access5)).status, 401);
}

TEST_F(OAuthTest, RefusesWrongSecretReusedOrExpiredCodesMismatchesAndEscalation) {
  // Wrong client secret.
  std::string code = Authorize("read_databases");
  HttpExchange wrong = TokenEndpoint({{"grant_type", "authorization_code"}, {"code", code},
                                      {"redirect_uri", kRedirect}, {"client_id", client_id_},
                                      {"client_secret", "pscale_app_secret_wrong"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Json().at("error").as_string(), "invalid_client");
  // Redirect URI mismatch at the token endpoint.
  HttpExchange mismatch = TokenEndpoint({{"grant_type", "authorization_code"}, {"code", code},
                                         {"redirect_uri", "http://127.0.0.1:9/other"},
                                         {"client_id", client_id_}, {"client_secret", client_secret_}});
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(mismatch.Json().at("error").as_string(), "invalid_grant");
  // The right exchange works once; the same code again is refused and what
  // it produced is revoked.
  HttpExchange ok = TokenEndpoint({{"grant_type", "authorization_code"}, {"code", code},
                                   {"redirect_uri", kRedirect}, {"client_id", client_id_},
                                   {"client_secret", client_secret_}});
  ASSERT_EQ(ok.status, 200) << Masked(ok.body);
  std::string access(ok.Json().at("access_token").as_string());
  HttpExchange again = TokenEndpoint({{"grant_type", "authorization_code"}, {"code", code},
                                      {"redirect_uri", kRedirect}, {"client_id", client_id_},
                                      {"client_secret", client_secret_}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.Json().at("error").as_string(), "invalid_grant");
  EXPECT_EQ(Api("GET", "/v1/organizations/acme/databases", BearerHeader(access)).status, 401);

  // An expired code (aged in the store with the sqlite3 client).
  std::string old = Authorize("read_databases");
  RunResult aged = RunProcess({"/usr/bin/sqlite3", server_->data_dir() + "/data/opscale.db",
                               "PRAGMA busy_timeout=5000; UPDATE oauth_grants SET expires_at = 1 WHERE kind = 'code' AND state = 'approved';"});
  ASSERT_EQ(aged.exit_code, 0) << aged.err;
  HttpReply expired = Mint(old);
  EXPECT_EQ(expired.status, 422);
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;

  // PKCE: the wrong verifier is refused.
  std::string pkce = Authorize("read_databases", S256("the-right-verifier-0123456789012345678901234"));
  HttpReply bad_verifier = Mint(pkce, "a-wrong-verifier-01234567890123456789012345678");
  EXPECT_EQ(bad_verifier.status, 422);
  EXPECT_NE(bad_verifier.body.find("code_verifier"), std::string::npos);

  // Authorization requests the server refuses before any code exists.
  auto authorize = [&](const std::vector<std::pair<std::string, std::string>>& kv) {
    return Http("POST", server_->url() + "/oauth/authorize", {admin_, kFormType}, Form(kv));
  };
  HttpExchange other_redirect = authorize({{"client_id", client_id_}, {"redirect_uri", "http://evil.example/cb"},
                                           {"scope", "read_databases"}, {"response_type", "code"}});
  EXPECT_EQ(other_redirect.status, 400) << other_redirect.body;
  EXPECT_EQ(other_redirect.Header("location"), "");
  HttpExchange escalate = authorize({{"client_id", client_id_}, {"redirect_uri", kRedirect},
                                     {"scope", "read_databases delete_databases"}, {"response_type", "code"}});
  EXPECT_EQ(escalate.status, 400);
  EXPECT_NE(escalate.body.find("delete_databases"), std::string::npos) << escalate.body;
  HttpExchange unknown = authorize({{"client_id", "pscale_app_nope"}, {"redirect_uri", kRedirect},
                                    {"response_type", "code"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("invalid_client"), std::string::npos);
  // A service token cannot authorize on a user's behalf.
  HttpExchange by_token = Http("POST", server_->url() + "/oauth/authorize", {minter_, kFormType},
                               Form({{"client_id", client_id_}, {"redirect_uri", kRedirect},
                                     {"response_type", "code"}}));
  EXPECT_EQ(by_token.status, 403);

  // Minting needs write_oauth_tokens; apps are made by admins only.
  HttpReply t = Api("POST", "/v1/organizations/acme/service-tokens", admin_, R"({"name":"weak"})");
  std::string weak = TokenHeader(std::string(t.Json().at("id").as_string()),
                                 std::string(t.Json().at("token").as_string()));
  EXPECT_EQ(Api("POST", "/v1/organizations/acme/oauth-applications/" + app_id_ + "/token", weak,
                R"({"grant_type":"authorization_code"})").status, 403);
  EXPECT_EQ(Api("POST", "/v1/organizations/acme/oauth-applications", weak,
                R"({"name":"x","redirect_uri":"http://127.0.0.1/cb","scopes":["read_user"]})").status, 403);
  // Bad application input.
  EXPECT_EQ(Api("POST", "/v1/organizations/acme/oauth-applications", admin_,
                R"j({"name":"x","redirect_uri":"javascript:alert(1)","scopes":["read_user"]})j").status, 422);
  EXPECT_EQ(Api("POST", "/v1/organizations/acme/oauth-applications", admin_,
                R"({"name":"x","redirect_uri":"http://127.0.0.1/cb","scopes":["fly_to_the_moon"]})").status, 422);
}

TEST_F(OAuthTest, ApplicationsAreListedWithoutSecretsAndUpdated) {
  HttpReply list = Api("GET", "/v1/organizations/acme/oauth-applications", minter_);
  ASSERT_EQ(list.status, 200) << list.body;
  json::value v = list.Json();
  ASSERT_EQ(v.at("data").as_array().size(), 1u);
  const auto& a = v.at("data").at(0);
  EXPECT_EQ(a.at("client_id").as_string(), client_id_);
  EXPECT_EQ(a.at("scopes").as_string(), "read_databases read_branches read_user write_branches");
  EXPECT_EQ(a.at("domain").as_string(), "127.0.0.1");
  EXPECT_FALSE(a.as_object().contains("client_secret"));
  HttpReply patched = Api("PATCH", "/v1/organizations/acme/oauth-applications/" + app_id_, admin_,
                          R"({"name":"Deploy bot 2","scopes":["read_databases"]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json().at("name").as_string(), "Deploy bot 2");
  EXPECT_EQ(patched.Json().at("scopes").as_string(), "read_databases");
  // A scope the application no longer has cannot be asked for.
  HttpExchange r = Http("POST", server_->url() + "/oauth/authorize", {admin_, kFormType},
                        Form({{"client_id", client_id_}, {"redirect_uri", kRedirect},
                              {"scope", "read_branches"}, {"response_type", "code"}}));
  EXPECT_EQ(r.status, 400);
  HttpReply log = Api("GET", "/v1/organizations/acme/audit-log?action=oauth_application.updated", admin_);
  EXPECT_EQ(log.Json().at("data").as_array().size(), 1u);
}

}  // namespace
}  // namespace opscale::testutil
