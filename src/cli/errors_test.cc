#include "cli/errors.h"

#include "cli/api_client.h"

#include <sstream>

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

struct Written {
  int code;
  std::string out;
  std::string err;
};

Written Write(const CliError& e, Format f) {
  std::ostringstream out, err;
  int code = WriteError(e, f, out, err);
  return {code, out.str(), err.str()};
}

TEST(ErrorsTest, HumanErrorGoesToStderr) {
  Written w = Write(Classified("database mydb does not exist in organization acme"), Format::kHuman);
  EXPECT_EQ(w.code, 2);
  EXPECT_EQ(w.out, "");
  EXPECT_EQ(w.err, "Error: database mydb does not exist in organization acme\n");
}

TEST(ErrorsTest, JsonNotFoundEnvelope) {
  CliError e = Classified("database mydb does not exist in organization acme");
  e.next_steps = {"pscale org list --format json", "pscale database list --org acme --format json"};
  Written w = Write(e, Format::kJson);
  EXPECT_EQ(w.code, 2);
  EXPECT_EQ(w.err, "");
  EXPECT_EQ(w.out,
            "{\n"
            "  \"status\": \"error\",\n"
            "  \"error\": \"database mydb does not exist in organization acme\",\n"
            "  \"issues\": [\n"
            "    {\n"
            "      \"code\": \"NOT_FOUND\",\n"
            "      \"message\": \"database mydb does not exist in organization acme\"\n"
            "    }\n"
            "  ],\n"
            "  \"next_steps\": [\n"
            "    \"pscale org list --format json\",\n"
            "    \"pscale database list --org acme --format json\"\n"
            "  ]\n"
            "}\n");
}

TEST(ErrorsTest, ClassifiesByMessage) {
  CliError force = Classified("cannot confirm deletion of database \"x\" (run with --force to override)");
  EXPECT_EQ(force.code, "CONFIRMATION_REQUIRED");
  EXPECT_TRUE(force.action_required);
  EXPECT_EQ(Write(force, Format::kJson).code, 1);
  EXPECT_EQ(Write(force, Format::kHuman).code, 2);
  EXPECT_EQ(Classified("required flag(s) \"org\" not set").code, "INVALID_USAGE");
  EXPECT_EQ(Classified("boom").code, "COMMAND_FAILED");
}

TEST(ErrorsTest, NotAuthenticatedHumanAndJson) {
  CliError e = NotAuthenticated("you must run 'pscale auth login' to authenticate before using this command");
  Written h = Write(e, Format::kHuman);
  EXPECT_EQ(h.code, 2);
  EXPECT_EQ(h.err,
            "Error: not authenticated yet. Please run 'pscale auth login'\n"
            "Error: you must run 'pscale auth login' to authenticate before using this command\n");
  Written j = Write(e, Format::kJson);
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(
      j.out,
      "{\n"
      "  \"status\": \"action_required\",\n"
      "  \"authenticated\": false,\n"
      "  \"code\": \"NO_AUTH\",\n"
      "  \"error\": \"you must run 'pscale auth login' to authenticate before using this command\",\n"
      "  \"agent_guide_command\": \"pscale agent-guide --format json\",\n"
      "  \"issues\": [\n"
      "    {\n"
      "      \"code\": \"NO_AUTH\",\n"
      "      \"message\": \"you must run 'pscale auth login' to authenticate before using this command\",\n"
      "      \"remediation\": \"Run `pscale auth login --format json`\"\n"
      "    }\n"
      "  ],\n"
      "  \"next_steps\": [\n"
      "    \"pscale auth login --format json\",\n"
      "    \"pscale auth check --format json\"\n"
      "  ]\n"
      "}\n");
}

TEST(ErrorsTest, MissingArgumentsWithUsage) {
  CliError one = MissingArguments({"database"}, "Usage: pscale database show\n");
  EXPECT_EQ(Write(one, Format::kHuman).err,
            "Error: missing argument <database> \n\nUsage: pscale database show\n");
  CliError two = MissingArguments({"database", "branch"}, "U\n");
  EXPECT_EQ(two.message, "missing arguments <database, branch> ");
  EXPECT_EQ(two.code, "INVALID_USAGE");
}

TEST(ErrorsTest, ServiceTokenInvalidExitsOne) {
  CliError e = ServiceTokenInvalid();
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_EQ(e.code, "SERVICE_TOKEN_INVALID");
  EXPECT_EQ(e.message.rfind("Authentication failed. Your service token appears to be invalid.", 0), 0u);
  EXPECT_NE(e.message.find("PLANETSCALE_SERVICE_TOKEN_ID"), std::string::npos);
  EXPECT_NE(e.message.find("--service-token-id"), std::string::npos);
  EXPECT_EQ(Write(e, Format::kHuman).code, 1);
}

TEST(ErrorsTest, UsageOnlyExitsZero) {
  CliError e;
  e.usage_only = true;
  e.usage = "Usage: x";
  Written w = Write(e, Format::kHuman);
  EXPECT_EQ(w.code, 0);
  EXPECT_EQ(w.err, "Usage: x\n");
}

TEST(ErrorsTest, StripAnsi) {
  EXPECT_EQ(StripAnsi("a\x1b[34;1mb\x1b[0;22mc"), "abc");
}

TEST(ErrorsTest, A429SaysWhenToRetry) {
  Written human = Write(RateLimited(12), Format::kHuman);
  EXPECT_EQ(human.code, 2);
  EXPECT_EQ(human.err, "Error: rate limited by the API: retry after 12 seconds\n");
  EXPECT_EQ(RateLimitedMessage(1), "rate limited by the API: retry after 1 second");
  EXPECT_EQ(RateLimitedMessage(0), "rate limited by the API: retry later");
  Written json = Write(RateLimited(3), Format::kJson);
  EXPECT_EQ(json.code, 2);
  EXPECT_NE(json.out.find("\"code\": \"rate_limited\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"status\": \"error\""), std::string::npos) << json.out;
}

TEST(ErrorsTest, RetryAfterIsReadAsWholeSeconds) {
  EXPECT_EQ(ParseRetryAfter("12"), 12);
  EXPECT_EQ(ParseRetryAfter(" 7\r"), 7);
  EXPECT_EQ(ParseRetryAfter(""), 0);
  EXPECT_EQ(ParseRetryAfter("-3"), 0);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 0);
  EXPECT_EQ(ParseRetryAfter("99999999999999"), 0);
}

}  // namespace
}  // namespace opscale::cli
