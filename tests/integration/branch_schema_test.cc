// Branches are real MariaDB schemas: a database's production branch is an
// empty schema, a branch copies its parent's tables (not rows), deleting
// drops the schema, and the schema endpoint shows the real DDL.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

TEST(BranchSchemaTest, BranchesAreRealSchemas) {
  Server s("acme");
  ASSERT_GT(s.MariaDbPort(), 0) << s.Log();
  std::string admin = BearerHeader(s.admin().api_token);
  const std::string db = s.url() + "/v1/organizations/acme/databases/mydb";
  ASSERT_EQ(Curl("POST", s.url() + "/v1/organizations/acme/databases", {admin},
                 R"({"name":"mydb","cluster_size":"PS-10"})").status, 201);
  std::string main_id = Curl("GET", db + "/branches/main", {admin}).Json().as_object()["id"].as_string().c_str();
  std::string main_schema = "br_" + main_id;
  EXPECT_EQ(s.Sql("SHOW DATABASES LIKE '" + main_schema + "'").out, main_schema + "\n");

  RunResult ddl = s.Sql("CREATE TABLE " + main_schema +
                        ".users (id INT PRIMARY KEY AUTO_INCREMENT, email VARCHAR(255) NOT NULL, "
                        "KEY idx_email (email)); INSERT INTO " + main_schema +
                        ".users (email) VALUES ('a@x'),('b@x')");
  ASSERT_EQ(ddl.exit_code, 0) << ddl.err;

  HttpReply created = Curl("POST", db + "/branches", {admin}, R"({"name":"dev","parent_branch":"main"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string dev_schema = "br_" + std::string(created.Json().as_object()["id"].as_string());
  // The copy has the table and its index, and no rows.
  EXPECT_EQ(s.Sql("SELECT COUNT(*) FROM " + dev_schema + ".users").out, "0\n");
  EXPECT_EQ(s.Sql("SELECT COUNT(*) FROM " + main_schema + ".users").out, "2\n");

  HttpReply schema = Curl("GET", db + "/branches/dev/schema", {admin});
  ASSERT_EQ(schema.status, 200) << schema.body;
  json::array tables = schema.Json().as_object()["data"].as_array();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].as_object()["name"].as_string(), "users");
  std::string raw = tables[0].as_object()["raw"].as_string().c_str();
  EXPECT_NE(raw.find("idx_email"), std::string::npos) << raw;
  EXPECT_NE(raw.find("`email` varchar(255)"), std::string::npos) << raw;

  // Deleting the branch drops its schema; deleting the database drops the rest.
  ASSERT_EQ(Curl("DELETE", db + "/branches/dev", {admin}).status, 204);
  EXPECT_EQ(s.Sql("SHOW DATABASES LIKE '" + dev_schema + "'").out, "");
  ASSERT_EQ(Curl("DELETE", db, {admin}).status, 204);
  EXPECT_EQ(s.Sql("SHOW DATABASES LIKE '" + main_schema + "'").out, "");
}

TEST(BranchSchemaTest, SchemaNeedsBranchReadAccess) {
  Server s("acme");
  std::string admin = BearerHeader(s.admin().api_token);
  ASSERT_EQ(Curl("POST", s.url() + "/v1/organizations/acme/databases", {admin},
                 R"({"name":"mydb","cluster_size":"PS-10"})").status, 201);
  HttpReply t = Curl("POST", s.url() + "/v1/organizations/acme/service-tokens", {admin}, "{}");
  json::object tok = t.Json().as_object();
  std::string h = TokenHeader(tok["id"].as_string().c_str(), tok["token"].as_string().c_str());
  const std::string schema = s.url() + "/v1/organizations/acme/databases/mydb/branches/main/schema";
  EXPECT_EQ(Curl("GET", schema, {h}).status, 404);
  ASSERT_EQ(Curl("POST", s.url() + "/v1/organizations/acme/service-tokens/" +
                     std::string(tok["id"].as_string()) + "/access",
                 {admin}, R"({"database":"mydb","access":["read_branch"]})").status, 200);
  HttpReply ok = Curl("GET", schema, {h});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().as_object()["data"].as_array().size(), 0u);
}

TEST(BranchSchemaTest, WithoutAnEngineOnlyEngineEndpointsAre503) {
  // A DSN nothing listens on: the API serves, engine endpoints answer 503.
  Server s("acme", "admin@example.com", {"--mysql-dsn", "mysql://nobody:pw@127.0.0.1:1"});
  std::string admin = BearerHeader(s.admin().api_token);
  HttpReply db = Curl("POST", s.url() + "/v1/organizations/acme/databases", {admin},
                      R"({"name":"mydb","cluster_size":"PS-10"})");
  EXPECT_EQ(db.status, 503) << db.body;
  EXPECT_NE(db.body.find("no database engine: install mariadb-server or pass --mysql-dsn"),
            std::string::npos) << db.body;
  EXPECT_EQ(Curl("GET", s.url() + "/v1/organizations/acme/databases", {admin}).Json().as_object()["total_count"].as_int64(), 0);
  EXPECT_EQ(Curl("POST", s.url() + "/v1/organizations/acme/service-tokens", {admin}, "{}").status, 200);
  EXPECT_EQ(s.Log().find("pw@"), std::string::npos) << "the DSN password must not be logged";
}

}  // namespace
}  // namespace opscale::testutil
