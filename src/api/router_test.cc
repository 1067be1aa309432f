#include "api/router.h"

#include <gtest/gtest.h>

namespace opscale::api {
namespace {

TEST(RouterTest, MatchesLiteralsAndCapturesParams) {
  Router<int> r;
  r.Add("GET", "/v1/organizations/{org}/databases", 1);
  r.Add("GET", "/v1/organizations/{org}/databases/{db}", 2);
  r.Add("DELETE", "/v1/organizations/{org}/databases/{db}", 3);
  r.Add("GET", "/v1/organizations/{org}/databases/{db}/branches/{branch}", 4);
  Params p{{"stale", "x"}};
  bool known = false;
  const int* h = r.Match("GET", "/v1/organizations/acme/databases/shop", &p, &known);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(*h, 2);
  EXPECT_TRUE(known);
  EXPECT_EQ(p, (Params{{"org", "acme"}, {"db", "shop"}}));
  h = r.Match("DELETE", "//v1/organizations/acme/databases/shop/", &p, &known);  // empty segments skipped
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(*h, 3);
  h = r.Match("GET", "/v1/organizations/a/databases/b/branches/c", &p, &known);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(p.at("branch"), "c");
  EXPECT_TRUE(r.Has("GET", "/v1/organizations/a/databases/b/branches/c"));
  EXPECT_FALSE(r.Has("POST", "/v1/organizations/a/databases/b/branches/c"));
  EXPECT_FALSE(r.Has("GET", "/v1/organizations/a/databases/b/branches"));
}

TEST(RouterTest, TellsAKnownPathWithAnotherMethodFromAnUnknownPath) {
  Router<int> r;
  r.Add("GET", "/v1/organizations/{org}", 1);
  Params p;
  bool known = true;
  EXPECT_EQ(r.Match("POST", "/v1/organizations/acme", &p, &known), nullptr);
  EXPECT_TRUE(known);
  EXPECT_EQ(r.Match("GET", "/v1/organisations/acme", &p, &known), nullptr);
  EXPECT_FALSE(known);
  EXPECT_EQ(r.Match("GET", "/v1/organizations", &p, &known), nullptr);
  EXPECT_FALSE(known);
  std::string deep = "/v1/organizations";
  for (int i = 0; i < 40; ++i) deep += "/x";
  EXPECT_EQ(r.Match("GET", deep, &p, &known), nullptr);
  EXPECT_FALSE(known);
}

}  // namespace
}  // namespace opscale::api
