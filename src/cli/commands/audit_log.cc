// pscale audit-log list: the organization's audit events (cursor-paginated endpoint).
#include <cctype>
#include <memory>

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/humanize.h"
#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

// Go's strings.Title: upper-cases each letter that starts a word.
std::string Title(std::string s) {
  bool start = true;
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (start && std::isalpha(u)) c = static_cast<char>(std::toupper(u));
    start = !(std::isalnum(u) || c == '_' || u >= 0x80);
  }
  return s;
}

struct ListFlags {
  int limit = 0;
  std::string starting_after;
};

Outcome List(Context& ctx, const ListFlags& flags) {
  ctx.printer().StartSpinner(fmt::format("Fetching audit logs for {}", ctx.printer().BoldBlue(ctx.org())));
  std::string path = ApiPath({"organizations", ctx.org(), "audit-log"});
  std::string sep = "?";
  if (flags.limit > 0) {
    path += fmt::format("{}limit={}", sep, flags.limit);
    sep = "&";
  }
  if (!flags.starting_after.empty())
    path += fmt::format("{}starting_after={}", sep, UrlEscape(flags.starting_after));
  ApiResult r = ctx.api().Get(path);
  if (!r.ok())
    return ctx.Fail(
        r.error(),
        fmt::format("audit logs does not exist in organization: {} (are you an 'admin'?)", ctx.org()),
        "read_audit_logs");
  Output o;
  o.table.headers = {"ID", "ACTOR", "ACTION", "EVENT", "REMOTE IP", "LOCATION", "CREATED AT"};
  o.empty_message =
      fmt::format("No audit logs exist for organization {}.", ctx.printer().BoldBlue(ctx.org()));
  o.escape_html = true;
  CsvTable csv{{"ID", "Actor", "Action", "Event", "RemoteIP", "Location", "CreatedAt"}, {}};
  json::array arr;
  for (const auto& e : ListItems(r.json())) {
    std::string action = Title(StringAt(e, "action")) + " " + StringAt(e, "auditable_display_name");
    int64_t created = TimeAt(e, "created_at");
    o.table.rows.push_back({StringAt(e, "id"), StringAt(e, "actor_display_name"), action,
                            StringAt(e, "audit_action"), StringAt(e, "remote_ip"), StringAt(e, "location"),
                            TimeCell(created, ctx.now())});
    csv.rows.push_back({StringAt(e, "id"), StringAt(e, "actor_display_name"), action,
                        StringAt(e, "audit_action"), StringAt(e, "remote_ip"), StringAt(e, "location"),
                        MsText(created)});
    arr.push_back(AuditLogJson(e));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return ctx.printer().Print(o);
}

}  // namespace

void AddAuditLogCommands(CommandTree& tree) {
  CLI::App* group = tree.AddGroup(&tree.root(), "audit-log", "List audit logs", true);
  auto flags = std::make_shared<ListFlags>();
  CLI::App* list = tree.AddCommand(group, "list", "List audit logs of the organization", {},
                                   [=](Context& ctx, const auto&) { return List(ctx, *flags); });
  list->alias("ls");
  list->add_option("--limit", flags->limit, "Maximum number of events to return");
  list->add_option("--starting-after", flags->starting_after, "Return events after this event ID (cursor)");
}

}  // namespace opscale::cli
