// pscale deploy-request (alias dr): create, list, show, diff, review, deploy, close, cancel.
#include "cli/commands/deploy_request.h"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <chrono>
#include <limits>
#include <memory>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/http_client.h"
#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;

// --- pure pieces ---------------------------------------------------------------------------

std::string DeployRequestTime(int64_t epoch_ms, TimeMs now) {
  if (epoch_ms <= 0) return "";
  int64_t seconds = (now - epoch_ms) / 1000;
  if (seconds < 60) return "less than a minute ago";
  int64_t minutes = seconds / 60;
  if (minutes < 60) return minutes == 1 ? "1 minute ago" : fmt::format("{} minutes ago", minutes);
  int64_t hours = minutes / 60;
  if (hours < 24) return hours == 1 ? "1 hour ago" : fmt::format("{} hours ago", hours);
  int64_t days = hours / 24;
  return days == 1 ? "1 day ago" : fmt::format("{} days ago", days);
}

namespace {

json::value ActorJson(const json::object& parent, std::string_view key, bool nullable) {
  const json::value* v = parent.if_contains(key);
  if (nullable && (!v || !v->is_object())) return nullptr;
  return Project(
      ObjectAt(parent, key),
      {{"type", FieldKind::kString}, {"id", FieldKind::kString}, {"display_name", FieldKind::kString}});
}

void Append(json::object& out, const json::object& more) {
  for (const auto& kv : more) out[kv.key()] = kv.value();
}

// Go's strconv.Quote for the common (printable) case.
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

json::object DeploymentJson(const json::object& d) {
  json::object out = Project(d, {{"id", FieldKind::kString},
                                 {"state", FieldKind::kString},
                                 {"deployable", FieldKind::kBool},
                                 {"lint_errors", FieldKind::kRaw},
                                 {"deploy_request_number", FieldKind::kInt},
                                 {"into_branch", FieldKind::kString},
                                 {"preceding_deployments", FieldKind::kRaw},
                                 {"instant_ddl_eligible", FieldKind::kBool},
                                 {"instant_ddl", FieldKind::kBool}});
  out["actor"] = ActorJson(d, "actor", true);
  out["cutover_actor"] = ActorJson(d, "cutover_actor", true);
  out["cancelled_actor"] = ActorJson(d, "cancelled_actor", true);
  Append(out, Project(d, {{"created_at", FieldKind::kTime},
                          {"updated_at", FieldKind::kTime},
                          {"started_at", FieldKind::kNullableTime},
                          {"queued_at", FieldKind::kNullableTime},
                          {"finished_at", FieldKind::kNullableTime}}));
  return out;
}

json::object DeployRequestJson(const json::object& dr) {
  json::object out = Project(
      dr, {{"id", FieldKind::kString}, {"branch", FieldKind::kString}, {"into_branch", FieldKind::kString}});
  out["actor"] = ActorJson(dr, "actor", false);
  out["closed_by"] = ActorJson(dr, "closed_by", true);
  out["branch_deleted_by"] = ActorJson(dr, "branch_deleted_by", true);
  Append(out, Project(dr, {{"number", FieldKind::kInt},
                           {"state", FieldKind::kString},
                           {"deployment_state", FieldKind::kString},
                           {"approved", FieldKind::kBool},
                           {"notes", FieldKind::kString}}));
  const json::value* d = dr.if_contains("deployment");
  out["deployment"] =
      d && d->is_object() ? json::value(DeploymentJson(d->get_object())) : json::value(nullptr);
  Append(out, Project(dr, {{"html_url", FieldKind::kString},
                           {"created_at", FieldKind::kTime},
                           {"updated_at", FieldKind::kTime},
                           {"closed_at", FieldKind::kNullableTime},
                           {"deployed_at", FieldKind::kNullableTime}}));
  return out;
}

json::object DeployRequestReviewJson(const json::object& r) {
  json::object out =
      Project(r, {{"id", FieldKind::kString}, {"body", FieldKind::kString}, {"state", FieldKind::kString}});
  out["actor"] = ActorJson(r, "actor", false);
  Append(out, Project(r, {{"created_at", FieldKind::kTime}, {"updated_at", FieldKind::kTime}}));
  return out;
}

Output DeployRequestsOutput(const std::vector<json::object>& drs, TimeMs now) {
  Output o;
  o.table.headers = {"ID",         "NUMBER",       "BRANCH",     "INTO BRANCH",          "APPROVED",
                     "STATE",      "DEPLOY STATE", "DEPLOYABLE", "INSTANT DDL ELIGIBLE", "QUEUED AT",
                     "STARTED AT", "FINISHED AT",  "CREATED AT", "UPDATED AT",           "CLOSED AT"};
  o.escape_html = true;
  CsvTable csv{{"ID", "Number", "Branch", "IntoBranch", "Approved", "State", "Deployment.State",
                "Deployment.Deployable", "Deployment.InstantDDLEligible", "Deployment.QueuedAt",
                "Deployment.StartedAt", "Deployment.FinishedAt", "CreatedAt", "UpdatedAt", "ClosedAt"},
               {}};
  json::array arr;
  for (const auto& dr : drs) {
    const json::object& d = ObjectAt(dr, "deployment");
    auto t = [&](const json::object& o, std::string_view key) {
      return DeployRequestTime(TimeAt(o, key), now);
    };
    std::vector<std::string> cells = {StringAt(dr, "id"),
                                      std::to_string(IntAt(dr, "number")),
                                      StringAt(dr, "branch"),
                                      StringAt(dr, "into_branch"),
                                      "",
                                      StringAt(dr, "state"),
                                      StringAt(d, "state"),
                                      "",
                                      "",
                                      t(d, "queued_at"),
                                      t(d, "started_at"),
                                      t(d, "finished_at"),
                                      t(dr, "created_at"),
                                      t(dr, "updated_at"),
                                      t(dr, "closed_at")};
    std::vector<std::string> row = cells, csv_row = cells;
    row[4] = YesNo(BoolAt(dr, "approved"));
    row[7] = YesNo(BoolAt(d, "deployable"));
    row[8] = YesNo(BoolAt(d, "instant_ddl_eligible"));
    csv_row[4] = TrueFalse(BoolAt(dr, "approved"));
    csv_row[7] = TrueFalse(BoolAt(d, "deployable"));
    csv_row[8] = TrueFalse(BoolAt(d, "instant_ddl_eligible"));
    o.table.rows.push_back(std::move(row));
    csv.rows.push_back(std::move(csv_row));
    arr.push_back(DeployRequestJson(dr));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return o;
}

Output DeployRequestOutput(const json::object& dr, TimeMs now) {
  Output o = DeployRequestsOutput({dr}, now);
  o.json = DeployRequestJson(dr);
  return o;
}

ParsedNumber ParseDeployRequestNumber(std::string_view s) {
  ParsedNumber p;
  bool digits = !s.empty();
  for (char c : s) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    p.error = fmt::format("strconv.ParseUint: parsing {}: invalid syntax", GoQuote(s));
    return p;
  }
  uint64_t v = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : s) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (kMax - digit) / 10) {
      p.error = fmt::format("strconv.ParseUint: parsing {}: value out of range", GoQuote(s));
      return p;
    }
    v = v * 10 + digit;
  }
  p.value = v;
  return p;
}

