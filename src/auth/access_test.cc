#include <gtest/gtest.h>

#include <set>

#include "auth/access.h"

namespace opscale {
namespace {

TEST(AccessCatalogTest, NamesAreUniqueAndRoundTrip) {
  std::set<std::string_view> names;
  for (const auto& info : AccessCatalog()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    auto parsed = ParseAccess(info.name);
    ASSERT_TRUE(parsed.has_value()) << info.name;
    EXPECT_EQ(*parsed, info.access);
    EXPECT_FALSE(info.description.empty());
  }
  EXPECT_FALSE(ParseAccess("manage_service_tokens").has_value());
  EXPECT_FALSE(ParseAccess("").has_value());
}

TEST(AccessCatalogTest, LevelsMatchThePublicLists) {
  EXPECT_EQ(Info(*ParseAccess("create_databases")).level, AccessLevel::kOrganization);
  EXPECT_EQ(Info(*ParseAccess("read_service_tokens")).level, AccessLevel::kOrganization);
  EXPECT_EQ(Info(*ParseAccess("read_branch")).level, AccessLevel::kDatabase);
  EXPECT_EQ(Info(*ParseAccess("approve_deploy_request")).level, AccessLevel::kDatabase);
  EXPECT_EQ(Info(*ParseAccess("delete_database")).level, AccessLevel::kDatabase);
}

TEST(AccessSetTest, SetOperations) {
  AccessSet s{Access::kReadBranch, Access::kCreateBranch};
  EXPECT_TRUE(s.Has(Access::kReadBranch));
  EXPECT_FALSE(s.Has(Access::kDeleteBranch));
  s.Remove(Access::kReadBranch);
  EXPECT_FALSE(s.Has(Access::kReadBranch));
  EXPECT_EQ(s.Names(), std::vector<std::string>{"create_branch"});
  AccessSet org = AccessSet::All(AccessLevel::kOrganization);
  AccessSet db = AccessSet::All(AccessLevel::kDatabase);
  EXPECT_TRUE(org.Intersect(db).Empty());
  EXPECT_EQ(org.Union(db).ToVector().size(), AccessCatalog().size());
  EXPECT_TRUE(BranchReadSet().Has(Access::kConnectBranch));
}

}  // namespace
}  // namespace opscale
