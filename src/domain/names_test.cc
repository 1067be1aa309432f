#include <gtest/gtest.h>

#include "domain/credentials.h"
#include "domain/names.h"

namespace opscale {
namespace {

TEST(NamesTest, ResourceNames) {
  EXPECT_TRUE(ValidateResourceName("branch", "dev-1").ok());
  EXPECT_TRUE(ValidateResourceName("branch", std::string(64, 'a')).ok());
  EXPECT_FALSE(ValidateResourceName("branch", std::string(65, 'a')).ok());
  EXPECT_FALSE(ValidateResourceName("branch", "").ok());
  EXPECT_FALSE(ValidateResourceName("branch", "Dev").ok());
  EXPECT_FALSE(ValidateResourceName("branch", "a_b").ok());
  EXPECT_FALSE(ValidateResourceName("branch", "-a").ok());
  EXPECT_FALSE(ValidateResourceName("branch", "a b").ok());
  EXPECT_FALSE(ValidateResourceName("branch", "caf\xc3\xa9").ok());
  Status s = ValidateResourceName("database", "UPPER");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("invalid database name"), std::string::npos);
}

TEST(NamesTest, TokenNamesAndEmails) {
  EXPECT_TRUE(ValidateTokenName("ci deploy \xc3\xa9").ok());
  EXPECT_FALSE(ValidateTokenName("").ok());
  EXPECT_FALSE(ValidateTokenName("a\nb").ok());
  EXPECT_TRUE(ValidateEmail("a@b.c").ok());
  EXPECT_FALSE(ValidateEmail("ab.c").ok());
  EXPECT_FALSE(ValidateEmail("a b@c").ok());
}

}  // namespace
}  // namespace opscale

namespace opscale {
namespace {

TEST(ResourceTypeTest, NamesRoundTrip) {
  for (ResourceType t : {ResourceType::kOrganization, ResourceType::kDatabase}) {
    EXPECT_EQ(ParseResourceType(ResourceTypeName(t)), t);
  }
  EXPECT_STREQ(ResourceTypeName(ResourceType::kDatabase), "Database");
  EXPECT_EQ(ParseResourceType("Organization"), ResourceType::kOrganization);
}

}  // namespace
}  // namespace opscale
