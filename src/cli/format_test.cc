#include "cli/format.h"

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

TEST(FormatTest, ValidValues) {
  EXPECT_EQ(*ParseFormat("human"), Format::kHuman);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("csv"), Format::kCsv);
}

TEST(FormatTest, InvalidValueHasPscaleMessage) {
  Result<Format> f = ParseFormat("x");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "invalid argument \"x\" for \"-f, --format\" flag: failed to parse Format: \"x\". "
            "Valid values: [human json csv]");
  EXPECT_FALSE(ParseFormat("JSON").ok());
  EXPECT_FALSE(ParseFormat("").ok());
}

}  // namespace
}  // namespace opscale::cli
