#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "api/json_views.h"

namespace opscale::api {
namespace {

namespace json = boost::json;

std::string Written(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriterTest, EveryByteIsEscapedLikeBoostJson) {
  for (int c = 0; c < 256; ++c) {
    std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    EXPECT_EQ(Written(s), json::serialize(json::value(s))) << "byte " << c;
  }
}

TEST(JsonWriterTest, RandomStringsMatchBoostJson) {
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& ch : s) ch = static_cast<char>(rng() % 128);  // ASCII incl. controls
    ASSERT_EQ(Written(s), json::serialize(json::value(s))) << "case " << i;
  }
}

TEST(JsonWriterTest, NestedValuesMatchBoostJson) {
  JsonWriter w;
  w.BeginObject()
      .Field("s", "x\"y")
      .Field("n", -42)
      .Key("big").Int(9007199254740993)
      .Field("t", true)
      .Field("f", false)
      .NullField("z")
      .Key("a").BeginArray().String("1").Int(2).BeginObject().EndObject().BeginArray().EndArray().EndArray()
      .Key("o").BeginObject().Field("k", "v").EndObject()
      .Field("q\"k\n", 1)
      .EndObject();
  std::string out = std::move(w).Take();
  json::value expect = {{"s", "x\"y"},
                        {"n", -42},
                        {"big", int64_t{9007199254740993}},
                        {"t", true},
                        {"f", false},
                        {"z", nullptr},
                        {"a", json::array{"1", 2, json::object{}, json::array{}}},
                        {"o", {{"k", "v"}}},
                        {"q\"k\n", 1}};
  EXPECT_EQ(out, json::serialize(expect));
  EXPECT_EQ(json::parse(out), expect);
}

TEST(JsonWriterTest, WriterStringsMatchBoostJsonAndGrowPastTheFirstBuffer) {
  std::mt19937 rng(8);
  JsonWriter w;
  json::array expect;
  w.BeginArray();
  for (int i = 0; i < 3000; ++i) {
    std::string s(rng() % 60, '\0');
    for (char& ch : s) ch = static_cast<char>(rng() % 256);
    w.String(s);
    expect.emplace_back(s);
  }
  w.EndArray();
  EXPECT_EQ(std::move(w).Take(), json::serialize(expect));
}

TEST(JsonWriterTest, BranchTextIsTheBranchObject) {
  Branch b;
  b.id = "br_1";
  b.name = "dev\"x";
  b.parent_branch = "main";
  b.region = "local";
  b.ready = true;
  b.production = false;
  b.created_by.id = "u1";
  b.created_by.display_name = "A <b>";
  UrlBase base{"http://127.0.0.1:8080"};
  std::string text = BranchJsonText(b, "org", "db", base);
  json::object o = BranchJson(b, "org", "db", base);
  EXPECT_EQ(text, json::serialize(o));
  EXPECT_EQ(o.at("parent_branch"), "main");
  EXPECT_EQ(o.at("name"), "dev\"x");
  EXPECT_EQ(o.at("url"), "http://127.0.0.1:8080/v1/organizations/org/databases/db/branches/dev\"x");
  EXPECT_EQ(o.at("region").at("slug"), "local");
  EXPECT_EQ(o.at("actor").at("display_name"), "A <b>");
  b.parent_branch.clear();
  EXPECT_TRUE(BranchJson(b, "org", "db", base).at("parent_branch").is_null());
}

}  // namespace
}  // namespace opscale::api
