// The dashboard in a real browser: each test starts a real opscaled, then
// runs one spec of tests/e2e/ (headless Debian Chromium driven by
// playwright-core) against it, and checks the server's state afterwards.
// Screenshots land in build/tests/e2e-artifacts/.
#include <gtest/gtest.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

RunResult RunSpec(const Server& s, const std::string& spec,
                  std::map<std::string, std::string> extra = {}) {
  TempDir home;
  std::map<std::string, std::string> env = {
      {"OPSCALE_URL", s.url()},
      {"OPSCALE_ORG", s.admin().organization},
      {"OPSCALE_EMAIL", s.admin().admin_email},
      {"OPSCALE_PASSWORD", s.admin().admin_password},
      {"OPSCALE_CLI", OpscaleBin()},
      {"OPSCALE_ARTIFACTS", OPSCALE_E2E_ARTIFACTS},
      {"HOME", home.path()},
  };
  for (auto& [k, v] : extra) env[k] = v;
  RunResult r = RunProcess({OPSCALE_NODE, std::string(OPSCALE_E2E_DIR) + "/" + spec}, env, "", 240);
  EXPECT_EQ(r.exit_code, 0) << spec << "\nstdout:\n" << Masked(r.out) << "\nstderr:\n" << Masked(r.err);
  return r;
}

HttpReply Admin(const Server& s, const std::string& method, const std::string& path,
                const std::string& body = "") {
  return CallApi(s.url(), method, path, BearerHeader(s.admin().api_token), body);
}

std::vector<std::string> AuditActions(const Server& s) {
  std::vector<std::string> out;
  json::value v = Admin(s, "GET", "/v1/organizations/acme/audit-log?limit=100").Json();
  for (const auto& e : v.at("data").as_array()) out.emplace_back(e.at("audit_action").as_string());
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The guide's dashboard steps end to end, with the CLI using the token the
// modal showed (tests/e2e/guide_flow.mjs).
TEST(DashboardTest, GuideFlowCreateGrantUseEditDelete) {
  Server s("acme");
  ASSERT_EQ(Admin(s, "POST", "/v1/organizations/acme/databases", R"({"name":"shop"})").status, 201);
  RunSpec(s, "guide_flow.mjs");
  if (HasFailure()) return;
  json::value tokens = Admin(s, "GET", "/v1/organizations/acme/service-tokens").Json();
  EXPECT_TRUE(tokens.at("data").as_array().empty()) << "the dashboard deleted the token";
  json::value branches = Admin(s, "GET", "/v1/organizations/acme/databases/shop/branches").Json();
  bool made = false;
  for (const auto& b : branches.at("data").as_array()) made |= b.at("name") == "from-ci";
  EXPECT_TRUE(made) << "the CLI created a branch with the token from the dashboard";
  auto actions = AuditActions(s);
  for (const char* a : {"service_token.created", "service_token.granted_access",
                        "service_token.removed_access", "service_token.deleted", "branch.created"})
    EXPECT_TRUE(Has(actions, a)) << a;
}

}  // namespace
}  // namespace opscale::testutil
