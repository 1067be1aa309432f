#include "engine/schema_diff.h"

#include <gtest/gtest.h>

namespace opscale::engine {
namespace {

TableDdl Users() {
  return {"users",
          "CREATE TABLE `users` (\n"
          "  `id` int(11) NOT NULL,\n"
          "  `name` varchar(64) DEFAULT NULL,\n"
          "  PRIMARY KEY (`id`)\n"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"};
}

TEST(SchemaDiffTest, IdenticalSchemasGiveNothing) {
  EXPECT_TRUE(DiffTables({Users()}, {Users()}).empty());
  EXPECT_TRUE(DiffTables({}, {}).empty());
}

TEST(SchemaDiffTest, NewAndRemovedTables) {
  TableDdl orders{"orders", "CREATE TABLE `orders` (\n  `id` int(11) NOT NULL\n) ENGINE=InnoDB"};
  auto d = DiffTables({Users()}, {orders});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], orders.ddl);
  EXPECT_EQ(d[1], "DROP TABLE `users`");
  EXPECT_EQ(StatementTable(d[0]), "orders");
  EXPECT_EQ(StatementTable(d[1]), "users");
}

TEST(SchemaDiffTest, ColumnsAndIndexesInSafeOrder) {
  TableDdl src{"users",
               "CREATE TABLE `users` (\n"
               "  `id` bigint(20) NOT NULL,\n"
               "  `email` varchar(255) NOT NULL DEFAULT '',\n"
               "  PRIMARY KEY (`id`),\n"
               "  UNIQUE KEY `email_uq` (`email`)\n"
               ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"};
  TableDdl dst{"users",
               "CREATE TABLE `users` (\n"
               "  `id` int(11) NOT NULL,\n"
               "  `name` varchar(64) DEFAULT NULL,\n"
               "  PRIMARY KEY (`id`),\n"
               "  KEY `name_idx` (`name`)\n"
               ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"};
  auto d = DiffTables({dst}, {src});
  std::vector<std::string> want = {
      "ALTER TABLE `users` ADD COLUMN `email` varchar(255) NOT NULL DEFAULT '' AFTER `id`",
      "ALTER TABLE `users` MODIFY COLUMN `id` bigint(20) NOT NULL",
      "ALTER TABLE `users` ADD UNIQUE KEY `email_uq` (`email`)",
      "ALTER TABLE `users` DROP INDEX `name_idx`",
      "ALTER TABLE `users` DROP COLUMN `name`",
  };
  EXPECT_EQ(d, want);
}

TEST(SchemaDiffTest, ChangedPrimaryKeyAndConstraints) {
  TableDdl dst{"t",
               "CREATE TABLE `t` (\n  `a` int(11) NOT NULL,\n  `b` int(11) NOT NULL,\n"
               "  PRIMARY KEY (`a`),\n"
               "  CONSTRAINT `fk_b` FOREIGN KEY (`b`) REFERENCES `p` (`id`)\n) ENGINE=InnoDB"};
  TableDdl src{"t",
               "CREATE TABLE `t` (\n  `a` int(11) NOT NULL,\n  `b` int(11) NOT NULL,\n"
               "  PRIMARY KEY (`a`,`b`),\n"
               "  CONSTRAINT `chk` CHECK (`b` > 0)\n) ENGINE=InnoDB"};
  auto d = DiffTables({dst}, {src});
  std::vector<std::string> want = {
      "ALTER TABLE `t` DROP PRIMARY KEY, ADD PRIMARY KEY (`a`,`b`)",
      "ALTER TABLE `t` ADD CONSTRAINT `chk` CHECK (`b` > 0)",
      "ALTER TABLE `t` DROP FOREIGN KEY `fk_b`",
  };
  EXPECT_EQ(d, want);
}

TEST(SchemaDiffTest, FirstColumnAndQuotedNames) {
  TableDdl dst{"w`x", "CREATE TABLE `w``x` (\n  `b` int(11) DEFAULT NULL\n) ENGINE=InnoDB"};
  TableDdl src{"w`x",
               "CREATE TABLE `w``x` (\n  `a``1` int(11) DEFAULT NULL,\n  `b` int(11) DEFAULT NULL\n) ENGINE=InnoDB"};
  auto d = DiffTables({dst}, {src});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "ALTER TABLE `w``x` ADD COLUMN `a``1` int(11) DEFAULT NULL FIRST");
  EXPECT_EQ(StatementTable(d[0]), "w`x");
  EXPECT_EQ(QuoteIdent("a`b"), "`a``b`");
}

}  // namespace
}  // namespace opscale::engine
