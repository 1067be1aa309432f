// pscale service-token: create, list, show, show-access, add-access, delete-access, delete.
// Unlike pscale, these also run under a service token: opscaled decides (write_service_tokens
// and friends).
#include <algorithm>
#include <map>
#include <memory>

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "auth/access.h"
#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/humanize.h"
#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

std::string TokensPath(const Context& ctx) {
  return ApiPath({"organizations", ctx.org(), "service-tokens"});
}
std::string TokenPath(const Context& ctx, const std::string& id) {
  return ApiPath({"organizations", ctx.org(), "service-tokens", id});
}

// Table, JSON and CSV of tokens as `list` prints them.
Output TokenListOutput(const Context& ctx, const std::vector<json::object>& tokens, bool show_json) {
  Output o;
  o.table.headers = {"ID", "NAME", "LAST USED AT", "EXPIRES AT", "CREATED AT"};
  o.empty_message = "No service tokens have been created yet.";
  o.escape_html = true;
  CsvTable csv{{"ID", "Name", "LastUsedAt", "ExpiresAt", "CreatedAt"}, {}};
  json::array arr;
  for (const auto& t : tokens) {
    o.table.rows.push_back(
        {StringAt(t, "id"), StringAt(t, "name"), TimeCell(TimeAt(t, "last_used_at"), ctx.now()),
         TimeCell(TimeAt(t, "expires_at"), ctx.now()), TimeCell(TimeAt(t, "created_at"), ctx.now())});
    csv.rows.push_back({StringAt(t, "id"), StringAt(t, "name"), MsText(TimeAt(t, "last_used_at")),
                        MsText(TimeAt(t, "expires_at")), MsText(TimeAt(t, "created_at"))});
    arr.push_back(show_json ? ServiceTokenShowJson(t) : ServiceTokenJson(t, false));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return o;
}

// One row per resource: name, type and the accesses held on it.
struct ResourceAccesses {
  std::string name;
  std::string type;
  std::vector<std::string> accesses;
};

Output AccessOutput(const std::vector<ResourceAccesses>& resources) {
  Output o;
  o.table.headers = {"RESOURCE NAME", "RESOURCE TYPE", "ACCESSES"};
  CsvTable csv{{"ResourceName", "ResourceType", "Accesses"}, {}};
  json::array arr;
  for (const auto& r : resources) {
    o.table.rows.push_back({r.name, r.type, Join(r.accesses, ", ")});
    csv.rows.push_back({r.name, r.type, CsvStringList(r.accesses)});
    json::object item;
    item["resource_name"] = r.name;
    item["resource_type"] = r.type;
    json::array acc;
    for (const auto& a : r.accesses) acc.emplace_back(a);
    item["accesses"] = std::move(acc);
    arr.push_back(std::move(item));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return o;
}

// Groups ServiceTokenAccess items ({access, resource{name,type}} or resource_name/type) by
// resource, in order of first appearance.
std::vector<ResourceAccesses> GroupAccesses(const std::vector<json::object>& items) {
  std::vector<ResourceAccesses> out;
  for (const auto& item : items) {
    const json::object& res = ObjectAt(item, "resource");
    std::string name = StringAt(res, "name");
    if (name.empty()) name = StringAt(item, "resource_name");
    std::string type = StringAt(res, "type");
    if (type.empty()) type = StringAt(item, "resource_type");
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& r) { return r.name == name && r.type == type; });
    if (it == out.end()) {
      out.push_back({name, type, {}});
      it = out.end() - 1;
    }
    it->accesses.push_back(StringAt(item, "access"));
  }
  return out;
}

Outcome Create(Context& ctx, const std::string& name, int64_t ttl) {
  ctx.printer().StartSpinner(
      fmt::format("Creating service token in org {}", ctx.printer().BoldBlue(ctx.org())));
  json::object body;
  if (!name.empty()) body["name"] = name;
  if (ttl > 0) body["ttl"] = ttl;
  ApiResult r = ctx.api().Post(TokensPath(ctx), body);
  if (!r.ok())
    return ctx.Fail(r.error(), fmt::format("organization {} does not exist", ctx.org()),
                    "write_service_tokens");
  const json::object& t = AsObject(r.json());
  Output o;
  o.table.headers = {"ID", "NAME", "TOKEN", "EXPIRES AT", "CREATED AT"};
  o.table.rows.push_back({StringAt(t, "id"), StringAt(t, "name"), StringAt(t, "token"),
                          TimeCell(TimeAt(t, "expires_at"), ctx.now()),
                          TimeCell(TimeAt(t, "created_at"), ctx.now())});
  o.json = ServiceTokenJson(t, true);
  o.escape_html = true;
  o.csv_go_type = "token.ServiceTokenWithSecret";
  return ctx.printer().Print(o);
}

