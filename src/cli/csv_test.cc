#include "cli/csv.h"

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

TEST(CsvTest, QuotesLikeEncodingCsv) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField(" leading"), "\" leading\"");
  EXPECT_EQ(CsvField("trailing "), "trailing ");
}

TEST(CsvTest, StringListIsJsonQuoted) {
  EXPECT_EQ(CsvField(CsvStringList({"a", "b"})), "\"[\"\"a\"\",\"\"b\"\"]\"");
}

TEST(CsvTest, RendersHeaderAndRows) {
  CsvTable t{{"ID", "Name", "LastUsedAt", "ExpiresAt", "CreatedAt"},
             {{"k2b8x9ta4mzp", "ci-deploy", "0", "0", "1700000000000"}}};
  EXPECT_EQ(RenderCsv(t),
            "ID,Name,LastUsedAt,ExpiresAt,CreatedAt\nk2b8x9ta4mzp,ci-deploy,0,0,1700000000000\n");
  EXPECT_EQ(RenderCsv(CsvTable{{"Name"}, {}}), "Name\n");
}

}  // namespace
}  // namespace opscale::cli
