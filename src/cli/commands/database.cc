// pscale database (alias db): create, list, show, update, delete.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
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

std::string DatabasesPath(const Context& ctx) {
  return ApiPath({"organizations", ctx.org(), "databases"});
}
std::string DatabasePath(const Context& ctx, const std::string& db) {
  return ApiPath({"organizations", ctx.org(), "databases", db});
}

std::string DatabaseMissing(const Context& ctx, const std::string& db) {
  return fmt::format("database {} does not exist in organization {}", db, ctx.org());
}

Output DatabasesOutput(const Context& ctx, const std::vector<json::object>& dbs) {
  Output o;
  o.table.headers = {"NAME", "KIND", "CREATED AT", "UPDATED AT"};
  o.escape_html = true;
  CsvTable csv{{"Name", "Kind", "CreatedAt", "UpdatedAt"}, {}};
  json::array arr;
  for (const auto& d : dbs) {
    o.table.rows.push_back({StringAt(d, "name"), StringAt(d, "kind"),
                            TimeCell(TimeAt(d, "created_at"), ctx.now()),
                            TimeCell(TimeAt(d, "updated_at"), ctx.now())});
    csv.rows.push_back({StringAt(d, "name"), StringAt(d, "kind"), MsText(TimeAt(d, "created_at")),
                        MsText(TimeAt(d, "updated_at"))});
    arr.push_back(DatabaseJson(d));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return o;
}

Output DatabaseOutput(const Context& ctx, const json::object& db) {
  Output o = DatabasesOutput(ctx, {db});
  o.json = DatabaseJson(db);
  return o;
}

struct CreateFlags {
  std::string region;
  std::string cluster_size = "PS-10";
  bool wait = false;
};

// Polls the database until its state is "ready".
Outcome WaitReady(Context& ctx, const std::string& db, json::object& latest) {
  ctx.printer().StartSpinner(
      fmt::format("Waiting until database {} is ready...", ctx.printer().BoldBlue(db)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kWaitSeconds);
  for (;;) {
    ApiResult r = ctx.api().Get(DatabasePath(ctx, db));
    if (!r.ok()) return ctx.Fail(r.error(), DatabaseMissing(ctx, db), "read_database");
    latest = AsObject(r.json());
    std::string state = StringAt(latest, "state");
    if (state.empty() || state == "ready") return Success();
    if (std::chrono::steady_clock::now() > deadline)
      return Classified(fmt::format("database {} did not become ready within {} seconds", db, kWaitSeconds));
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

Outcome Create(Context& ctx, const std::string& db, const CreateFlags& flags) {
  ctx.printer().StartSpinner("Creating database...");
  json::object body;
  body["name"] = db;
  body["cluster_size"] = flags.cluster_size;
  if (!flags.region.empty()) body["region"] = flags.region;
  ApiResult r = ctx.api().Post(DatabasesPath(ctx), body);
  if (!r.ok())
    return ctx.Fail(r.error(), fmt::format("organization {} does not exist", ctx.org()), "create_databases");
  json::object created = AsObject(r.json());
  if (flags.wait) {
    if (Outcome o = WaitReady(ctx, db, created)) return o;
  }
  ctx.printer().StopSpinner();
  if (ctx.human()) {
    ctx.printer().Line(
        fmt::format("Database {} was successfully created.\n\nView this database in the browser: {}",
                    ctx.printer().BoldBlue(db), StringAt(created, "html_url")));
    return Success();
  }
  return ctx.printer().Print(DatabaseOutput(ctx, created));
}

struct ListFlags {
  int page = 0;  // 0: every page (or page 1 when --per-page is given)
  int per_page = 0;
};

Outcome List(Context& ctx, const ListFlags& flags) {
  ctx.printer().StartSpinner("Fetching databases...");
  bool paged = flags.page > 0 || flags.per_page > 0;
  Listing l = paged ? FetchPage(ctx, DatabasesPath(ctx), std::max(flags.page, 1),
                                flags.per_page > 0 ? flags.per_page : 100)
                    : FetchAllPages(ctx, DatabasesPath(ctx));
  if (l.error)
    return ctx.Fail(
        *l.error,
        fmt::format("organization {} does not exist or your account is not authorized to access it",
                    ctx.org()),
        "read_databases");
  Output o = DatabasesOutput(ctx, l.items);
  o.empty_message = paged ? "No databases found on this page." : "No databases have been created yet.";
  return ctx.printer().Print(o);
}

Outcome Show(Context& ctx, const std::string& db) {
  ctx.printer().StartSpinner(fmt::format("Fetching database {}...", ctx.printer().BoldBlue(db)));
  ApiResult r = ctx.api().Get(DatabasePath(ctx, db));
  if (!r.ok()) return ctx.Fail(r.error(), DatabaseMissing(ctx, db), "read_database");
  return ctx.printer().Print(DatabaseOutput(ctx, AsObject(r.json())));
}

struct UpdateFlags {
  std::string require_approval;  // "" when not given; Go strconv.ParseBool text otherwise
  std::optional<std::string> notes;
};

// Go's strconv.ParseBool.
std::optional<bool> ParseGoBool(const std::string& s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return false;
  return std::nullopt;
}

Outcome Update(Context& ctx, const std::string& db, const UpdateFlags& flags) {
  json::object body;
  if (!flags.require_approval.empty()) {
    std::optional<bool> b = ParseGoBool(flags.require_approval);
    if (!b)
      return Classified(fmt::format(
          "invalid argument \"{}\" for \"--require-approval\" flag: "
          "strconv.ParseBool: parsing \"{}\": invalid syntax",
          flags.require_approval, flags.require_approval));
    body["require_approval_for_deploy"] = *b;
  }
  if (flags.notes) body["notes"] = *flags.notes;
  if (body.empty()) return Classified("nothing to update: set --require-approval or --notes");
  ApiResult r = ctx.api().Patch(DatabasePath(ctx, db), body);
  if (!r.ok()) return ctx.Fail(r.error(), DatabaseMissing(ctx, db), "write_database");
  if (ctx.human()) {
    ctx.printer().Line(fmt::format("Database {} was successfully updated.", ctx.printer().BoldBlue(db)));
    return Success();
  }
  return ctx.printer().Print(DatabaseOutput(ctx, AsObject(r.json())));
}

Outcome Delete(Context& ctx, const std::string& db, bool force) {
  Outcome confirm = ctx.ConfirmDeletion(
      "database", db, force, "incorrect database name entered, skipping database deletion", [&]() -> Outcome {
        ApiResult r = ctx.api().Get(DatabasePath(ctx, db));
        if (!r.ok()) return ctx.Fail(r.error(), DatabaseMissing(ctx, db), "read_database");
        return Success();
      });
  if (confirm) return confirm;
  ctx.printer().StartSpinner(fmt::format("Deleting database {}...", ctx.printer().BoldBlue(db)));
  ApiResult r = ctx.api().Delete(DatabasePath(ctx, db));
  if (!r.ok()) return ctx.Fail(r.error(), DatabaseMissing(ctx, db), "delete_database");
  ctx.printer().StopSpinner();
  if (r.json().is_object() && !r.json().get_object().empty()) {
    CliError e = Classified(fmt::format(
        "A deletion request for database {} was successfully created. Database will be deleted after another "
        "database administrator also requests deletion.",
        db));
    e.exit_code = 1;
    e.action_required = true;
    e.code = "ACTION_REQUIRED";
    return e;
  }
  json::object result;
  result["database"] = db;
  result["result"] = "database deleted";
  return PrintMapResult(ctx, fmt::format("Database {} was successfully deleted.", ctx.printer().BoldBlue(db)),
                        result);
}

}  // namespace

void AddDatabaseCommands(CommandTree& tree) {
  CLI::App* group =
      tree.AddGroup(&tree.root(), "database", "Create, read, delete, and update databases", true);
  group->alias("db");

  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create =
      tree.AddCommand(group, "create", "Create a database instance", {.args = {"database"}},
                      [=](Context& ctx, const auto& a) { return Create(ctx, a[0], *create_flags); });
  create->add_option("--region", create_flags->region, "Region for the database");
  create->add_option("--cluster-size", create_flags->cluster_size,
                     "Cluster size for the database (default \"PS-10\")");
  create->add_flag("--wait", create_flags->wait, "Wait until the database is ready");

  auto list_flags = std::make_shared<ListFlags>();
  CLI::App* list = tree.AddCommand(group, "list", "List databases", {},
                                   [=](Context& ctx, const auto&) { return List(ctx, *list_flags); });
  list->alias("ls");
  list->add_option("--page", list_flags->page, "Page number to fetch");
  list->add_option("--per-page", list_flags->per_page, "Number of databases per page (default 100)");

  tree.AddCommand(group, "show", "Retrieve information about a database", {.args = {"database"}},
                  [](Context& ctx, const auto& a) { return Show(ctx, a[0]); });

  auto update_flags = std::make_shared<UpdateFlags>();
  CLI::App* update =
      tree.AddCommand(group, "update", "Update a database's settings", {.args = {"database"}},
                      [=](Context& ctx, const auto& a) { return Update(ctx, a[0], *update_flags); });
  update->add_option("--require-approval", update_flags->require_approval,
                     "Require an approving review before a deploy request can be deployed (true|false)");
  update->add_option("--notes", update_flags->notes, "Notes for the database");

  auto force = std::make_shared<bool>(false);
  CLI::App* del = tree.AddCommand(group, "delete", "Delete a database instance", {.args = {"database"}},
                                  [=](Context& ctx, const auto& a) { return Delete(ctx, a[0], *force); });
  del->add_flag("--force", *force, "Delete a database without confirmation");
}

}  // namespace opscale::cli
