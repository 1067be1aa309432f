#include <gtest/gtest.h>

#include <filesystem>

#include "service/platform.h"

namespace opscale {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opscale-service-XXXXXX";
    dir_ = mkdtemp(tmpl);
    PlatformOptions o;
    o.data_dir = dir_;
    o.start_engine = true;  // a private mariadbd: branches are real schemas
    auto p = Platform::Open(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    platform_ = std::move(p).value();
    auto cr = platform_->bootstrap().CreateOrganization("acme", "admin@example.com");
    ASSERT_TRUE(cr.ok()) << cr.status().ToString();
    auto admin = platform_->authenticator().Authenticate("Bearer " + cr->api_token, NowMs());
    ASSERT_TRUE(admin.ok());
    admin_ = RequestContext{*admin, "127.0.0.1"};
  }
  void TearDown() override {
    platform_.reset();
    std::filesystem::remove_all(dir_);
  }
  RequestContext AsToken(const ServiceTokenView& v) {
    auto p = platform_->authenticator().Authenticate(v.token.id + ":" + *v.secret, NowMs());
    EXPECT_TRUE(p.ok());
    return RequestContext{*p, "127.0.0.1"};
  }

  std::string dir_;
  std::unique_ptr<Platform> platform_;
  RequestContext admin_;
};

TEST_F(ServiceTest, CreateGrantRevokeDelete) {
  auto& tokens = platform_->service_tokens();
  ASSERT_TRUE(platform_->databases().Create(admin_, "acme", "mydb", "").ok());
  auto t = tokens.Create(admin_, "acme", std::string("ci"), std::nullopt);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->secret.has_value());
  EXPECT_EQ(t->token.secret_hash.find(*t->secret), std::string::npos);

  auto g = tokens.AddAccess(admin_, "acme", t->token.id, "mydb", {"read_branch", "create_branch"});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->size(), 2u);
  RequestContext ci = AsToken(*t);
  EXPECT_TRUE(platform_->databases().CreateBranch(ci, "acme", "mydb", "dev", "").ok());

  ASSERT_TRUE(tokens.RemoveAccess(admin_, "acme", t->token.id, "mydb", {"create_branch"}).ok());
  ci = AsToken(*t);
  EXPECT_EQ(platform_->databases().CreateBranch(ci, "acme", "mydb", "dev2", "").status().code(),
            Code::kPermissionDenied);

  ASSERT_TRUE(tokens.Delete(admin_, "acme", t->token.id).ok());
  EXPECT_FALSE(platform_->authenticator().Authenticate(t->token.id + ":" + *t->secret, NowMs()).ok());
  EXPECT_EQ(tokens.Delete(admin_, "acme", t->token.id).code(), Code::kNotFound);
}

TEST_F(ServiceTest, FailedGrantWritesNothing) {
  auto& tokens = platform_->service_tokens();
  auto t = tokens.Create(admin_, "acme", std::nullopt, std::nullopt);
  ASSERT_TRUE(t.ok());
  auto bad = tokens.AddAccess(admin_, "acme", t->token.id, "", {"read_organization", "bogus"});
  EXPECT_EQ(bad.status().code(), Code::kUnprocessable);
  auto view = tokens.Get(admin_, "acme", t->token.id);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->grants.empty());
}

TEST_F(ServiceTest, DeletingADatabaseDropsItsGrants) {
  auto& tokens = platform_->service_tokens();
  ASSERT_TRUE(platform_->databases().Create(admin_, "acme", "gone", "").ok());
  auto t = tokens.Create(admin_, "acme", std::nullopt, std::nullopt);
  ASSERT_TRUE(tokens.AddAccess(admin_, "acme", t->token.id, "gone", {"read_branch"}).ok());
  ASSERT_TRUE(platform_->databases().Delete(admin_, "acme", "gone").ok());
  EXPECT_TRUE(tokens.Get(admin_, "acme", t->token.id)->grants.empty());
  // A new database with the same name is not readable through the old grant.
  ASSERT_TRUE(platform_->databases().Create(admin_, "acme", "gone", "").ok());
  RequestContext ci = AsToken(*t);
  EXPECT_EQ(platform_->databases().Get(ci, "acme", "gone").status().code(), Code::kNotFound);
}

TEST_F(ServiceTest, AuditEventsForEveryChange) {
  ASSERT_TRUE(platform_->databases().Create(admin_, "acme", "audited", "").ok());
  ASSERT_TRUE(platform_->databases().CreateBranch(admin_, "acme", "audited", "b1", "").ok());
  ASSERT_TRUE(platform_->databases().DeleteBranch(admin_, "acme", "audited", "b1").ok());
  ASSERT_TRUE(platform_->databases().Delete(admin_, "acme", "audited").ok());
  auto events = platform_->organizations().AuditLog(admin_, "acme", 0, 10);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) actions.push_back(e.action);
  ASSERT_GE(actions.size(), 4u);
  EXPECT_EQ(actions[0], "database.deleted");
  EXPECT_EQ(actions[1], "branch.deleted");
  EXPECT_EQ(actions[2], "branch.created");
  EXPECT_EQ(actions[3], "database.created");
  EXPECT_EQ((*events)[0].actor.type, ActorType::kUser);
}

TEST_F(ServiceTest, PasswordHashing) {
  auto h = HashPassword("correct horse");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("correct horse", *h));
  EXPECT_FALSE(VerifyPassword("wrong", *h));
}

}  // namespace
}  // namespace opscale