// --- commands ------------------------------------------------------------------------------

namespace {

constexpr int kWaitSeconds = 1800;
constexpr const char* kReadPermission = "read_deploy_request";

std::string DeployRequestsPath(const Context& ctx, const std::string& db) {
  return ApiPath({"organizations", ctx.org(), "databases", db, "deploy-requests"});
}
std::string DeployRequestPath(const Context& ctx, const std::string& db, uint64_t n,
                              std::string_view suffix = "") {
  std::string number = std::to_string(n);
  std::string path = ApiPath({"organizations", ctx.org(), "databases", db, "deploy-requests", number});
  if (!suffix.empty()) path += "/" + std::string(suffix);
  return path;
}
std::string DeployRequestMissing(const Context& ctx, const std::string& db, const std::string& n) {
  return fmt::format("deploy request '{}/{}' does not exist in organization {}", db, n, ctx.org());
}
std::string DatabaseMissing(const Context& ctx, const std::string& db) {
  return fmt::format("database {} does not exist in organization {}", db, ctx.org());
}
std::string Name(Context& ctx, const std::string& db, uint64_t n) {
  return ctx.printer().BoldBlue(fmt::format("{}/{}", db, n));
}

// A number argument, or the "the argument <x> is invalid: ..." error.
Outcome ParseNumber(const std::string& arg, uint64_t& number) {
  ParsedNumber p = ParseDeployRequestNumber(arg);
  if (!p.value) return Classified(fmt::format("the argument {} is invalid: {}", arg, p.error));
  number = *p.value;
  return Success();
}

// A number, or a branch whose open deploy request is looked up.
Outcome ResolveNumber(Context& ctx, const std::string& db, const std::string& arg, uint64_t& number) {
  ParsedNumber p = ParseDeployRequestNumber(arg);
  if (p.value) {
    number = *p.value;
    return Success();
  }
  std::string path = DeployRequestsPath(ctx, db) + "?state=open&branch=" + UrlEscape(arg);
  ApiResult r = ctx.api().Get(path);
  if (!r.ok()) return ctx.Fail(r.error(), DatabaseMissing(ctx, db), kReadPermission);
  std::vector<json::object> items = ListItems(r.json());
  for (const auto& dr : items) {
    // Older servers may ignore the filter.
    if (StringAt(dr, "branch") == arg && (StringAt(dr, "state").empty() || StringAt(dr, "state") == "open")) {
      number = static_cast<uint64_t>(IntAt(dr, "number"));
      return Success();
    }
  }
  return Classified(fmt::format("no deploy requests found for branch {}", arg));
}

struct CreateFlags {
  std::string into;
  std::string notes;
};

Outcome Create(Context& ctx, const std::string& db, const std::string& branch, const CreateFlags& flags) {
  ctx.printer().StartSpinner(fmt::format("Request deploying of {} branch in {}...",
                                         ctx.printer().BoldBlue(branch), ctx.printer().BoldBlue(db)));
  json::object body;
  body["branch"] = branch;
  body["into_branch"] = flags.into;
  body["notes"] = flags.notes;
  ApiResult r = ctx.api().Post(DeployRequestsPath(ctx, db), body);
  if (!r.ok())
    return ctx.Fail(r.error(), fmt::format("database {} does not exist in {}", db, ctx.org()),
                    kReadPermission);
  ctx.printer().StopSpinner();
  const json::object& dr = AsObject(r.json());
  if (ctx.human()) {
    ctx.printer().Line(fmt::format(
        "Deploy request {} successfully created.\n\nView this deploy request in the browser: {}",
        ctx.printer().BoldBlue(fmt::format("#{}", IntAt(dr, "number"))), StringAt(dr, "html_url")));
    return Success();
  }
  return ctx.printer().Print(DeployRequestOutput(dr, ctx.now()));
}

Outcome List(Context& ctx, const std::string& db) {
  ctx.printer().StartSpinner(fmt::format("Fetching deploy requests for {}", ctx.printer().BoldBlue(db)));
  Listing l = FetchAllPages(ctx, DeployRequestsPath(ctx, db));
  if (l.error) return ctx.Fail(*l.error, DatabaseMissing(ctx, db), kReadPermission);
  Output o = DeployRequestsOutput(l.items, ctx.now());
  o.empty_message = fmt::format("No deploy requests exist for {}.", db);
  return ctx.printer().Print(o);
}

Outcome Get(Context& ctx, const std::string& db, uint64_t n, json::object& out) {
  ApiResult r = ctx.api().Get(DeployRequestPath(ctx, db, n));
  if (!r.ok()) return ctx.Fail(r.error(), DeployRequestMissing(ctx, db, std::to_string(n)), kReadPermission);
  out = AsObject(r.json());
  return Success();
}

Outcome Show(Context& ctx, const std::string& db, const std::string& arg) {
  uint64_t n = 0;
  if (Outcome o = ResolveNumber(ctx, db, arg, n)) return o;
  json::object dr;
  if (Outcome o = Get(ctx, db, n, dr)) return o;
  return ctx.printer().Print(DeployRequestOutput(dr, ctx.now()));
}

Outcome Diff(Context& ctx, const std::string& db, const std::string& arg) {
  uint64_t n = 0;
  if (Outcome o = ParseNumber(arg, n)) return o;
  ApiResult r = ctx.api().Get(DeployRequestPath(ctx, db, n, "diff"));
  if (!r.ok()) return ctx.Fail(r.error(), DeployRequestMissing(ctx, db, arg), kReadPermission);
  std::vector<json::object> diffs = ListItems(r.json());
  if (ctx.human()) {
    bool color = ctx.settings().color;
    for (const auto& d : diffs) {
      ctx.printer().Line("-- " + StringAt(d, "name") + " --");
      std::string raw = StringAt(d, "raw");
      size_t b = raw.find_first_not_of(" \t\r\n");
      size_t e = raw.find_last_not_of(" \t\r\n");
      raw = b == std::string::npos ? "" : raw.substr(b, e - b + 1);
      if (raw.empty()) continue;
      size_t start = 0;
      for (;;) {
        size_t nl = raw.find('\n', start);
        std::string line = raw.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (color && !line.empty() && line[0] == '+')
          line = "\x1b[32;1m" + line + "\x1b[0;22m";
        else if (!line.empty() && line[0] == '-')
          line = ctx.printer().BoldRed(line);
        ctx.printer().Line(line);
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
    return Success();
  }
  Output o;
  CsvTable csv{{"Name", "Raw", "HTML"}, {}};
  json::array arr;
  for (const auto& d : diffs) {
    csv.rows.push_back({StringAt(d, "name"), StringAt(d, "raw"), StringAt(d, "html")});
    arr.push_back(Project(
        d, {{"name", FieldKind::kString}, {"raw", FieldKind::kString}, {"html", FieldKind::kString}}));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return ctx.printer().Print(o);
}

struct ReviewFlags {
  bool approve = false;
  std::string comment;
};

Outcome Review(Context& ctx, const std::string& db, const std::string& arg, const ReviewFlags& flags) {
  if (!flags.approve && flags.comment.empty()) return Classified("neither --approve nor --comment is set");
  uint64_t n = 0;
  if (Outcome o = ParseNumber(arg, n)) return o;
  json::object body;
  body["state"] = flags.approve ? "approved" : "commented";
  if (!flags.comment.empty()) body["body"] = flags.comment;
  ApiResult r = ctx.api().Post(DeployRequestPath(ctx, db, n, "reviews"), body);
  if (!r.ok()) return ctx.Fail(r.error(), DeployRequestMissing(ctx, db, arg), kReadPermission);
  if (ctx.human()) {
    ctx.printer().Line(flags.approve
                           ? fmt::format("Deploy request {} is approved.", Name(ctx, db, n))
                           : fmt::format("A comment is added to the deploy request {}.", Name(ctx, db, n)));
    return Success();
  }
  Output o;
  o.json = DeployRequestReviewJson(AsObject(r.json()));
  o.escape_html = true;
  o.csv_go_type = "planetscale.DeployRequestReview";
  return ctx.printer().Print(o);
}

// The deployment's own error text, when the server gives one.
std::string DeploymentError(const json::object& dr) {
  const json::object& d = ObjectAt(dr, "deployment");
  for (const char* key : {"error", "error_message", "message"}) {
    std::string e = StringAt(d, key);
    if (!e.empty()) return e;
  }
  std::string e = StringAt(dr, "error");
  return e;
}

Outcome WaitDeployed(Context& ctx, const std::string& db, uint64_t n, json::object& latest,
                     std::string& done) {
  ctx.printer().StartSpinner(fmt::format("Waiting until deploy request {} is deployed...", Name(ctx, db, n)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kWaitSeconds);
  for (;;) {
    if (Outcome o = Get(ctx, db, n, latest)) return o;
    std::string state = StringAt(latest, "deployment_state");
    if (state.empty()) state = StringAt(ObjectAt(latest, "deployment"), "state");
    if (state == "complete" || state == "no_changes" || state == "complete_revert") {
      done = fmt::format("Deploy request {} is successfully deployed.", Name(ctx, db, n));
      return Success();
    }
    if (state == "complete_pending_revert") {
      done = fmt::format(
          "Deploy request {} is successfully deployed and revertable. You can skip the revert to unblock the "
          "deploy queue.",
          Name(ctx, db, n));
      return Success();
    }
    if (state == "pending_cutover") {
      done = fmt::format("Deploy request {} is successfully staged and waiting to be applied.",
                         Name(ctx, db, n));
      return Success();
    }
    if (state == "complete_error" || state == "error" || state == "complete_cancel" || state == "cancelled" ||
        state == "complete_revert_error") {
      std::string why = DeploymentError(latest);
      if (why.empty()) why = "deployment state " + state;
      return Classified(fmt::format("deploy request {}/{} failed to deploy: {}", db, n, why));
    }
    if (std::chrono::steady_clock::now() > deadline)
      return Classified(
          fmt::format("deploy request {}/{} was not deployed within {} seconds", db, n, kWaitSeconds));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

Outcome Deploy(Context& ctx, const std::string& db, const std::string& arg, bool wait) {
  uint64_t n = 0;
  if (Outcome o = ResolveNumber(ctx, db, arg, n)) return o;
  ApiResult r = ctx.api().Post(DeployRequestPath(ctx, db, n, "deploy"), json::object());
  if (!r.ok()) return ctx.Fail(r.error(), DeployRequestMissing(ctx, db, std::to_string(n)), kReadPermission);
  json::object dr = AsObject(r.json());
  ctx.printer().Line(fmt::format("Successfully queued deploy request {} from {} for deployment to {}.",
                                 Name(ctx, db, n), ctx.printer().BoldBlue(StringAt(dr, "branch")),
                                 ctx.printer().BoldBlue(StringAt(dr, "into_branch"))));
  if (!wait) {
    if (ctx.human()) return Success();
    return ctx.printer().Print(DeployRequestOutput(dr, ctx.now()));
  }
  std::string done;
  if (Outcome o = WaitDeployed(ctx, db, n, dr, done)) return o;
  ctx.printer().StopSpinner();
  if (ctx.human()) {
    ctx.printer().Line(done);
    ctx.printer().Line("");
  }
  return ctx.printer().Print(DeployRequestOutput(dr, ctx.now()));
}

Outcome Close(Context& ctx, const std::string& db, const std::string& arg) {
  uint64_t n = 0;
  if (Outcome o = ParseNumber(arg, n)) return o;
  json::object body;
  body["state"] = "closed";
  ApiResult r = ctx.api().Patch(DeployRequestPath(ctx, db, n), body);
  if (!r.ok()) return ctx.Fail(r.error(), DeployRequestMissing(ctx, db, arg), kReadPermission);
  if (ctx.human()) {
    ctx.printer().Line(fmt::format("Deploy request {} was successfully closed.", Name(ctx, db, n)));
    return Success();
  }
  return ctx.printer().Print(DeployRequestOutput(AsObject(r.json()), ctx.now()));
}

Outcome Cancel(Context& ctx, const std::string& db, const std::string& arg) {
  uint64_t n = 0;
  if (Outcome o = ParseNumber(arg, n)) return o;
  ApiResult r = ctx.api().Post(DeployRequestPath(ctx, db, n, "cancel"), json::object());
  if (!r.ok()) return ctx.Fail(r.error(), DeployRequestMissing(ctx, db, arg), kReadPermission);
  if (ctx.human()) {
    ctx.printer().Line(
        fmt::format("Deploy request {} deployment was successfully cancelled.", Name(ctx, db, n)));
    return Success();
  }
  const json::object& dr = AsObject(r.json());
  if (dr.empty()) {
    json::object again;
    if (Outcome o = Get(ctx, db, n, again)) return o;
    return ctx.printer().Print(DeployRequestOutput(again, ctx.now()));
  }
  return ctx.printer().Print(DeployRequestOutput(dr, ctx.now()));
}

}  // namespace

void AddDeployRequestCommands(CommandTree& tree) {
  CLI::App* group =
      tree.AddGroup(&tree.root(), "deploy-request", "Create, review, diff, and manage deploy requests", true);
  group->alias("dr");

  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create = tree.AddCommand(
      group, "create", "Create a deploy request from a branch", {.args = {"database", "branch"}},
      [=](Context& ctx, const auto& a) { return Create(ctx, a[0], a[1], *create_flags); });
  create->add_option("--into", create_flags->into,
                     "Branch to deploy the branch into. By default it's the parent branch");
  create->add_option("--notes", create_flags->notes, "Notes to include with the deploy request");

  CLI::App* list =
      tree.AddCommand(group, "list", "List all deploy requests for a database", {.args = {"database"}},
                      [](Context& ctx, const auto& a) { return List(ctx, a[0]); });
  list->alias("ls");

  tree.AddCommand(group, "show", "Show a specific deploy request", {.args = {"database", "number|branch"}},
                  [](Context& ctx, const auto& a) { return Show(ctx, a[0], a[1]); });

  tree.AddCommand(group, "diff", "Show the diff of a deploy request", {.args = {"database", "number"}},
                  [](Context& ctx, const auto& a) { return Diff(ctx, a[0], a[1]); });

  auto review_flags = std::make_shared<ReviewFlags>();
  CLI::App* review = tree.AddCommand(
      group, "review", "Review a deploy request (approve, comment, etc...)", {.args = {"database", "number"}},
      [=](Context& ctx, const auto& a) { return Review(ctx, a[0], a[1], *review_flags); });
  review->add_flag("--approve", review_flags->approve, "Approve a deploy request");
  review->add_option("--comment", review_flags->comment, "Comment on a deploy request");

  auto wait = std::make_shared<bool>(false);
  CLI::App* deploy = tree.AddCommand(
      group, "deploy", "Deploy a specific deploy request", {.args = {"database", "number|branch"}},
      [=](Context& ctx, const auto& a) { return Deploy(ctx, a[0], a[1], *wait); });
  deploy->add_flag("--wait", *wait, "Wait for the deploy request to be deployed");

  tree.AddCommand(group, "close", "Close a deploy request", {.args = {"database", "number"}},
                  [](Context& ctx, const auto& a) { return Close(ctx, a[0], a[1]); });

  tree.AddCommand(group, "cancel", "Cancel a queued deploy request", {.args = {"database", "number"}},
                  [](Context& ctx, const auto& a) { return Cancel(ctx, a[0], a[1]); });
}

}  // namespace opscale::cli
