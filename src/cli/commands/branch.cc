// pscale branch: create, list, show, delete. Each first reads the database, as pscale does
// (it learns the engine kind that way).
#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/humanize.h"
#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

constexpr int kWaitSeconds = 600;

std::string DatabasePath(const Context& ctx, const std::string& db) {
  return ApiPath({"organizations", ctx.org(), "databases", db});
}
std::string BranchesPath(const Context& ctx, const std::string& db) {
  return ApiPath({"organizations", ctx.org(), "databases", db, "branches"});
}
std::string BranchPath(const Context& ctx, const std::string& db, const std::string& branch) {
  return ApiPath({"organizations", ctx.org(), "databases", db, "branches", branch});
}
std::string BranchMissing(const Context& ctx, const std::string& db, const std::string& branch) {
  return fmt::format("branch {} does not exist in database {} (organization: {})", branch, db, ctx.org());
}

// GET database; the error uses the command's own not-found text.
Outcome CheckDatabase(Context& ctx, const std::string& db, const std::string& not_found,
                      const std::string& permission) {
  ApiResult r = ctx.api().Get(DatabasePath(ctx, db));
  if (!r.ok()) return ctx.Fail(r.error(), not_found, permission);
  return Success();
}

Output BranchesOutput(const Context& ctx, const std::vector<json::object>& branches) {
  Output o;
  o.table.headers = {"ID",    "NAME",       "PARENT BRANCH", "REGION", "PRODUCTION", "SAFE MIGRATIONS",
                     "READY", "CREATED AT", "UPDATED AT"};
  o.escape_html = true;
  CsvTable csv{{"ID", "Name", "ParentBranch", "Region", "Production", "SafeMigrations", "Ready", "CreatedAt",
                "UpdatedAt"},
               {}};
  json::array arr;
  for (const auto& b : branches) {
    std::string parent = StringAt(b, "parent_branch");
    std::string region = StringAt(ObjectAt(b, "region"), "slug");
    o.table.rows.push_back({StringAt(b, "id"), StringAt(b, "name"), parent.empty() ? "n/a" : parent, region,
                            YesNo(BoolAt(b, "production")), YesNo(BoolAt(b, "safe_migrations")),
                            YesNo(BoolAt(b, "ready")), TimeCell(TimeAt(b, "created_at"), ctx.now()),
                            TimeCell(TimeAt(b, "updated_at"), ctx.now())});
    csv.rows.push_back({StringAt(b, "id"), StringAt(b, "name"), parent, region,
                        TrueFalse(BoolAt(b, "production")), TrueFalse(BoolAt(b, "safe_migrations")),
                        TrueFalse(BoolAt(b, "ready")), MsText(TimeAt(b, "created_at")),
                        MsText(TimeAt(b, "updated_at"))});
    arr.push_back(BranchJson(b));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return o;
}

Output BranchOutput(const Context& ctx, const json::object& branch) {
  Output o = BranchesOutput(ctx, {branch});
  o.json = BranchJson(branch);
  return o;
}

struct CreateFlags {
  std::string from;
  std::string region;
  std::string cluster_size;
  bool wait = false;
};

Outcome WaitReady(Context& ctx, const std::string& db, const std::string& branch, json::object& latest) {
  ctx.printer().StartSpinner(
      fmt::format("Waiting until branch {} is ready...", ctx.printer().BoldBlue(branch)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kWaitSeconds);
  for (;;) {
    ApiResult r = ctx.api().Get(BranchPath(ctx, db, branch));
    if (!r.ok()) return ctx.Fail(r.error(), BranchMissing(ctx, db, branch), "read_branch");
    latest = AsObject(r.json());
    if (BoolAt(latest, "ready") || !latest.contains("ready")) return Success();
    if (std::chrono::steady_clock::now() > deadline)
      return Classified(
          fmt::format("branch {} did not become ready within {} seconds", branch, kWaitSeconds));
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

Outcome Create(Context& ctx, const std::string& db, const std::string& branch, const CreateFlags& flags) {
  std::string db_missing = fmt::format("source database {} does not exist in organization {}", db, ctx.org());
  if (Outcome o = CheckDatabase(ctx, db, db_missing, "create_branch")) return o;
  ctx.printer().StartSpinner(fmt::format("Creating branch from {}...", ctx.printer().BoldBlue(db)));
  json::object body;
  body["name"] = branch;
  if (!flags.from.empty()) body["parent_branch"] = flags.from;
  if (!flags.region.empty()) body["region"] = flags.region;
  if (!flags.cluster_size.empty()) body["cluster_size"] = flags.cluster_size;
  ApiResult r = ctx.api().Post(BranchesPath(ctx, db), body);
  if (!r.ok()) {
    std::string missing =
        flags.from.empty() ? db_missing
                           : fmt::format("source branch {} or database {} does not exist (organization: {})",
                                         flags.from, db, ctx.org());
    return ctx.Fail(r.error(), missing, "create_branch");
  }
  json::object created = AsObject(r.json());
  if (flags.wait) {
    if (Outcome o = WaitReady(ctx, db, branch, created)) return o;
  }
  ctx.printer().StopSpinner();
  if (ctx.human()) {
    ctx.printer().Line(
        fmt::format("Branch {} was successfully created.\n\nView this branch in the browser: {}",
                    ctx.printer().BoldBlue(branch), StringAt(created, "html_url")));
    return Success();
  }
  return ctx.printer().Print(BranchOutput(ctx, created));
}

struct ListFlags {
  int page = 0;  // 0: every page (or page 1 when --per-page is given)
  int per_page = 0;
};

Outcome List(Context& ctx, const std::string& db, const ListFlags& flags) {
  std::string missing = fmt::format("database {} does not exist in organization {}", db, ctx.org());
  if (Outcome o = CheckDatabase(ctx, db, missing, "read_branch")) return o;
  ctx.printer().StartSpinner(fmt::format("Fetching branches for {}", ctx.printer().BoldBlue(db)));
  bool paged = flags.page > 0 || flags.per_page > 0;
  Listing l = paged ? FetchPage(ctx, BranchesPath(ctx, db), std::max(flags.page, 1),
                                flags.per_page > 0 ? flags.per_page : 100)
                    : FetchAllPages(ctx, BranchesPath(ctx, db));
  if (l.error) return ctx.Fail(*l.error, missing, "read_branch");
  Output o = BranchesOutput(ctx, l.items);
  o.empty_message = paged ? "No branches found on this page." : fmt::format("No branches exist in {}.", db);
  return ctx.printer().Print(o);
}

Outcome Show(Context& ctx, const std::string& db, const std::string& branch) {
  std::string missing = fmt::format("database {} does not exist (organization: {})", db, ctx.org());
  if (Outcome o = CheckDatabase(ctx, db, missing, "read_branch")) return o;
  ctx.printer().StartSpinner(
      fmt::format("Fetching branch {} for {}", ctx.printer().BoldBlue(branch), ctx.printer().BoldBlue(db)));
  ApiResult r = ctx.api().Get(BranchPath(ctx, db, branch));
  if (!r.ok()) return ctx.Fail(r.error(), BranchMissing(ctx, db, branch), "read_branch");
  return ctx.printer().Print(BranchOutput(ctx, AsObject(r.json())));
}

struct DeleteFlags {
  bool force = false;
  bool delete_descendants = false;
};

Outcome Delete(Context& ctx, const std::string& db, const std::string& branch, const DeleteFlags& flags) {
  std::string missing = fmt::format("database {} does not exist in organization {}", db, ctx.org());
  if (Outcome o = CheckDatabase(ctx, db, missing, "delete_branch")) return o;
  if (Outcome o = ctx.ConfirmDeletion("branch", db + "/" + branch, flags.force,
                                      "incorrect database and branch name entered, skipping branch deletion"))
    return o;
  ctx.printer().StartSpinner(
      fmt::format("Deleting branch {} from {}", ctx.printer().BoldBlue(branch), ctx.printer().BoldBlue(db)));
  std::string path = BranchPath(ctx, db, branch);
  if (flags.delete_descendants) path += "?delete_descendants=true";
  ApiResult r = ctx.api().Delete(path);
  if (!r.ok()) return ctx.Fail(r.error(), BranchMissing(ctx, db, branch), "delete_branch");
  json::object result;
  result["branch"] = branch;
  result["result"] = "branch deleted";
  return PrintMapResult(ctx,
                        fmt::format("Branch {} was successfully deleted from {}.",
                                    ctx.printer().BoldBlue(branch), ctx.printer().BoldBlue(db)),
                        result);
}

}  // namespace

void AddBranchCommands(CommandTree& tree) {
  CLI::App* group = tree.AddGroup(&tree.root(), "branch", "Create, delete, and manage branches", true);

  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create = tree.AddCommand(
      group, "create", "Create a new branch from a database", {.args = {"database", "branch"}},
      [=](Context& ctx, const auto& a) { return Create(ctx, a[0], a[1], *create_flags); });
  create->add_option("--from", create_flags->from, "Parent branch to create the new branch from");
  create->add_option("--region", create_flags->region, "Region where the branch will be available");
  create->add_option("--cluster-size", create_flags->cluster_size, "Cluster size for the branch");
  create->add_flag("--wait", create_flags->wait, "Wait until the branch is ready");

  auto list_flags = std::make_shared<ListFlags>();
  CLI::App* list = tree.AddCommand(group, "list", "List all branches of a database", {.args = {"database"}},
                                   [=](Context& ctx, const auto& a) { return List(ctx, a[0], *list_flags); });
  list->alias("ls");
  list->add_option("--page", list_flags->page, "Page number to fetch");
  list->add_option("--per-page", list_flags->per_page, "Number of branches per page (default 100)");

  tree.AddCommand(group, "show", "Show a specific branch of a database", {.args = {"database", "branch"}},
                  [](Context& ctx, const auto& a) { return Show(ctx, a[0], a[1]); });

  auto delete_flags = std::make_shared<DeleteFlags>();
  CLI::App* del =
      tree.AddCommand(group, "delete", "Delete a branch from a database", {.args = {"database", "branch"}},
                      [=](Context& ctx, const auto& a) { return Delete(ctx, a[0], a[1], *delete_flags); });
  del->add_flag("--force", delete_flags->force, "Delete a branch without confirmation");
  del->add_flag("--delete-descendants", delete_flags->delete_descendants,
                "Also delete the branch's descendants");
}

}  // namespace opscale::cli
