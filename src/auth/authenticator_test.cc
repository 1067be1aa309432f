#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/token_format.h"

namespace opscale {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() : index_(SecretHasher(std::string(32, 'k'))), auth_(&index_) {
    secret_ = GenerateSecret(kServiceTokenPrefix);
    ServiceToken t;
    t.id = "abcdefabcdef";
    t.org_id = "org1";
    t.secret_hash = index_.hasher().Hash(secret_);
    index_.PutServiceToken(t);
    Grant g;
    g.token_id = t.id;
    g.resource_type = ResourceType::kDatabase;
    g.resource_id = "db1";
    g.access = "read_branch";
    index_.PutGrant(g);
    bearer_ = GenerateSecret(kApiTokenPrefix);
    User u;
    u.id = "user00000001";
    u.email = "a@b.c";
    index_.PutUser(u);
    index_.PutMembership({"org1", u.id, Role::kAdmin, 0});
    ApiToken at;
    at.id = "api000000001";
    at.user_id = u.id;
    at.secret_hash = index_.hasher().Hash(bearer_);
    index_.PutApiToken(at);
  }
  CredentialIndex index_;
  Authenticator auth_;
  std::string secret_, bearer_;
};

TEST_F(AuthenticatorTest, ServiceTokenHeader) {
  auto p = auth_.Authenticate("abcdefabcdef:" + secret_, NowMs());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->is_token());
  EXPECT_TRUE(p->database_accesses.at("db1").Has(Access::kReadBranch));
}

TEST_F(AuthenticatorTest, BearerHeader) {
  auto p = auth_.Authenticate("Bearer " + bearer_, NowMs());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->is_user());
  EXPECT_EQ(p->roles.at("org1"), Role::kAdmin);
}

TEST_F(AuthenticatorTest, EveryBadFormGetsTheSame401) {
  std::string other = GenerateSecret(kServiceTokenPrefix);
  std::vector<std::string> bad = {
      "",
      "abcdefabcdef",
      "abcdefabcdef:" + other,                   // wrong secret
      "zzzzzzzzzzzz:" + secret_,                 // unknown id
      "abcdefabcdef:" + secret_ + ":x",          // several colons
      "Bearer abcdefabcdef:" + secret_,          // Bearer on a service token
      secret_ + ":abcdefabcdef",                 // swapped
      "abcdefabcdef:" + secret_.substr(0, 30),   // truncated
      "abcdefabcdef:" + secret_ + "\xc3\xa9",    // non-ASCII
      "Bearer " + GenerateSecret(kApiTokenPrefix),
      "Basic dXNlcjpwYXNz",
  };
  for (const auto& h : bad) {
    auto p = auth_.Authenticate(h, NowMs());
    ASSERT_FALSE(p.ok()) << h;
    EXPECT_EQ(p.status().code(), Code::kUnauthenticated);
    EXPECT_EQ(p.status().message(), kUnauthorizedMessage);
  }
}

TEST_F(AuthenticatorTest, DeletedAndExpiredTokensFail) {
  ServiceToken t;
  t.id = "expiredtoken";
  t.org_id = "org1";
  std::string s = GenerateSecret(kServiceTokenPrefix);
  t.secret_hash = index_.hasher().Hash(s);
  t.expires_at = NowMs() - 1;
  index_.PutServiceToken(t);
  EXPECT_FALSE(auth_.Authenticate("expiredtoken:" + s, NowMs()).ok());
  index_.RemoveServiceToken("abcdefabcdef");
  EXPECT_FALSE(auth_.Authenticate("abcdefabcdef:" + secret_, NowMs()).ok());
}

TEST_F(AuthenticatorTest, MissHookRetriesOnce) {
  std::string s = GenerateSecret(kServiceTokenPrefix);
  int calls = 0;
  auth_.set_on_miss([&] {
    ++calls;
    ServiceToken t;
    t.id = "latecomer001";
    t.org_id = "org1";
    t.secret_hash = index_.hasher().Hash(s);
    index_.PutServiceToken(t);
    return true;
  });
  EXPECT_TRUE(auth_.Authenticate("latecomer001:" + s, NowMs()).ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(AuthenticatorTest, WrongSecretOfAKnownTokenNeverCallsTheMissHook) {
  std::string s = GenerateSecret(kServiceTokenPrefix);
  ServiceToken t;
  t.id = "knowntoken01";
  t.org_id = "org1";
  t.secret_hash = index_.hasher().Hash(s);
  index_.PutServiceToken(t);
  int calls = 0;
  auth_.set_on_miss([&] {
    ++calls;
    return false;
  });
  std::string wrong = GenerateSecret(kServiceTokenPrefix);
  EXPECT_FALSE(auth_.Authenticate("knowntoken01:" + wrong, NowMs()).ok());
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(auth_.Authenticate("unknowntok01:" + wrong, NowMs()).ok());
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace opscale
