#include "cli/table.h"

#include <sstream>

#include <gtest/gtest.h>

#include "cli/printer.h"

namespace opscale::cli {
namespace {

TEST(TableTest, ServiceTokenCreateExactBytes) {
  Table t;
  t.headers = {"ID", "NAME", "TOKEN", "EXPIRES AT", "CREATED AT"};
  t.rows = {{"k2b8x9ta4mzp", "ci-deploy", "pscale_tkn_example-value-not-a-real-secret-00000000000",
             "4 weeks from now", "5 minutes ago"}};
  EXPECT_EQ(RenderTable(t),
            "  ID             NAME        TOKEN                                                    EXPIRES "
            "AT         "
            "CREATED AT     \n"
            " -------------- ----------- -------------------------------------------------------- "
            "------------------ "
            "--------------- \n"
            "  k2b8x9ta4mzp   ci-deploy   pscale_tkn_example-value-not-a-real-secret-00000000000   4 weeks "
            "from now   "
            "5 minutes ago  \n");
}

TEST(TableTest, EmptyCellsArePadded) {
  Table t;
  t.headers = {"ID", "NAME", "LAST USED AT", "EXPIRES AT", "CREATED AT"};
  t.rows = {{"k2b8x9ta4mzp", "ci-deploy", "2 hours ago", "4 weeks from now", "3 days ago"},
            {"q7w1e2r3t4y5", "", "", "", "3 days ago"}};
  EXPECT_EQ(RenderTable(t),
            "  ID             NAME        LAST USED AT   EXPIRES AT         CREATED AT  \n"
            " -------------- ----------- -------------- ------------------ ------------ \n"
            "  k2b8x9ta4mzp   ci-deploy   2 hours ago    4 weeks from now   3 days ago  \n"
            "  q7w1e2r3t4y5                                                 3 days ago  \n");
}

TEST(TableTest, ThreeRowsHaveNoCount) {
  Table t;
  t.headers = {"NAME"};
  t.rows = {{"a"}, {"b"}, {"c"}};
  EXPECT_EQ(RenderTable(t),
            "  NAME  \n"
            " ------ \n"
            "  a     \n"
            "  b     \n"
            "  c     \n");
}

TEST(TableTest, MoreThanThreeRowsCountInFirstHeader) {
  Table t;
  t.headers = {"ID", "NAME"};
  t.rows = {{"a1", "x"}, {"a2", "y"}, {"a3", "z"}, {"a4", "w"}};
  // "ID (4) " is 7 wide, trailing space included.
  EXPECT_EQ(RenderTable(t),
            "  ID (4)    NAME  \n"
            " --------- ------ \n"
            "  a1        x     \n"
            "  a2        y     \n"
            "  a3        z     \n"
            "  a4        w     \n");
}

TEST(TableTest, PrinterAddsBlankLineAfterTable) {
  std::ostringstream out;
  Printer p(Format::kHuman, out, false, false);
  Output o;
  o.table.headers = {"NAME"};
  o.table.rows = {{"mydb"}};
  EXPECT_FALSE(p.Print(o).has_value());
  EXPECT_EQ(out.str(), "  NAME  \n ------ \n  mydb  \n\n");
}

TEST(TableTest, EmptyTablePrintsNewlineOrMessage) {
  std::ostringstream out;
  Printer p(Format::kHuman, out, false, false);
  Output o;
  o.table.headers = {"NAME"};
  EXPECT_FALSE(p.Print(o).has_value());
  EXPECT_EQ(out.str(), "\n");
  out.str("");
  o.empty_message = "No databases have been created yet.";
  EXPECT_FALSE(p.Print(o).has_value());
  EXPECT_EQ(out.str(), "No databases have been created yet.\n");
}

TEST(TableTest, RightAlignedColumn) {
  Table t;
  t.headers = {"NAME", "TTL"};
  t.rows = {{"app", "0"}, {"ro", "3.6K"}};
  t.right_align = {false, true};
  EXPECT_EQ(RenderTable(t),
            "  NAME   TTL   \n"
            " ------ ------ \n"
            "  app       0  \n"
            "  ro     3.6K  \n");
}

TEST(TableTest, DisplayWidthIgnoresAnsiAndCountsWide) {
  EXPECT_EQ(DisplayWidth("\x1b[34;1mabc\x1b[0;22m"), 3u);
  EXPECT_EQ(DisplayWidth("日本"), 4u);
  EXPECT_EQ(DisplayWidth("é"), 1u);
}

TEST(TableTest, LongCellsWrap) {
  std::string a(30, 'a'), b(30, 'b');
  std::string long_text = a + " " + b + " cc";  // 64 bytes
  auto lines = WrapCell(long_text, kWrapLimit);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], a);
  EXPECT_EQ(lines[1], b + " cc");

  Table t;
  t.headers = {"A", "B"};
  t.rows = {{long_text, "x"}};
  EXPECT_EQ(RenderTable(t), "  A" + std::string(32, ' ') + "   B  \n" + " " + std::string(35, '-') +
                                " --- \n" + "  " + a + "      x  \n" + "  " + b + " cc" + "    " + "  \n");
}

}  // namespace
}  // namespace opscale::cli
