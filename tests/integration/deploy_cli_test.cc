// A schema change from a branch to production with the CLI alone: branch,
// password, DDL with the mariadb client, deploy request, diff, review,
// deploy --wait.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

TEST(DeployCliTest, BranchToProductionWithTheCli) {
  Server s("acme");
  TempDir home;
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), PscaleBin());
    return RunProcess(args, {{"HOME", home.path()},
                             {"PLANETSCALE_API_URL", s.url()},
                             {"PLANETSCALE_API_TOKEN", s.admin().api_token},
                             {"PLANETSCALE_ORG", "acme"}});
  };
  ASSERT_EQ(cli({"database", "create", "shop"}).exit_code, 0);
  ASSERT_EQ(cli({"branch", "create", "shop", "add-orders"}).exit_code, 0);
  RunResult pw = cli({"password", "create", "shop", "add-orders", "dev", "--role", "admin", "-f", "json"});
  ASSERT_EQ(pw.exit_code, 0) << pw.err;
  json::object p = json::parse(pw.out).as_object();
  RunResult ddl = RunProcess({"/usr/bin/mariadb", "--no-defaults", "-h", std::string(p["access_host_url"].as_string()),
                              "-P", std::to_string(p["port"].as_int64()), "-u", std::string(p["username"].as_string()),
                              "-p" + std::string(p["plain_text"].as_string()), std::string(p["database"].as_string()),
                              "-e", "CREATE TABLE orders (id INT PRIMARY KEY, total INT, KEY idx_total (total))"});
  ASSERT_EQ(ddl.exit_code, 0) << ddl.err;

  RunResult dr = cli({"deploy-request", "create", "shop", "add-orders"});
  ASSERT_EQ(dr.exit_code, 0) << dr.err;
  EXPECT_NE(dr.out.find("Deploy request #1 successfully created."), std::string::npos) << dr.out;
  RunResult diff = cli({"deploy-request", "diff", "shop", "1"});
  ASSERT_EQ(diff.exit_code, 0) << diff.err;
  EXPECT_NE(diff.out.find("-- orders --"), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("CREATE TABLE `orders`"), std::string::npos) << diff.out;

  // Require approval: deploying before a review is refused with a clear message.
  ASSERT_EQ(cli({"database", "update", "shop", "--require-approval", "true"}).exit_code, 0);
  RunResult early = cli({"deploy-request", "deploy", "shop", "1"});
  EXPECT_NE(early.exit_code, 0);
  EXPECT_NE(early.err.find("approving review"), std::string::npos) << early.err;
  // The sole admin of the organization may approve their own deploy request.
  RunResult review = cli({"deploy-request", "review", "shop", "1", "--approve"});
  ASSERT_EQ(review.exit_code, 0) << review.err;
  EXPECT_NE(review.out.find("Deploy request shop/1 is approved."), std::string::npos) << review.out;

  // A production password made before the deploy keeps working after it.
  RunResult prod = cli({"password", "create", "shop", "main", "app", "--role", "reader", "-f", "json"});
  ASSERT_EQ(prod.exit_code, 0) << prod.err;
  json::object pp = json::parse(prod.out).as_object();

  RunResult deploy = cli({"deploy-request", "deploy", "shop", "1", "--wait"});
  ASSERT_EQ(deploy.exit_code, 0) << deploy.err;
  EXPECT_NE(deploy.out.find("is successfully deployed"), std::string::npos) << deploy.out;

  // Production now has the table (checked in the real engine).
  std::string main_id = Curl("GET", s.url() + "/v1/organizations/acme/databases/shop/branches/main",
                             {BearerHeader(s.admin().api_token)}).Json().as_object()["id"].as_string().c_str();
  RunResult show = s.Sql("SHOW CREATE TABLE br_" + main_id + ".orders");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("idx_total"), std::string::npos);
  RunResult read = RunProcess({"/usr/bin/mariadb", "--no-defaults", "-h", std::string(pp["access_host_url"].as_string()),
                               "-P", std::to_string(pp["port"].as_int64()), "-u", std::string(pp["username"].as_string()),
                               "-p" + std::string(pp["plain_text"].as_string()), std::string(pp["database"].as_string()),
                               "-N", "-B", "-e", "SELECT COUNT(*) FROM orders"});
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "0\n");
}

}  // namespace
}  // namespace opscale::testutil