Outcome List(Context& ctx) {
  ctx.printer().StartSpinner(
      fmt::format("Fetching service tokens from org {}", ctx.printer().BoldBlue(ctx.org())));
  Listing l = FetchAllPages(ctx, TokensPath(ctx));
  if (l.error)
    return ctx.Fail(*l.error, fmt::format("organization {} does not exist", ctx.org()),
                    "read_service_tokens");
  return ctx.printer().Print(TokenListOutput(ctx, l.items, false));
}

Outcome Show(Context& ctx, const std::string& id) {
  ctx.printer().StartSpinner(fmt::format("Fetching service token {} from org {}", ctx.printer().BoldBlue(id),
                                         ctx.printer().BoldBlue(ctx.org())));
  ApiResult r = ctx.api().Get(TokenPath(ctx, id));
  if (!r.ok())
    return ctx.Fail(r.error(),
                    fmt::format("service token {} does not exist in organization {}", id, ctx.org()),
                    "read_service_tokens");
  Output o = TokenListOutput(ctx, {AsObject(r.json())}, true);
  o.json = ServiceTokenShowJson(AsObject(r.json()));
  return ctx.printer().Print(o);
}

Outcome ShowAccess(Context& ctx, const std::string& id) {
  ctx.printer().StartSpinner(
      fmt::format("Fetching service token from org {}", ctx.printer().BoldBlue(ctx.org())));
  ApiResult r = ctx.api().Get(TokenPath(ctx, id) + "/grants");
  if (!r.ok())
    return ctx.Fail(r.error(),
                    fmt::format("service token {} does not exist in organization {}", id, ctx.org()),
                    "read_service_tokens");
  std::vector<ResourceAccesses> resources;
  for (const auto& g : ListItems(r.json())) {
    ResourceAccesses ra{StringAt(g, "resource_name"), StringAt(g, "resource_type"), {}};
    if (const json::value* acc = g.if_contains("accesses"); acc && acc->is_array()) {
      for (const auto& a : acc->get_array()) {
        if (a.is_string())
          ra.accesses.emplace_back(a.get_string());
        else
          ra.accesses.push_back(StringAt(AsObject(a), "access"));
      }
    }
    resources.push_back(std::move(ra));
  }
  return ctx.printer().Print(AccessOutput(resources));
}

json::object AccessBody(const std::string& database, const std::vector<std::string>& perms) {
  json::object body;
  body["database"] = database;
  json::array access;
  for (const auto& p : perms) access.emplace_back(p);
  body["access"] = std::move(access);
  return body;
}

std::string TokenMissing(const Context& ctx, const std::string& id) {
  return fmt::format(
      "token {} does not exist in organization {}.\nPlease run 'pscale service-token list' to see a list of "
      "tokens",
      id, ctx.org());
}

// Checks the names against the catalog the server uses (src/auth/access.*)
// before any request, so a typo gets a suggestion instead of a round trip.
Outcome CheckAccessNames(const std::vector<std::string>& perms, const std::string& database) {
  AccessLevel level = database.empty() ? AccessLevel::kOrganization : AccessLevel::kDatabase;
  for (const auto& p : perms) {
    std::optional<Access> a = ParseAccess(p);
    if (!a) {
      std::optional<std::string_view> near = ClosestAccessName(p);
      if (near) return Classified(fmt::format("unknown access \"{}\"; did you mean \"{}\"?", p, *near));
      return Classified(fmt::format(
          "unknown access \"{}\"; see 'service-token add-access --help' for the valid accesses", p));
    }
    if (Info(*a).level != level) {
      return Classified(level == AccessLevel::kOrganization
                            ? fmt::format("\"{}\" is a database access: name the database with --database", p)
                            : fmt::format("\"{}\" is an organization access: it cannot be given on a "
                                          "database (omit --database)", p));
    }
  }
  return Success();
}

// add-access --help: every access by level, from the catalog.
std::string AccessHelp() {
  std::string out;
  for (AccessLevel level : {AccessLevel::kOrganization, AccessLevel::kDatabase}) {
    out += level == AccessLevel::kOrganization ? "Organization accesses (without --database):\n"
                                               : "\nDatabase accesses (with --database <name>):\n";
    size_t width = 0;
    for (const AccessInfo& info : AccessCatalog())
      if (info.level == level) width = std::max(width, info.name.size());
    for (const AccessInfo& info : AccessCatalog())
      if (info.level == level) out += fmt::format("  {:<{}}   {}\n", info.name, width, info.description);
  }
  return out;
}

