#include "engine/sql_text.h"

#include <gtest/gtest.h>

namespace opscale::engine {
namespace {

TEST(SqlTextTest, SchemaNamesAreValidated) {
  EXPECT_TRUE(ValidateSchemaName("shop_main").ok());
  EXPECT_TRUE(ValidateSchemaName("db-1_dev-branch").ok());
  EXPECT_TRUE(ValidateSchemaName(std::string(64, 'a')).ok());
  EXPECT_EQ(ValidateSchemaName(std::string(65, 'a')).code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateSchemaName("").code(), Code::kInvalidArgument);
  for (const char* bad : {"a`; DROP DATABASE x; --", "Shop", "a b", "a.b", "a'b", "a\\b", "mysql",
                          "sys", "information_schema", "performance_schema", "é"}) {
    Status st = ValidateSchemaName(bad);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << bad;
    // The message states the rule and never echoes the input.
    EXPECT_EQ(st.message().find(bad), std::string::npos) << bad;
  }
}

TEST(SqlTextTest, UserNamesAreValidated) {
  EXPECT_TRUE(ValidateUserName("m51veb3195rn79uoa4zm").ok());
  EXPECT_TRUE(ValidateUserName(std::string(80, 'u')).ok());
  EXPECT_FALSE(ValidateUserName(std::string(81, 'u')).ok());
  for (const char* bad : {"root", "mysql", "opscale_admin", "u'@'%", "u`", "", "U", "a;b"}) {
    EXPECT_EQ(ValidateUserName(bad).code(), Code::kInvalidArgument) << bad;
  }
}

TEST(SqlTextTest, HostsAndPasswordsAreValidated) {
  for (const char* good :
       {"127.0.0.1", "::1", "localhost", "%", "10.0.0.0/255.0.0.0", "db-1.lan"}) {
    EXPECT_TRUE(ValidateHost(good).ok()) << good;
  }
  for (const char* bad : {"", "a'b", "a b", "h`", "x\\y"}) {
    EXPECT_FALSE(ValidateHost(bad).ok()) << bad;
  }
  EXPECT_TRUE(ValidatePassword("pscale_pw_'\"\\x").ok());
  EXPECT_FALSE(ValidatePassword("").ok());
  EXPECT_FALSE(ValidatePassword(std::string(513, 'p')).ok());
}

TEST(SqlTextTest, QuotingAndGrantTargets) {
  EXPECT_EQ(QuoteIdent("t"), "`t`");
  EXPECT_EQ(QuoteIdent("we`ird"), "`we``ird`");
  // '_' is a LIKE wildcard in a grant's schema name.
  EXPECT_EQ(GrantTarget("shop_main"), "`shop\\_main`.*");
  EXPECT_EQ(GrantTarget("a-b"), "`a-b`.*");
  EXPECT_EQ(AccountName("u1", "::1"), "'u1'@'::1'");
}

TEST(SqlTextTest, NativePasswordHashMatchesServer) {
  // SELECT PASSWORD('test') on MariaDB.
  EXPECT_EQ(NativePasswordHash("test"), "*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29");
}

TEST(SqlTextTest, RolesAndPrivileges) {
  for (Role r : {Role::kReader, Role::kWriter, Role::kReadWriter, Role::kAdmin}) {
    Result<Role> back = ParseRole(RoleName(r));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, r);
  }
  EXPECT_FALSE(ParseRole("owner").ok());
  EXPECT_EQ(DmlPrivileges(Role::kReader), "SELECT, SHOW VIEW");
  EXPECT_EQ(DmlPrivileges(Role::kWriter).find("SELECT"), std::string::npos);
  EXPECT_EQ(DdlPrivileges().find("GRANT"), std::string::npos);
}

TEST(SqlTextTest, StripsTheAutoIncrementCounterOnly) {
  std::string ddl =
      "CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4";
  EXPECT_EQ(StripAutoIncrement(ddl),
            "CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  std::string plain = "CREATE TABLE `t` (\n  `a` int\n) ENGINE=InnoDB";
  EXPECT_EQ(StripAutoIncrement(plain), plain);
}

}  // namespace
}  // namespace opscale::engine
