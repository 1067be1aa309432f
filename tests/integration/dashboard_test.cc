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
      {"OPSCALE_ADMIN_TOKEN", s.admin().api_token},
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

// A member of acme (and, if `beta`, the admin of a second organization).
std::map<std::string, std::string> AddMember(const Server& s, bool beta) {
  const std::string data = s.data_dir() + "/data";
  RunResult u = RunProcess({OpscaledBin(), "user", "create", "--data-dir", data, "--org", "acme",
                            "--email", "member@example.com", "--role", "member", "--format", "json"});
  EXPECT_EQ(u.exit_code, 0) << u.err;
  if (beta) {
    RunResult o = RunProcess({OpscaledBin(), "org", "create", "--data-dir", data, "--org", "beta",
                              "--admin-email", "member@example.com", "--format", "json"});
    EXPECT_EQ(o.exit_code, 0) << o.err;
  }
  json::value v = json::parse(u.out);
  return {{"OPSCALE_MEMBER_EMAIL", "member@example.com"},
          {"OPSCALE_MEMBER_PASSWORD", std::string(v.at("password").as_string())}};
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

// Databases, branches, passwords (used with the real mariadb client), a
// deploy request reviewed and deployed, database settings and the audit log,
// all through the dashboard (tests/e2e/databases_flow.mjs).
TEST(DashboardTest, DatabasesBranchesPasswordsDeployRequests) {
  Server s("acme");
  RunSpec(s, "databases_flow.mjs", {{"MARIADB_CLIENT", "/usr/bin/mariadb"}});
  if (HasFailure()) return;
  json::value db = Admin(s, "GET", "/v1/organizations/acme/databases/shop").Json();
  EXPECT_TRUE(db.at("require_approval_for_deploy").as_bool());
  json::value dr = Admin(s, "GET", "/v1/organizations/acme/databases/shop/deploy-requests/1").Json();
  EXPECT_EQ(dr.at("deployment_state").as_string(), "complete");
  HttpReply schema = Admin(s, "GET", "/v1/organizations/acme/databases/shop/branches/main/schema");
  EXPECT_NE(schema.body.find("CREATE TABLE `orders`"), std::string::npos) << schema.body;
  json::value branches = Admin(s, "GET", "/v1/organizations/acme/databases/shop/branches").Json();
  EXPECT_EQ(branches.at("data").as_array().size(), 1u) << "the dashboard deleted the feature branch";
}

// Cross-site requests with the victim's cookie, and sign-in throttling at the
// form (tests/e2e/security.mjs).
TEST(DashboardTest, CrossSiteRequestsAndGuessingAreRefused) {
  Server s("acme");
  RunSpec(s, "security.mjs", AddMember(s, false));
  if (HasFailure()) return;
  for (const auto& a : AuditActions(s)) EXPECT_NE(a, "service_token.deleted");
  json::value tokens = Admin(s, "GET", "/v1/organizations/acme/service-tokens").Json();
  ASSERT_EQ(tokens.at("data").as_array().size(), 1u) << "only the dashboard's own token exists";
  EXPECT_EQ(tokens.at("data").at(0).at("name"), "from-dashboard");
}

// Sign-in sessions expire (tests/e2e/session_expiry.mjs, --session-ttl 3).
TEST(DashboardTest, AnExpiredSessionSendsThePersonToSignIn) {
  Server s("acme", "admin@example.com", {"--session-ttl", "3"});
  RunSpec(s, "session_expiry.mjs", {{"OPSCALE_SESSION_TTL_S", "3"}});
}

// Keyboard use, the organization switcher, a member's view, narrow windows,
// and no outside requests (tests/e2e/keyboard_access.mjs).
TEST(DashboardTest, KeyboardSwitcherMemberViewNarrowWindow) {
  Server s("acme");
  RunSpec(s, "keyboard_access.mjs", AddMember(s, true));
}

// An admin adds a member from Settings > Members; the password and API token
// the modal shows once work, and the member sees what they may not do
// (tests/e2e/members.mjs).
TEST(DashboardTest, AdminsAddMembersFromTheDashboard) {
  Server s("acme");
  RunSpec(s, "members.mjs");
  if (HasFailure()) return;
  json::value members = Admin(s, "GET", "/v1/organizations/acme/members").Json();
  ASSERT_EQ(members.at("data").as_array().size(), 2u);
  bool added = false;
  for (const auto& m : members.at("data").as_array())
    added |= m.at("user").at("email") == "new.person@example.com" && m.at("role") == "member";
  EXPECT_TRUE(added) << "new.person@example.com is a member";
  EXPECT_TRUE(Has(AuditActions(s), "member.added"));
}

// OAuth applications from Settings, the consent page (its form posts and the
// browser follows the redirect to the application), the code exchanged for a
// scoped token, the CLI's device login approved, the application edited and
// deleted, and a member without access (tests/e2e/oauth.mjs).
TEST(DashboardTest, OAuthApplicationsConsentAndDeviceApproval) {
  Server s("acme");
  RunSpec(s, "oauth.mjs", AddMember(s, false));
  if (HasFailure()) return;
  auto actions = AuditActions(s);
  for (const char* a : {"oauth_application.created", "oauth_application.authorized",
                        "oauth_application.deleted"})
    EXPECT_TRUE(Has(actions, a)) << a;
  json::value apps = Admin(s, "GET", "/v1/organizations/acme/oauth-applications").Json();
  EXPECT_TRUE(apps.at("data").as_array().empty()) << "the dashboard deleted the application";
}

// The docs pages: API reference and access reference rendered from
// /v1/openapi.json, and the permission modals' links (tests/e2e/docs.mjs).
TEST(DashboardTest, DocsPagesAndTheLinksFromPermissionModals) {
  Server s("acme");
  RunSpec(s, "docs.mjs");
}

// The live document passes a real OpenAPI validator (tests/e2e/openapi_validate.mjs).
TEST(DashboardTest, OpenApiDocumentPassesTheValidator) {
  Server s("acme");
  RunSpec(s, "openapi_validate.mjs");
}

}  // namespace
}  // namespace opscale::testutil
