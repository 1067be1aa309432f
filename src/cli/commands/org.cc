// pscale org: list (works under a service token), show (config files only), switch.
#include <filesystem>
#include <memory>

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/config.h"
#include "cli/humanize.h"
#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

// The org the CLI would use without --org ("" when none is configured).
std::string CurrentOrg(Context& ctx) {
  if (!ctx.settings().org_env.empty()) return ctx.settings().org_env;
  return ctx.OrgFromFiles().org;
}

Outcome List(Context& ctx) {
  Listing l = FetchAllPages(ctx, ApiPath({"organizations"}));
  if (l.error) return ctx.Fail(*l.error, l.error->message.empty() ? "Not Found" : l.error->message);
  std::string current = CurrentOrg(ctx);
  Output o;
  o.table.headers = {"NAME", "CREATED AT", "UPDATED AT", "CURRENT"};
  o.empty_message = "No organizations exist";
  CsvTable csv{{"Name", "CreatedAt", "UpdatedAt", "Current"}, {}};
  json::array arr;
  for (const auto& org : l.items) {
    std::string name = StringAt(org, "name");
    bool is_current = !current.empty() && name == current;
    int64_t created = TimeAt(org, "created_at");
    int64_t updated = TimeAt(org, "updated_at");
    o.table.rows.push_back({is_current ? "* " + name : name, TimeCell(created, ctx.now()),
                            TimeCell(updated, ctx.now()), YesNo(is_current)});
    csv.rows.push_back({name, MsText(created), MsText(updated), TrueFalse(is_current)});
    json::object item;
    item["name"] = name;
    item["created_at"] = created;
    item["updated_at"] = updated;
    item["current"] = is_current;
    arr.push_back(std::move(item));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return ctx.printer().Print(o);
}

Outcome Show(Context& ctx) {
  Context::FileOrg found = ctx.OrgFromFiles();
  if (!found.any_file) return Classified("not authenticated yet. Please run 'pscale auth login'");
  if (found.org.empty()) return Classified("config file exists, but organization is not set");
  Printer& p = ctx.printer();
  switch (p.format()) {
    case Format::kHuman: p.Line(fmt::format("{} (from file: {})", p.BoldBlue(found.org), found.path)); break;
    case Format::kJson: {
      json::object o;
      o["org"] = found.org;
      p.Json(o);
      break;
    }
    case Format::kCsv: *ctx.io().out << RenderCsv(CsvTable{{"Org"}, {{found.org}}}) << '\n'; break;
  }
  return Success();
}

Outcome Switch(Context& ctx, const std::string& org, const std::string& save_config) {
  ctx.printer().StartSpinner(fmt::format("Checking organization {}...", ctx.printer().BoldBlue(org)));
  ApiResult r = ctx.api().Get(ApiPath({"organizations", org}));
  if (!r.ok())
    return ctx.Fail(r.error(), fmt::format("organization {} does not exist", org), "read_organization");
  ctx.printer().StopSpinner();

  std::string path = save_config;
  if (path.empty()) {
    std::error_code ec;
    path = std::filesystem::exists(ctx.settings().project_config_path, ec)
               ? ctx.settings().project_config_path
               : ctx.settings().config_path;
  }
  ConfigValues values = ReadConfigFile(path).value_or(ConfigValues{});
  values.org = org;
  Status st = WriteConfigFile(path, values);
  if (!st.ok()) return Classified(st.message());
  ctx.printer().Line(fmt::format("Successfully switched to organization {} (using file: {})",
                                 ctx.printer().BoldBlue(org), path));
  return Success();
}

}  // namespace

void AddOrgCommands(CommandTree& tree) {
  CLI::App* group = tree.AddGroup(&tree.root(), "org", "List, show, and switch organizations", false);

  CLI::App* list = tree.AddCommand(group, "list", "List the organizations for the current user",
                                   {.needs_org = false}, [](Context& ctx, const auto&) { return List(ctx); });
  list->alias("ls");

  tree.AddCommand(group, "show", "Display the currently active organization",
                  {.needs_auth = false, .needs_org = false},
                  [](Context& ctx, const auto&) { return Show(ctx); });

  auto save_config = std::make_shared<std::string>();
  CLI::App* sw =
      tree.AddCommand(group, "switch", "Switch the currently active organization",
                      {.args = {"organization"}, .needs_org = false, .usage_on_bad_args = true},
                      [=](Context& ctx, const auto& a) { return Switch(ctx, a[0], *save_config); });
  sw->add_option("--save-config", *save_config,
                 "Path to store the organization. By default the configuration is "
                 "deducted automatically based on where pscale is executed.");
}

}  // namespace opscale::cli