Outcome AddAccess(Context& ctx, const std::string& id, const std::vector<std::string>& perms,
                  const std::string& database) {
  if (Outcome bad = CheckAccessNames(perms, database)) return bad;
  ctx.printer().StartSpinner(fmt::format(
      "Adding access {} to token {}", ctx.printer().BoldBlue(Join(perms, ", ")), ctx.printer().BoldBlue(id)));
  ApiResult r = ctx.api().Post(TokenPath(ctx, id) + "/access", AccessBody(database, perms));
  if (!r.ok()) return ctx.Fail(r.error(), TokenMissing(ctx, id), "write_service_tokens");
  return ctx.printer().Print(AccessOutput(GroupAccesses(ListItems(r.json()))));
}

Outcome DeleteAccess(Context& ctx, const std::string& id, const std::vector<std::string>& perms,
                     const std::string& database) {
  if (Outcome bad = CheckAccessNames(perms, database)) return bad;
  ctx.printer().StartSpinner(fmt::format("Removing access {} on database {}",
                                         ctx.printer().BoldBlue(Join(perms, ", ")),
                                         ctx.printer().BoldBlue(database)));
  ApiResult r = ctx.api().Delete(TokenPath(ctx, id) + "/access", json::value(AccessBody(database, perms)));
  if (!r.ok()) return ctx.Fail(r.error(), TokenMissing(ctx, id), "write_service_tokens");
  std::string human = perms.size() == 1
                          ? fmt::format("{} has been removed.", ctx.printer().BoldBlue(perms[0]))
                          : fmt::format("{} have been removed.", ctx.printer().BoldBlue(Join(perms, ", ")));
  json::object result;
  result["perms"] = Join(perms, ",");
  result["result"] = "access removed";
  return PrintMapResult(ctx, human, result);
}

Outcome Delete(Context& ctx, const std::string& id) {
  ctx.printer().StartSpinner(fmt::format("Deleting Token {}", ctx.printer().BoldBlue(id)));
  ApiResult r = ctx.api().Delete(TokenPath(ctx, id));
  if (!r.ok())
    return ctx.Fail(r.error(), fmt::format("token does not exist in organization {}", ctx.org()),
                    "delete_service_tokens");
  json::object result;
  result["result"] = "token deleted";
  return PrintMapResult(ctx, "Token was successfully deleted.", result);
}

}  // namespace

void AddServiceTokenCommands(CommandTree& tree) {
  CLI::App* group = tree.AddGroup(&tree.root(), "service-token",
                                  "Create, list, and manage access for service tokens", true);

  auto name = std::make_shared<std::string>();
  auto ttl = std::make_shared<int64_t>(0);
  CLI::App* create = tree.AddCommand(group, "create", "Create a service token for the organization",
                                     {.usage_on_bad_args = true},
                                     [=](Context& ctx, const auto&) { return Create(ctx, *name, *ttl); });
  create->add_option("--name", *name, "Name of the service token");
  create->add_option("--ttl", *ttl, "Time to live of the service token in seconds (0: never expires)");

  CLI::App* list =
      tree.AddCommand(group, "list", "List service tokens for the organization", {.usage_on_bad_args = true},
                      [](Context& ctx, const auto&) { return List(ctx); });
  list->alias("ls");

  tree.AddCommand(group, "show", "Show a service token", {.args = {"id"}, .usage_on_bad_args = true},
                  [](Context& ctx, const auto& a) { return Show(ctx, a[0]); });
  tree.AddCommand(group, "show-access", "Fetch the accesses of a service token",
                  {.args = {"id"}, .usage_on_bad_args = true},
                  [](Context& ctx, const auto& a) { return ShowAccess(ctx, a[0]); });

  auto add_db = std::make_shared<std::string>();
  CLI::App* add = tree.AddCommand(group, "add-access", "Add accesses to a service token",
                                  {.args = {"id", "permission"}, .variadic = true, .usage_on_bad_args = true},
                                  [=](Context& ctx, const auto& a) {
                                    return AddAccess(
                                        ctx, a[0], std::vector<std::string>(a.begin() + 1, a.end()), *add_db);
                                  });
  add->add_option("--database", *add_db,
                  "The database the accesses apply to (omit for organization accesses)");
  add->footer(AccessHelp());

  auto del_db = std::make_shared<std::string>();
  CLI::App* del_access = tree.AddCommand(
      group, "delete-access", "Remove accesses from a service token",
      {.args = {"id", "permission"}, .variadic = true, .usage_on_bad_args = true},
      [=](Context& ctx, const auto& a) {
        return DeleteAccess(ctx, a[0], std::vector<std::string>(a.begin() + 1, a.end()), *del_db);
      });
  del_access->add_option("--database", *del_db,
                         "The database the accesses apply to (omit for organization accesses)");
  del_access->footer(AccessHelp());

  tree.AddCommand(group, "delete", "Delete a service token", {.args = {"id"}, .usage_on_bad_args = true},
                  [](Context& ctx, const auto& a) { return Delete(ctx, a[0]); });
}

}  // namespace opscale::cli
