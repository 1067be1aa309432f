#include "cli/models.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "cli/json_out.h"

namespace opscale::cli {
namespace {

TEST(ModelsTest, GoTimeDropsTrailingZeros) {
  EXPECT_EQ(GoTime("2021-01-14T10:19:23.000Z"), "2021-01-14T10:19:23Z");
  EXPECT_EQ(GoTime("2021-01-14T10:19:23.120Z"), "2021-01-14T10:19:23.12Z");
  EXPECT_EQ(GoTime("2021-01-14T10:19:23Z"), "2021-01-14T10:19:23Z");
  EXPECT_EQ(GoTime("garbage"), "garbage");
}

TEST(ModelsTest, ServiceTokenCreateJson) {
  auto t = boost::json::parse(R"({"id":"k2b8x9ta4mzp","type":"ServiceToken","name":null,"display_name":"x",
    "token":"pscale_tkn_abc","plain_text_refresh_token":null,"created_at":"2021-01-14T10:19:23.000Z",
    "updated_at":"2021-01-14T10:19:23.000Z","expires_at":null,"last_used_at":null})");
  EXPECT_EQ(GoJson(ServiceTokenJson(t.as_object(), true)),
            "{\n"
            "  \"id\": \"k2b8x9ta4mzp\",\n"
            "  \"type\": \"ServiceToken\",\n"
            "  \"token\": \"pscale_tkn_abc\",\n"
            "  \"name\": null,\n"
            "  \"created_at\": \"2021-01-14T10:19:23Z\",\n"
            "  \"last_used_at\": null,\n"
            "  \"expires_at\": null\n"
            "}");
  EXPECT_EQ(StringAt(ServiceTokenJson(t.as_object(), false), "token"), "");
}

TEST(ModelsTest, ShowJsonHasExactlyFiveKeys) {
  auto t = boost::json::parse(R"({"id":"a","name":"ci","token":"s","created_at":"2021-01-14T10:19:23.000Z",
    "expires_at":"2021-02-14T10:19:23.500Z"})");
  boost::json::object o = ServiceTokenShowJson(t.as_object());
  ASSERT_EQ(o.size(), 5u);
  EXPECT_FALSE(o.contains("token"));
  EXPECT_EQ(StringAt(o, "expires_at"), "2021-02-14T10:19:23.5Z");
  EXPECT_TRUE(o.at("last_used_at").is_null());
}

TEST(ModelsTest, BranchJsonDefaults) {
  auto b = boost::json::parse(R"({"id":"b1","name":"main","parent_branch":null,"ready":true,
    "region":{"slug":"us-east","provider":"opscale","extra":1},"created_at":"2021-01-14T10:19:23.000Z"})");
  boost::json::object o = BranchJson(b.as_object());
  EXPECT_EQ(StringAt(o, "parent_branch"), "");
  EXPECT_EQ(StringAt(ObjectAt(o, "region"), "slug"), "us-east");
  EXPECT_FALSE(ObjectAt(o, "region").contains("extra"));
  EXPECT_EQ(StringAt(o, "updated_at"), "0001-01-01T00:00:00Z");
  EXPECT_EQ(IntAt(o, "vtgate_count"), 0);
}

TEST(ModelsTest, ListItemsFromPageOrArray) {
  EXPECT_EQ(ListItems(boost::json::parse(R"({"type":"list","data":[{"a":1},{"b":2}]})")).size(), 2u);
  EXPECT_EQ(ListItems(boost::json::parse(R"([{"a":1}])")).size(), 1u);
  EXPECT_EQ(ListItems(boost::json::parse(R"({"x":1})")).size(), 0u);
}

}  // namespace
}  // namespace opscale::cli
