#include "cli/json_out.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

TEST(JsonOutTest, IndentsLikeGo) {
  auto v = boost::json::parse(R"({"a":1,"b":[true,null,"x"],"c":{},"d":[],"e":{"f":-2}})");
  EXPECT_EQ(GoJson(v),
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [\n"
            "    true,\n"
            "    null,\n"
            "    \"x\"\n"
            "  ],\n"
            "  \"c\": {},\n"
            "  \"d\": [],\n"
            "  \"e\": {\n"
            "    \"f\": -2\n"
            "  }\n"
            "}");
  EXPECT_EQ(GoJson(boost::json::parse("[]")), "[]");
}

TEST(JsonOutTest, HtmlEscapingOnlyWhenAsked) {
  boost::json::value v = "<a & b>";
  EXPECT_EQ(GoJson(v), "\"<a & b>\"");
  EXPECT_EQ(GoJson(v, true), "\"\\u003ca \\u0026 b\\u003e\"");
}

TEST(JsonOutTest, ControlCharacters) {
  EXPECT_EQ(GoJsonString("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  EXPECT_EQ(GoJsonString("x\xe2\x80\xa8y"), "\"x\\u2028y\"");
}

}  // namespace
}  // namespace opscale::cli
