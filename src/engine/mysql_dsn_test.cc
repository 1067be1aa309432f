#include "engine/mysql_dsn.h"

#include <gtest/gtest.h>

namespace opscale::engine {
namespace {

TEST(MysqlDsnTest, ParsesFullDsn) {
  Result<DsnSpec> dsn = ParseMysqlDsn("mysql://admin:s3cret@db.example.com:3307");
  ASSERT_TRUE(dsn.ok()) << dsn.status().ToString();
  EXPECT_EQ(dsn->user, "admin");
  EXPECT_EQ(dsn->password, "s3cret");
  EXPECT_EQ(dsn->host, "db.example.com");
  EXPECT_EQ(dsn->port, 3307);
  EXPECT_EQ(dsn->Redacted(), "mysql://admin:****@db.example.com:3307");
}

TEST(MysqlDsnTest, DefaultsAndEmptyPassword) {
  Result<DsnSpec> dsn = ParseMysqlDsn("mysql://root@127.0.0.1/");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->user, "root");
  EXPECT_EQ(dsn->password, "");
  EXPECT_EQ(dsn->port, 3306);
  EXPECT_EQ(dsn->Redacted(), "mysql://root@127.0.0.1:3306");
  dsn = ParseMysqlDsn("mariadb://root:@localhost:13306");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->password, "");
  EXPECT_EQ(dsn->port, 13306);
}

TEST(MysqlDsnTest, PercentDecodesUserAndPassword) {
  Result<DsnSpec> dsn = ParseMysqlDsn("mysql://us%40er:p%3Aa%2Fs%40s%25@h:1");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->user, "us@er");
  EXPECT_EQ(dsn->password, "p:a/s@s%");
  // A raw '@' or ':' in the password still parses (split at the last '@').
  dsn = ParseMysqlDsn("mysql://u:pa:ss@word@h:2");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->password, "pa:ss@word");
  EXPECT_EQ(dsn->host, "h");
}

TEST(MysqlDsnTest, Ipv6Literal) {
  Result<DsnSpec> dsn = ParseMysqlDsn("mysql://u:p@[::1]:3310");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->host, "::1");
  EXPECT_EQ(dsn->port, 3310);
  EXPECT_EQ(dsn->Redacted(), "mysql://u:****@[::1]:3310");
}

TEST(MysqlDsnTest, RejectsBadInputWithoutEchoingIt) {
  for (const char* bad :
       {"", "postgres://u:p@h:1", "mysql://h:3306", "mysql://:pw@h", "mysql://u:topsecret@h:0",
        "mysql://u:topsecret@h:65536", "mysql://u:topsecret@h:x", "mysql://u:topsecret@h/db",
        "mysql://u:topsecret@h:1?tls=true", "mysql://u:top%zzsecret@h", "mysql://u:topsecret@",
        "mysql://u:topsecret@[::1", "mysql://u:topsecret@h o:1", "mysql://u:topsecret@h:"}) {
    Result<DsnSpec> dsn = ParseMysqlDsn(bad);
    EXPECT_FALSE(dsn.ok()) << bad;
    EXPECT_EQ(dsn.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(dsn.status().message().find("topsecret"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace opscale::engine
