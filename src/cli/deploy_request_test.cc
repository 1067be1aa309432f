#include "cli/commands/deploy_request.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "cli/csv.h"
#include "cli/table.h"
#include "common/clock.h"

namespace opscale::cli {
namespace {

constexpr int64_t kSec = 1000;

TEST(DeployRequestTest, TimeStrings) {
  TimeMs now = 1'700'000'000'000;
  EXPECT_EQ(DeployRequestTime(0, now), "");
  EXPECT_EQ(DeployRequestTime(now - 59 * kSec, now), "less than a minute ago");
  EXPECT_EQ(DeployRequestTime(now + 3600 * kSec, now), "less than a minute ago");
  EXPECT_EQ(DeployRequestTime(now - 60 * kSec, now), "1 minute ago");
  EXPECT_EQ(DeployRequestTime(now - 5 * 60 * kSec, now), "5 minutes ago");
  EXPECT_EQ(DeployRequestTime(now - 3600 * kSec, now), "1 hour ago");
  EXPECT_EQ(DeployRequestTime(now - 2 * 3600 * kSec - 5 * kSec, now), "2 hours ago");
  EXPECT_EQ(DeployRequestTime(now - 24 * 3600 * kSec, now), "1 day ago");
  EXPECT_EQ(DeployRequestTime(now - 40 * 24 * 3600 * kSec, now), "40 days ago");
}

TEST(DeployRequestTest, ParseNumber) {
  EXPECT_EQ(*ParseDeployRequestNumber("7").value, 7u);
  EXPECT_FALSE(ParseDeployRequestNumber("x").value);
  EXPECT_EQ(ParseDeployRequestNumber("x").error, "strconv.ParseUint: parsing \"x\": invalid syntax");
  EXPECT_EQ(ParseDeployRequestNumber("-1").error, "strconv.ParseUint: parsing \"-1\": invalid syntax");
  EXPECT_EQ(ParseDeployRequestNumber("99999999999999999999").error,
            "strconv.ParseUint: parsing \"99999999999999999999\": value out of range");
}

TEST(DeployRequestTest, TableMatchesReferenceSample) {
  TimeMs now = *ParseTime("2024-01-10T12:00:00Z");
  auto dr = boost::json::parse(R"({"id":"dr8a7b6c5d4e","number":7,"branch":"add-index","into_branch":"main",
    "approved":false,"state":"open","deployment_state":"ready",
    "deployment":{"state":"ready","deployable":true,"instant_ddl_eligible":false},
    "created_at":"2024-01-10T10:00:00Z","updated_at":"2024-01-10T11:55:00Z","closed_at":null})");
  Output o = DeployRequestOutput(dr.as_object(), now);
  EXPECT_EQ(RenderTable(o.table),
            "  ID             NUMBER   BRANCH      INTO BRANCH   APPROVED   STATE   DEPLOY STATE   DEPLOYABLE   "
            "INSTANT DDL ELIGIBLE   QUEUED AT   STARTED AT   FINISHED AT   CREATED AT    UPDATED AT      CLOSED AT  \n"
            " -------------- -------- ----------- ------------- ---------- ------- -------------- ------------ "
            "---------------------- ----------- ------------ ------------- ------------- --------------- ----------- \n"
            "  dr8a7b6c5d4e   7        add-index   main          No         open    ready          Yes          "
            "No                                                            2 hours ago   5 minutes ago              \n");
}

TEST(DeployRequestTest, NullDeploymentGivesEmptyCellsAndNo) {
  TimeMs now = *ParseTime("2024-01-10T12:00:00Z");
  auto dr = boost::json::parse(R"({"id":"d","number":1,"state":"open","deployment":null,
    "created_at":"2024-01-10T12:00:00Z"})");
  Output o = DeployRequestOutput(dr.as_object(), now);
  const auto& row = o.table.rows.at(0);
  EXPECT_EQ(row[6], "");
  EXPECT_EQ(row[7], "No");
  EXPECT_EQ(row[8], "No");
  EXPECT_EQ(row[9], "");
  EXPECT_EQ(row[12], "less than a minute ago");
  EXPECT_EQ(row[14], "");
  EXPECT_TRUE(o.json.as_object().at("deployment").is_null());
}

TEST(DeployRequestTest, TableCsvAndJsonWithDeployment) {
  TimeMs now = *ParseTime("2024-01-10T12:00:00Z");
  auto dr = boost::json::parse(R"({"id":"dr1","number":3,"branch":"dev","into_branch":"main","approved":true,
    "state":"open","deployment_state":"queued","actor":{"id":"u1","display_name":"Ann","type":"User"},
    "deployment":{"id":"dp1","state":"queued","deployable":true,"instant_ddl_eligible":true,
      "queued_at":"2024-01-10T11:59:30Z","started_at":null,"finished_at":null,
      "created_at":"2024-01-10T11:00:00Z","updated_at":"2024-01-10T11:00:00Z"},
    "html_url":"http://x/a&b","notes":"","created_at":"2024-01-08T12:00:00Z",
    "updated_at":"2024-01-10T11:00:00Z","closed_at":null,"deployed_at":null})");
  Output o = DeployRequestOutput(dr.as_object(), now);
  ASSERT_EQ(o.table.rows.size(), 1u);
  const auto& row = o.table.rows[0];
  EXPECT_EQ(row[4], "Yes");
  EXPECT_EQ(row[6], "queued");
  EXPECT_EQ(row[7], "Yes");
  EXPECT_EQ(row[8], "Yes");
  EXPECT_EQ(row[9], "less than a minute ago");
  EXPECT_EQ(row[10], "");
  EXPECT_EQ(row[12], "2 days ago");
  EXPECT_EQ(row[13], "1 hour ago");
  ASSERT_TRUE(o.csv);
  EXPECT_EQ(RenderCsv(*o.csv),
            "ID,Number,Branch,IntoBranch,Approved,State,Deployment.State,Deployment.Deployable,"
            "Deployment.InstantDDLEligible,Deployment.QueuedAt,Deployment.StartedAt,Deployment.FinishedAt,"
            "CreatedAt,UpdatedAt,ClosedAt\n"
            "dr1,3,dev,main,true,open,queued,true,true,less than a minute ago,,,2 days ago,1 hour ago,\n");
  const auto& j = o.json.as_object();
  std::vector<std::string> keys;
  for (const auto& kv : j) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "branch", "into_branch", "actor", "closed_by",
                                            "branch_deleted_by", "number", "state", "deployment_state",
                                            "approved", "notes", "deployment", "html_url", "created_at",
                                            "updated_at", "closed_at", "deployed_at"}));
  EXPECT_TRUE(j.at("closed_by").is_null());
  EXPECT_EQ(j.at("number").as_int64(), 3);
  EXPECT_EQ(j.at("deployment").as_object().at("queued_at").as_string(), "2024-01-10T11:59:30Z");
  EXPECT_TRUE(j.at("deployment").as_object().at("started_at").is_null());
  EXPECT_EQ(j.at("actor").as_object().at("display_name").as_string(), "Ann");
}

}  // namespace
}  // namespace opscale::cli
