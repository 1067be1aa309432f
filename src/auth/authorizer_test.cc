#include <gtest/gtest.h>

#include "auth/authorizer.h"

namespace opscale {
namespace {

Principal TokenIn(const std::string& org) {
  Principal p;
  p.kind = Principal::Kind::kServiceToken;
  p.id = "tok000000001";
  p.org_id = org;
  return p;
}

const Resource kOrg = Resource::Org("org1", "acme");
const Resource kDb = kOrg.Database("db1", "mydb");
const Resource kBranch = kDb.Branch("dev", false);

TEST(AuthorizerTest, TokenWithoutGrantsSeesOrgButNotDatabase) {
  Principal p = TokenIn("org1");
  EXPECT_TRUE(Authorizer::CanSee(p, kOrg));
  EXPECT_FALSE(Authorizer::CanSee(p, kDb));
  EXPECT_EQ(Authorizer::Authorize(p, Access::kReadOrganization, kOrg).code(), Code::kPermissionDenied);
  EXPECT_EQ(Authorizer::Authorize(p, Access::kCreateBranch, kDb).code(), Code::kNotFound);
}

TEST(AuthorizerTest, OtherOrgIsNotFound) {
  Principal p = TokenIn("org2");
  p.org_accesses = AccessSet::All(AccessLevel::kOrganization);
  EXPECT_EQ(Authorizer::Authorize(p, Access::kReadOrganization, kOrg).code(), Code::kNotFound);
}

TEST(AuthorizerTest, DatabaseGrantAllowsOnlyThatDatabase) {
  Principal p = TokenIn("org1");
  p.database_accesses["db1"] = {Access::kReadBranch};
  EXPECT_TRUE(Authorizer::CanSee(p, kDb));
  EXPECT_TRUE(Authorizer::CanSee(p, kBranch));
  EXPECT_TRUE(Authorizer::IsAllowed(p, Access::kReadBranch, kBranch));
  Status s = Authorizer::Authorize(p, Access::kCreateBranch, kDb);
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("create_branch"), std::string::npos);
  EXPECT_EQ(Authorizer::Authorize(p, Access::kReadBranch, kOrg.Database("db2", "other")).code(),
            Code::kNotFound);
}

TEST(AuthorizerTest, BranchNeedsBranchReadAccess) {
  Principal p = TokenIn("org1");
  p.database_accesses["db1"] = {Access::kReadDeployRequest};
  EXPECT_TRUE(Authorizer::CanSee(p, kDb));
  EXPECT_FALSE(Authorizer::CanSee(p, kBranch));
  EXPECT_EQ(Authorizer::Authorize(p, Access::kDeleteBranch, kBranch).code(), Code::kNotFound);
}

TEST(AuthorizerTest, ReadDatabasesMakesDatabasesVisible) {
  Principal p = TokenIn("org1");
  p.org_accesses = {Access::kReadDatabases};
  EXPECT_TRUE(Authorizer::CanSee(p, kDb));
  EXPECT_EQ(Authorizer::Authorize(p, Access::kDeleteDatabase, kDb).code(), Code::kPermissionDenied);
}

TEST(AuthorizerTest, UserRoles) {
  Principal admin;
  admin.kind = Principal::Kind::kUser;
  admin.roles["org1"] = Role::kAdmin;
  EXPECT_TRUE(Authorizer::IsAllowed(admin, Access::kCreateDatabases, kOrg));
  EXPECT_TRUE(Authorizer::IsAllowed(admin, Access::kDeleteProductionBranch, kBranch));
  Principal member = admin;
  member.roles["org1"] = Role::kMember;
  EXPECT_TRUE(Authorizer::IsAllowed(member, Access::kCreateBranch, kDb));
  EXPECT_FALSE(Authorizer::IsAllowed(member, Access::kCreateDatabases, kOrg));
  EXPECT_EQ(Authorizer::Authorize(member, Access::kWriteServiceTokens, kOrg).code(),
            Code::kPermissionDenied);
  EXPECT_EQ(Authorizer::Authorize(member, Access::kReadOrganization, Resource::Org("x", "y")).code(),
            Code::kNotFound);
}

TEST(AuthorizerTest, DatabaseAccessOnOrgResourceIsNeverAllowed) {
  Principal p = TokenIn("org1");
  p.database_accesses["db1"] = AccessSet::All(AccessLevel::kDatabase);
  EXPECT_FALSE(Authorizer::IsAllowed(p, Access::kReadBranch, kOrg));
}

}  // namespace
}  // namespace opscale
