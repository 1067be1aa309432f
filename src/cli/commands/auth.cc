// pscale auth: login (OAuth device flow), logout (revoke and forget the token), check.
// The OAuth endpoints live on the API URL (--api-url / PLANETSCALE_API_URL) and are called
// without credentials; the login token is kept in ~/.config/planetscale/access-token, which
// every later command sends as "Authorization: Bearer <token>".
//
// Unlike pscale, a human-format login also runs without a terminal (CI, tests): it prints the
// code and URL and polls. The browser is tried only when a display is available, and never
// waited for.
#include "cli/commands/auth.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <memory>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/config.h"
#include "cli/json_out.h"
#include "cli/models.h"

extern char** environ;

namespace opscale::cli {
namespace json = boost::json;

// --- pure pieces (commands/auth.h) ------------------------------------------------------

Result<DeviceAuthorization> ParseDeviceAuthorization(const json::value& reply) {
  if (!reply.is_object())
    return Status::InvalidArgument("the device authorization reply is not a JSON object");
  const json::object& o = reply.get_object();
  DeviceAuthorization d;
  d.device_code = StringAt(o, "device_code");
  d.user_code = StringAt(o, "user_code");
  d.verification_uri = StringAt(o, "verification_uri");
  d.verification_uri_complete = StringAt(o, "verification_uri_complete");
  d.expires_in_s = IntAt(o, "expires_in");
  d.interval_s = IntAt(o, "interval");
  if (d.expires_in_s <= 0) d.expires_in_s = 900;
  if (d.interval_s <= 0) d.interval_s = 5;
  std::vector<std::string> missing;
  if (d.device_code.empty()) missing.emplace_back("device_code");
  if (d.user_code.empty()) missing.emplace_back("user_code");
  if (d.url().empty()) missing.emplace_back("verification_uri");
  if (!missing.empty())
    return Status::InvalidArgument(
        fmt::format("the device authorization reply has no {}", Join(missing, ", ")));
  return d;
}

TokenPoll ParseTokenReply(int status, std::string_view body) {
  TokenPoll p;
  std::error_code ec;
  json::value v = body.empty() ? json::value() : json::parse(body, ec);
  bool is_object = !ec && v.is_object();
  if (!is_object) {
    if (body.empty())
      p.message = fmt::format("the token endpoint answered HTTP {} without a body", status);
    else
      p.message =
          "Unexpected API response received, the PlanetScale API might be down. Please contact support with "
          "the following output:\n\n" +
          std::string(body);
    return p;
  }
  const json::object& o = v.get_object();
  if (status >= 200 && status < 300) {
    p.access_token = StringAt(o, "access_token");
    if (p.access_token.empty()) {
      p.message = "the token endpoint answered without an access_token";
      return p;
    }
    p.state = TokenPollState::kGranted;
    return p;
  }
  p.error = StringAt(o, "error");
  std::string description = StringAt(o, "error_description");
  if (p.error == "authorization_pending") {
    p.state = TokenPollState::kPending;
  } else if (p.error == "slow_down") {
    p.state = TokenPollState::kSlowDown;
  } else if (p.error == "access_denied") {
    p.state = TokenPollState::kDenied;
    p.message = "the login request was denied";
  } else if (p.error == "expired_token") {
    p.state = TokenPollState::kExpired;
    p.message = kCodeExpiredMessage;
  } else if (!description.empty()) {
    p.message = description;
  } else if (!p.error.empty()) {
    p.message = p.error;
  } else {
    std::string message = StringAt(o, "message");
    p.message = message.empty() ? fmt::format("the token endpoint answered HTTP {}", status) : message;
  }
  return p;
}

PollTiming DevicePollTiming(int64_t interval_s, std::string_view override_ms) {
  using std::chrono::milliseconds;
  int64_t forced = 0;
  bool digits = !override_ms.empty() && override_ms.size() <= 9;
  for (char c : override_ms) digits = digits && c >= '0' && c <= '9';
  if (digits) forced = std::stoll(std::string(override_ms));
  if (forced > 0) return {milliseconds(forced), milliseconds(forced)};
  if (interval_s <= 0) interval_s = 5;
  return {milliseconds(interval_s * 1000), milliseconds(5000)};
}

json::object LoginPendingJson(const std::string& url, const std::string& user_code, bool browser_opened) {
  json::object o;
  o["status"] = "pending";
  o["verification_url"] = url;
  o["user_code"] = user_code;
  o["browser_opened"] = browser_opened;
  o["message"] = browser_opened ? "Approve access in the browser to continue"
                                : "Open verification_url in a browser and approve access to continue";
  o["next_steps"] = json::array{"Approve access in the browser", "pscale auth check --format json"};
  return o;
}

json::object LoginOkJson() {
  json::object o;
  o["status"] = "ok";
  o["message"] = "Successfully logged in.";
  o["next_steps"] = json::array{"pscale auth check --format json", "pscale org list --format json"};
  return o;
}

json::object LoginOrgSetupFailedJson(const std::string& error) {
  json::object issue;
  issue["code"] = "ORG_SETUP_FAILED";
  issue["message"] = error;
  issue["remediation"] =
      "Credentials were saved; run `pscale org list --format json` and `pscale org switch <org>`";
  json::object o;
  o["status"] = "action_required";
  o["message"] = "Credentials saved, but organization setup failed.";
  o["issues"] = json::array{issue};
  o["next_steps"] = json::array{"pscale org list --format json", "pscale auth check --format json"};
  return o;
}

json::object LoginErrorJson(const std::string& summary, const std::string& code, const std::string& message) {
  json::object issue;
  issue["code"] = code;
  issue["message"] = message;
  json::object o;
  o["status"] = "error";
  o["message"] = summary;
  o["issues"] = json::array{issue};
  o["next_steps"] = json::array{"pscale auth login --format json"};
  return o;
}

json::object AuthCheckJson(const AuthCheck& c) {
  json::object o;
  o["status"] = c.status;
  o["authenticated"] = c.authenticated;
  if (!c.auth_method.empty()) o["auth_method"] = c.auth_method;
  if (!c.organization.empty()) o["organization"] = c.organization;
  if (!c.api_url.empty()) o["api_url"] = c.api_url;
  if (!c.agent_guide_command.empty()) o["agent_guide_command"] = c.agent_guide_command;
  if (!c.issues.empty()) {
    json::array issues;
    for (const AuthIssue& i : c.issues) {
      json::object item;
      item["code"] = i.code;
      item["message"] = i.message;
      if (!i.remediation.empty()) item["remediation"] = i.remediation;
      issues.push_back(std::move(item));
    }
    o["issues"] = std::move(issues);
  }
  if (!c.next_steps.empty()) {
    json::array steps;
    for (const auto& s : c.next_steps) steps.emplace_back(s);
    o["next_steps"] = std::move(steps);
  }
  return o;
}

std::vector<std::string> AuthCheckLines(const AuthCheck& c) {
  std::vector<std::string> lines = {"You are authenticated."};
  if (!c.organization.empty()) lines.push_back("Organization: " + c.organization);
  for (const AuthIssue& i : c.issues)
    lines.push_back(fmt::format("Note: {} \u2014 {}", i.message, i.remediation));
  return lines;
}

void MarkAuthenticated(AuthCheck& c) {
  c.authenticated = true;
  c.status = "ok";
  if (c.organization.empty()) {
    c.issues.push_back({"NO_ORG", "No organization configured",
                        "Run `pscale org switch <org>` or set org in ~/.config/planetscale/pscale.yml"});
    c.next_steps.emplace_back("pscale org list --format json");
    c.status = "action_required";
  } else {
    c.next_steps.push_back(fmt::format("pscale database list --org {} --format json", c.organization));
    c.next_steps.push_back(
        fmt::format("pscale branch list <database> --org {} --format json", c.organization));
  }
}

void MarkFailed(AuthCheck& c, AuthIssue issue, std::vector<std::string> next_steps) {
  c.authenticated = false;
  c.status = "action_required";
  c.issues.push_back(std::move(issue));
  c.next_steps = std::move(next_steps);
}

namespace {

// --- helpers ----------------------------------------------------------------------------

struct ClientFlags {
  std::string client_id = kCliClientId;
  std::string client_secret;  // sent on revoke when given; the built-in client needs none
};

// A client for the OAuth endpoints: the API URL, no Authorization header, the same --debug.
std::unique_ptr<ApiClient> OAuthClient(Context& ctx, const std::string& authorization = "") {
  const Settings& s = ctx.settings();
  return std::make_unique<ApiClient>(
      ApiClient::Options{s.api_url, authorization, s.version, s.debug ? ctx.io().err : nullptr});
}

// One line about a failed call (never contains a credential: the API does not echo them).
std::string ErrorText(const ApiClient& api, const ApiError& e) {
  switch (e.kind) {
    case ApiError::Kind::kUnreachable:
      return fmt::format("cannot reach the API at {}: {}", api.base_url(), e.message);
    case ApiError::Kind::kBadBody: break;
    case ApiError::Kind::kHttp:
      if (e.status == 429) return RateLimitedMessage(e.retry_after_s);
      if (e.json_body) {
        if (!e.message.empty()) return e.message;
        if (!e.code.empty()) return e.code;
        return fmt::format("the API answered HTTP {}", e.status);
      }
      if (e.body.empty()) return fmt::format("the API answered HTTP {} without a body", e.status);
      break;
  }
  return "Unexpected API response received, the PlanetScale API might be down. Please contact support "
         "with the following output:\n\n" +
         e.body;
}

// Starts `xdg-open <url>` when a display is available, without waiting for the browser: the
// opener gets up to 1.5 s to fail; if it is still running then, it is left alone (once the CLI
// exits, init reaps it). Only http(s) URLs are opened.
bool TryOpenBrowser(const Io& io, const std::string& url) {
  if (io.Env("DISPLAY").empty() && io.Env("WAYLAND_DISPLAY").empty()) return false;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return false;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a Ctrl-C while polling does not reach the browser.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::string program = "xdg-open";
  std::string arg = url;
  char* argv[] = {program.data(), arg.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, program.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return false;
  for (int i = 0; i < 30; ++i) {
    int status = 0;
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (w < 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// The organization the CLI would use without --org ("" when none is configured).
std::string ConfiguredOrg(const Context& ctx) {
  if (!ctx.settings().org_env.empty()) return ctx.settings().org_env;
  return ctx.OrgFromFiles().org;
}

// --- login ------------------------------------------------------------------------------

// A failed login: in JSON mode pscale's {"status":"error",...} on stdout (exit 2), otherwise
// `Error: <detail>`.
Outcome LoginFailure(Context& ctx, const std::string& code, const std::string& summary,
                     const std::string& detail) {
  ctx.printer().StopSpinner();
  if (ctx.settings().format != Format::kJson) return Classified(detail);
  *ctx.io().out << GoJson(LoginErrorJson(summary, code, StripAnsi(detail))) << '\n';
  ctx.io().out->flush();
  return Reported(2);
}

// pscale writes a default organization after login: the first one the new token can see,
// unless the config file already names one that is still visible.
Status WriteDefaultOrganizationIfNeeded(Context& ctx, const std::string& token) {
  std::unique_ptr<ApiClient> api = OAuthClient(ctx, "Bearer " + token);
  ApiResult r = api->Get(ApiPath({"organizations"}));
  if (!r.ok()) return Status::Internal(ErrorText(*api, r.error()));
  std::vector<std::string> names;
  for (const auto& org : ListItems(r.json())) {
    std::string name = StringAt(org, "name");
    if (!name.empty()) names.push_back(std::move(name));
  }
  const std::string& path = ctx.settings().config_path;
  ConfigValues values = ReadConfigFile(path).value_or(ConfigValues{});
  if (!values.org.empty() && std::find(names.begin(), names.end(), values.org) != names.end())
    return Status::Ok();
  if (names.empty()) return Status::Ok();
  values.org = names.front();
  return WriteConfigFile(path, values);
}

Outcome Login(Context& ctx, const ClientFlags& flags) {
  const bool json_mode = ctx.settings().format == Format::kJson;
  Io& io = ctx.io();
  Printer& p = ctx.printer();
  const std::string& home = ctx.settings().home;
  if (home.empty())
    return LoginFailure(ctx, "TOKEN_SAVE_FAILED", "Failed to save access token",
                        "cannot save the access token: $HOME is not set");

  std::unique_ptr<ApiClient> oauth = OAuthClient(ctx);
  ApiResult started =
      oauth->PostForm("oauth/authorize_device", {{"client_id", flags.client_id}, {"scope", kLoginScopes}});
  if (!started.ok())
    return LoginFailure(ctx, "DEVICE_VERIFY_FAILED", "Failed to start device authorization",
                        ErrorText(*oauth, started.error()));
  Result<DeviceAuthorization> device = ParseDeviceAuthorization(started.json());
  if (!device.ok())
    return LoginFailure(ctx, "DEVICE_VERIFY_FAILED", "Failed to start device authorization",
                        device.status().message());
  const std::string& url = device->url();

  bool browser_opened = TryOpenBrowser(io, url);
  if (json_mode) {
    *io.err << GoJson(LoginPendingJson(url, device->user_code, browser_opened)) << '\n';
    io.err->flush();
  } else {
    // Human and CSV alike: the user needs the code and the URL whatever the format.
    std::ostream& out = *io.out;
    if (!browser_opened) out << "Failed to open a browser; open this URL manually: " << p.Bold(url) << '\n';
    out << '\n' << p.Bold("Confirmation Code: ") << p.BoldGreen(device->user_code) << '\n';
    out << "\nIf something goes wrong, copy and paste this URL into your browser: " << p.Bold(url) << "\n\n";
    out.flush();
    p.StartSpinner("Waiting for confirmation...");
  }

  // OPSCALE_DEVICE_POLL_MS (tests only) overrides the interval; see commands/auth.h.
  PollTiming timing = DevicePollTiming(device->interval_s, io.Env(kPollIntervalEnv));
  auto interval = timing.interval;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(device->expires_in_s);
  std::string token;
  const char* failed = "Device authorization failed or timed out";
  while (token.empty()) {
    // The user needs a moment to approve: wait before every request, the first one included.
    std::this_thread::sleep_for(interval);
    ApiResult r = oauth->PostForm("oauth/token", {{"grant_type", kDeviceCodeGrant},
                                                  {"device_code", device->device_code},
                                                  {"client_id", flags.client_id}});
    TokenPoll poll;
    if (r.ok()) {
      poll = ParseTokenReply(r.status(), r.body());
    } else if (r.error().kind == ApiError::Kind::kUnreachable) {
      return LoginFailure(ctx, "DEVICE_AUTH_FAILED", failed, ErrorText(*oauth, r.error()));
    } else if (r.error().status == 429) {
      poll.state = TokenPollState::kSlowDown;  // throttled: ask less often
    } else {
      poll = ParseTokenReply(r.error().status, r.error().body);
    }
    switch (poll.state) {
      case TokenPollState::kGranted: token = poll.access_token; continue;
      case TokenPollState::kPending: break;
      case TokenPollState::kSlowDown: interval += timing.slow_down_step; break;
      case TokenPollState::kDenied:
      case TokenPollState::kExpired:
      case TokenPollState::kFailed: return LoginFailure(ctx, "DEVICE_AUTH_FAILED", failed, poll.message);
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return LoginFailure(ctx, "DEVICE_AUTH_FAILED", failed, kCodeExpiredMessage);
  }

  Status saved = WriteAccessToken(home, token);
  if (!saved.ok()) {
    if (json_mode)
      return LoginFailure(ctx, "TOKEN_SAVE_FAILED", "Failed to save access token", saved.message());
    return LoginFailure(ctx, "TOKEN_SAVE_FAILED", "Failed to save access token",
                        fmt::format("error logging in: {}\n\nPlease ensure you have write permissions to the "
                                    "configuration directory: {}",
                                    saved.message(), ConfigDir(home)));
  }
  p.StopSpinner();

  Status org = WriteDefaultOrganizationIfNeeded(ctx, token);
  if (json_mode) {
    *io.out << GoJson(org.ok() ? LoginOkJson() : LoginOrgSetupFailedJson(StripAnsi(org.message()))) << '\n';
    io.out->flush();
    return org.ok() ? Success() : Outcome(Reported(1));
  }
  if (!org.ok()) return Classified(org.message());
  *io.out << "Successfully logged in.\n";
  io.out->flush();
  return Success();
}

// --- logout -----------------------------------------------------------------------------

Outcome Logout(Context& ctx, const ClientFlags& flags) {
  Printer& p = ctx.printer();
  Io& io = ctx.io();
  const std::string& home = ctx.settings().home;
  std::string token = ReadAccessToken(home);
  if (token.empty()) {
    if (AccessTokenFileExists(home)) {
      Status st = DeleteAccessToken(home);
      if (!st.ok()) return Classified(st.message());
    }
    p.Line("Already logged out. Exiting...");
    return Success();
  }

  if (io.tty && p.human()) {
    p.Line("Press Enter to log out of the PlanetScale API.");
    std::string ignored;
    if (io.in) std::getline(*io.in, ignored);
  }

  p.StartSpinner("Logging out...");
  std::unique_ptr<ApiClient> oauth = OAuthClient(ctx);
  FormFields form = {{"token", token}, {"client_id", flags.client_id}};
  if (!flags.client_secret.empty()) form.emplace_back("client_secret", flags.client_secret);
  ApiResult revoked = oauth->PostForm("oauth/revoke", form);
  // The local token goes whatever the server said: a user who logs out must end up logged
  // out here. A failed revocation is reported, since the token may still be valid.
  Status removed = DeleteAccessToken(home);
  p.StopSpinner();
  if (!revoked.ok()) {
    *io.err << "Warning: could not revoke the access token on the server ("
            << ErrorText(*oauth, revoked.error()) << "); the local token was removed anyway.\n";
    io.err->flush();
  }
  if (!removed.ok()) return Classified(removed.message());
  p.Line("Successfully logged out.");
  return Success();
}

// --- check ------------------------------------------------------------------------------

const std::vector<std::string> kLoginSteps = {"pscale auth login --format json"};

AuthIssue NetworkIssue(const ApiClient& api, const ApiError& e) {
  return {"NETWORK_ERROR", ErrorText(api, e),
          "Check --api-url (or PLANETSCALE_API_URL) and that the server is running, then re-run `pscale auth "
          "check --format json`"};
}

// A 429 says nothing about the credentials: not "invalid token".
AuthIssue RateLimitedIssue(const ApiError& e) {
  return {"RATE_LIMITED", RateLimitedMessage(e.retry_after_s),
          "Wait, then re-run `pscale auth check --format json`"};
}

AuthIssue ServiceTokenIssue() {
  return {"SERVICE_TOKEN_INVALID", "API authentication failed",
          "Verify --service-token-id and --service-token, then re-run `pscale auth check --format json`"};
}

AuthIssue AccessTokenIssue() {
  return {"AUTH_INVALID", "API authentication failed",
          "Run `pscale auth login --format json` (browser opens when possible)"};
}

// Tries the credential against the server; fills `c` accordingly.
void VerifyCredential(Context& ctx, AuthCheck& c) {
  ApiClient& api = ctx.api();
  if (c.auth_method == "oauth") {
    ApiResult r = api.Get("oauth/token/info");
    if (r.ok()) {
      if (BoolAt(AsObject(r.json()), "active"))
        MarkAuthenticated(c);
      else
        MarkFailed(c, AccessTokenIssue(), kLoginSteps);
      return;
    }
    if (r.error().kind == ApiError::Kind::kUnreachable) {
      MarkFailed(c, NetworkIssue(api, r.error()), {"pscale auth check --format json"});
      return;
    }
    if (r.error().status == 429) {
      MarkFailed(c, RateLimitedIssue(r.error()), {"pscale auth check --format json"});
      return;
    }
    if (r.error().status != 404) {
      MarkFailed(c, AccessTokenIssue(), kLoginSteps);
      return;
    }
    // A server without token introspection: any authenticated call tells.
  }
  ApiResult r = api.Get(ApiPath({"organizations"}));
  if (r.ok()) {
    MarkAuthenticated(c);
  } else if (r.error().kind == ApiError::Kind::kUnreachable) {
    MarkFailed(c, NetworkIssue(api, r.error()), {"pscale auth check --format json"});
  } else if (r.error().status == 429) {
    MarkFailed(c, RateLimitedIssue(r.error()), {"pscale auth check --format json"});
  } else if (c.auth_method == "service_token") {
    MarkFailed(c, ServiceTokenIssue(), {"pscale auth check --format json"});
  } else {
    MarkFailed(c, AccessTokenIssue(), kLoginSteps);
  }
}

AuthCheck BuildAuthCheck(Context& ctx) {
  const Settings& s = ctx.settings();
  AuthCheck c;
  c.api_url = s.api_url;
  c.agent_guide_command = "pscale agent-guide --format json";
  c.organization = ConfiguredOrg(ctx);
  const Credentials& cred = s.credentials;
  if (cred.UsesServiceToken())
    c.auth_method = "service_token";
  else if (!cred.access_token.empty())
    c.auth_method = "oauth";
  else
    c.auth_method = "none";

  CredentialProblem problem = CheckCredentials(cred);
  if (problem != CredentialProblem::kNone) {
    MarkFailed(c,
               {"NO_AUTH", CredentialProblemMessage(problem),
                "Run `pscale auth login --format json` (browser opens when possible, polls until approved)"},
               {"pscale auth login --format json", "pscale auth check --format json"});
    return c;
  }
  VerifyCredential(ctx, c);
  return c;
}

Outcome Check(Context& ctx) {
  AuthCheck c = BuildAuthCheck(ctx);
  Printer& p = ctx.printer();
  if (p.format() == Format::kJson) {
    p.Json(AuthCheckJson(c));
    return c.status == "action_required" ? Outcome(Reported(1)) : Success();
  }
  if (!c.authenticated) {
    CliError e = Classified(c.issues.empty() ? "You are not authenticated." : c.issues.front().message);
    e.exit_code = 1;
    return e;
  }
  for (const std::string& line : AuthCheckLines(c)) p.Line(line);
  return Success();
}

void AddClientFlags(CLI::App* cmd, ClientFlags& flags) {
  cmd->add_option("--client-id", flags.client_id, "The client ID for the PlanetScale CLI application.");
  cmd->add_option("--client-secret", flags.client_secret,
                  "The client secret for the PlanetScale CLI application.");
}

}  // namespace

void AddAuthCommands(CommandTree& tree) {
  CLI::App* group = tree.AddGroup(&tree.root(), "auth", "Login and logout via the PlanetScale API", false);

  auto login_flags = std::make_shared<ClientFlags>();
  CLI::App* login = tree.AddCommand(group, "login", "Authenticate with the PlanetScale API",
                                    {.needs_auth = false, .needs_org = false},
                                    [=](Context& ctx, const auto&) { return Login(ctx, *login_flags); });
  AddClientFlags(login, *login_flags);

  auto logout_flags = std::make_shared<ClientFlags>();
  CLI::App* logout = tree.AddCommand(group, "logout", "Log out of the PlanetScale API",
                                     {.needs_auth = false, .needs_org = false},
                                     [=](Context& ctx, const auto&) { return Logout(ctx, *logout_flags); });
  AddClientFlags(logout, *logout_flags);

  tree.AddCommand(group, "check", "Check if you are authenticated", {.needs_auth = false, .needs_org = false},
                  [](Context& ctx, const auto&) { return Check(ctx); });
}

}  // namespace opscale::cli
