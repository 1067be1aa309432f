// `opscaled migrate`: a data dir's store copied into another store keeps
// every token working (hashes under the same key), with grants, databases,
// branches and the audit log; a non-empty target is refused.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

TEST(MigrateTest, CopiesEverythingAndTokensKeepWorking) {
  ServerOptions sqlite;
  sqlite.store = "sqlite";  // also in the PostgreSQL pass: the source is a data dir
  Server a(sqlite);
  const std::string admin = BearerHeader(a.admin().api_token);
  ASSERT_EQ(CallApi(a.url(), "POST", "/v1/organizations/acme/databases", admin, R"({"name":"shop"})").status, 201);
  ASSERT_EQ(CallApi(a.url(), "POST", "/v1/organizations/acme/databases/shop/branches", admin,
                    R"({"name":"dev","parent_branch":"main"})").status, 201);
  HttpReply t = CallApi(a.url(), "POST", "/v1/organizations/acme/service-tokens", admin, R"({"name":"ci"})");
  ASSERT_EQ(t.status, 200);
  std::string id(t.Json().at("id").as_string());
  std::string token = TokenHeader(id, std::string(t.Json().at("token").as_string()));
  ASSERT_EQ(CallApi(a.url(), "POST", "/v1/organizations/acme/service-tokens/" + id + "/access", admin,
                    R"({"database":"shop","access":["read_branch","create_branch"]})").status, 200);
  json::value before = CallApi(a.url(), "GET", "/v1/organizations/acme/audit-log?limit=100", admin).Json();
  ASSERT_EQ(a.Stop(), 0);

  TempDir target;
  const std::string from = a.data_dir() + "/data", to = target.path() + "/data";
  RunResult m = RunProcess({OpscaledBin(), "migrate", "--from", from, "--to", to, "--format", "json"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  json::value report = json::parse(m.out);
  EXPECT_EQ(report.at("copied").at("service_tokens").as_int64(), 1);
  EXPECT_EQ(report.at("copied").at("grants").as_int64(), 2);
  EXPECT_EQ(report.at("copied").at("branches").as_int64(), 2);
  EXPECT_EQ(report.at("copied").at("audit_events").as_int64(),
            static_cast<int64_t>(before.at("data").as_array().size()));
  EXPECT_EQ(m.out.find("pscale_"), std::string::npos) << "no secret in the report";

  RunResult again = RunProcess({OpscaledBin(), "migrate", "--from", from, "--to", to});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;

  // A server on the copy, with the source's token key, accepts the old tokens.
  Background serve({OpscaledBin(), "serve", "--data-dir", to, "--listen", "127.0.0.1:0",
                    "--token-key-file", from + "/token.key", "--mysql-dsn", "mysql://nobody:x@127.0.0.1:1"});
  std::string line = serve.WaitForOutput("listening on ", 20000);
  ASSERT_NE(line, "") << serve.Err();
  std::string url = line.substr(line.find("http://"));
  url = url.substr(0, url.find('\n'));
  EXPECT_EQ(CallApi(url, "GET", "/v1/organizations/acme/databases/shop/branches", token).status, 200);
  EXPECT_EQ(CallApi(url, "GET", "/v1/organizations/acme/databases/shop", BearerHeader(a.admin().api_token)).status, 200);
  json::value after = CallApi(url, "GET", "/v1/organizations/acme/audit-log?limit=100", admin).Json();
  ASSERT_EQ(after.at("data").as_array().size(), before.at("data").as_array().size());
  EXPECT_EQ(after.at("data").at(0).at("id"), before.at("data").at(0).at("id")) << "same order, newest first";
  // The grants came along: what the token may not do is still refused.
  EXPECT_EQ(CallApi(url, "DELETE", "/v1/organizations/acme/databases/shop/branches/dev", token).status, 403);
}

// Moving up: a SQLite data dir into PostgreSQL, then a node on PostgreSQL
// serves the old tokens. Runs in the PostgreSQL pass only.
TEST(MigrateTest, FromSqliteToPostgres) {
  std::string db;
  std::string target = FreshPostgresDatabase(&db);
  if (target.empty()) GTEST_SKIP() << "needs the PostgreSQL pass (pg.*)";
  struct Drop {
    std::string name;
    ~Drop() { DropPostgresDatabase(name); }
  } drop{db};
  ServerOptions sqlite;
  sqlite.store = "sqlite";
  Server a(sqlite);
  const std::string admin = BearerHeader(a.admin().api_token);
  ASSERT_EQ(CallApi(a.url(), "POST", "/v1/organizations/acme/databases", admin, R"({"name":"shop"})").status, 201);
  HttpReply t = CallApi(a.url(), "POST", "/v1/organizations/acme/service-tokens", admin, R"({"name":"ci"})");
  std::string id(t.Json().at("id").as_string());
  std::string token = TokenHeader(id, std::string(t.Json().at("token").as_string()));
  ASSERT_EQ(CallApi(a.url(), "POST", "/v1/organizations/acme/service-tokens/" + id + "/access", admin,
                    R"({"database":"shop","access":["read_branch"]})").status, 200);
  ASSERT_EQ(a.Stop(), 0);
  const std::string from = a.data_dir() + "/data";
  RunResult m = RunProcess({OpscaledBin(), "migrate", "--from", from, "--to", target});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("--token-key-file"), std::string::npos) << m.out;
  EXPECT_EQ(RunProcess({OpscaledBin(), "migrate", "--from", from, "--to", target}).exit_code, 2)
      << "a non-empty target is refused";

  ServerOptions node;
  node.store = target;
  node.init = false;
  node.token_key_file = from + "/token.key";
  node.serve_args = {"--mysql-dsn", "mysql://nobody:x@127.0.0.1:1"};
  node.private_mariadb = false;
  Server b(node);
  EXPECT_EQ(CallApi(b.url(), "GET", "/v1/organizations/acme/databases/shop/branches", token).status, 200);
  EXPECT_EQ(CallApi(b.url(), "GET", "/v1/organizations/acme/service-tokens", admin).status, 200);
  EXPECT_EQ(CallApi(b.url(), "DELETE", "/v1/organizations/acme/databases/shop", token).status, 403);
}

}  // namespace
}  // namespace opscale::testutil
