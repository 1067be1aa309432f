// pscale password: create, list, delete, renew (pscale-output.md §7). In human mode create also
// prints a ready `mariadb` command line: opscale's engine is reached directly on this machine.
#include <cctype>
#include <memory>
#include <optional>

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "cli/commands/helpers.h"
#include "cli/humanize.h"
#include "cli/models.h"

namespace opscale::cli {
namespace json = boost::json;
namespace {

std::string PasswordsPath(const Context& ctx, const std::string& db, const std::string& branch) {
  return ApiPath({"organizations", ctx.org(), "databases", db, "branches", branch, "passwords"});
}
std::string PasswordPath(const Context& ctx, const std::string& db, const std::string& branch,
                         const std::string& id) {
  return ApiPath({"organizations", ctx.org(), "databases", db, "branches", branch, "passwords", id});
}
std::string BranchMissing(const Context& ctx, const std::string& db, const std::string& branch) {
  return fmt::format("branch {} does not exist in database {} (organization: {})", branch, db, ctx.org());
}
std::string PasswordMissing(const Context& ctx, const std::string& db, const std::string& branch,
                            const std::string& id) {
  return fmt::format("password {} does not exist in branch {} of {} (organization: {})", id, branch, db,
                     ctx.org());
}

std::string RoleDescription(const std::string& role) {
  if (role == "reader") return "Can Read";
  if (role == "writer") return "Can Write";
  if (role == "readwriter") return "Can Read & Write";
  if (role == "admin") return "Can Read, Write & Administer";
  return "";
}

std::string ConnectionType(const json::object& pw) { return BoolAt(pw, "replica") ? "Replica" : "Primary"; }

std::string BranchName(const json::object& pw) { return StringAt(ObjectAt(pw, "database_branch"), "name"); }

// "3600", "30m", "24h", "1h30m", "90s" -> seconds.
std::optional<int64_t> ParseTtl(const std::string& text) {
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    if (text.size() > 12) return std::nullopt;
    return std::stoll(text);
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 9 || i == text.size()) return std::nullopt;
    int64_t n = std::stoll(text.substr(start, i - start));
    char unit = text[i++];
    if (unit == 's') total += n;
    else if (unit == 'm') total += n * 60;
    else if (unit == 'h') total += n * 3600;
    else if (unit == 'd') total += n * 86400;
    else return std::nullopt;
  }
  return total;
}

json::object PasswordModel(const json::object& pw) {
  json::object out = Project(pw, {{"id", FieldKind::kString},
                                  {"name", FieldKind::kString},
                                  {"access_host_url", FieldKind::kString},
                                  {"username", FieldKind::kString},
                                  {"role", FieldKind::kString}});
  out["actor"] = Project(ObjectAt(pw, "actor"), {{"type", FieldKind::kString},
                                                  {"id", FieldKind::kString},
                                                  {"display_name", FieldKind::kString}});
  out["database_branch"] = BranchJson(ObjectAt(pw, "database_branch"));
  out["region"] = RegionJson(ObjectAt(pw, "region"));
  json::object rest = Project(pw, {{"created_at", FieldKind::kTime},
                                   {"deleted_at", FieldKind::kNullableTime},
                                   {"expires_at", FieldKind::kNullableTime},
                                   {"plain_text", FieldKind::kString},
                                   {"ttl_seconds", FieldKind::kInt},
                                   {"renewable", FieldKind::kBool},
                                   {"replica", FieldKind::kBool}});
  for (auto& kv : rest) out[kv.key()] = kv.value();
  return out;
}

// The create/renew shape: one row with the secret (empty after renew).
Output CreatedOutput(const json::object& pw) {
  Output o;
  o.table.headers = {"NAME", "BRANCH",           "ID",              "USERNAME", "ACCESS HOST URL",
                     "ROLE", "ROLE DESCRIPTION", "CONNECTION TYPE", "PASSWORD", "TTL"};
  std::string role = StringAt(pw, "role");
  std::string ttl = std::to_string(IntAt(pw, "ttl_seconds"));
  o.table.rows.push_back({StringAt(pw, "name"), BranchName(pw), StringAt(pw, "id"), StringAt(pw, "username"),
                          StringAt(pw, "access_host_url"), role, RoleDescription(role), ConnectionType(pw),
                          StringAt(pw, "plain_text"), ttl});
  o.csv = CsvTable{{"Name", "Branch", "PublicID", "Username", "AccessHostUrl", "Role", "RoleDesc",
                    "ConnectionType", "PlainText", "TTL"},
                   {o.table.rows.back()}};
  json::object model = PasswordModel(pw);
  // opscale extras: where the engine listens and the schema to use.
  model["port"] = IntAt(pw, "port");
  model["database"] = StringAt(pw, "database");
  o.json = std::move(model);
  return o;
}

// A shell-quoted command line that connects with this password.
std::string MariadbCommand(const json::object& pw) {
  return fmt::format("mariadb -h {} -P {} -u {} -p'{}' {}", StringAt(pw, "access_host_url"), IntAt(pw, "port"),
                     StringAt(pw, "username"), StringAt(pw, "plain_text"), StringAt(pw, "database"));
}

Output ListOutput(const Context& ctx, const std::vector<json::object>& pws) {
  bool with_ttl = false;
  for (const auto& pw : pws) with_ttl = with_ttl || IntAt(pw, "ttl_seconds") > 0;
  Output o;
  o.table.headers = {"ID", "NAME", "BRANCH", "USERNAME", "ROLE", "ROLE DESCRIPTION", "CONNECTION TYPE"};
  if (with_ttl) o.table.headers.insert(o.table.headers.end(), {"TTL", "TTL REMAINING", "EXPIRED"});
  CsvTable csv{{"PublicID", "Name", "Branch", "Username", "Role", "RoleDesc", "ConnectionType", "TTL",
                "Remaining", "CreatedAt", "Expired"},
               {}};
  json::array arr;
  for (const auto& pw : pws) {
    std::string role = StringAt(pw, "role");
    int64_t ttl = IntAt(pw, "ttl_seconds");
    int64_t expires = TimeAt(pw, "expires_at");
    int64_t remaining = ttl > 0 && expires > ctx.now() ? (expires - ctx.now()) / 1000 : 0;
    bool expired = ttl > 0 && ctx.now() >= expires;
    std::vector<std::string> row{StringAt(pw, "id"), StringAt(pw, "name"), BranchName(pw), StringAt(pw, "username"),
                                 role, RoleDescription(role), ConnectionType(pw)};
    if (with_ttl) {
      row.push_back(NumberCell(ttl));
      row.push_back(NumberCell(remaining));
      row.push_back(TrueFalse(expired));
    }
    o.table.rows.push_back(std::move(row));
    csv.rows.push_back({StringAt(pw, "id"), StringAt(pw, "name"), BranchName(pw), StringAt(pw, "username"), role,
                        RoleDescription(role), ConnectionType(pw), std::to_string(ttl), std::to_string(remaining),
                        MsText(TimeAt(pw, "created_at")), TrueFalse(expired)});
    arr.push_back(PasswordModel(pw));
  }
  o.json = std::move(arr);
  o.csv = std::move(csv);
  return o;
}

struct CreateFlags {
  std::string role = "admin";
  std::string ttl;
  bool replica = false;
};

Outcome Create(Context& ctx, const std::string& db, const std::string& branch, const std::string& name,
               const CreateFlags& flags) {
  json::object body;
  body["name"] = name;
  body["role"] = flags.replica && flags.role == "admin" ? "reader" : flags.role;
  if (flags.replica) body["replica"] = true;
  if (!flags.ttl.empty()) {
    std::optional<int64_t> ttl = ParseTtl(flags.ttl);
    if (!ttl) return Classified(fmt::format("invalid --ttl \"{}\": use seconds (3600) or a duration (30m, 24h)",
                                            flags.ttl));
    body["ttl"] = *ttl;
  }
  ctx.printer().StartSpinner(
      fmt::format("Creating password of {}/{}...", ctx.printer().BoldBlue(db), ctx.printer().BoldBlue(branch)));
  ApiResult r = ctx.api().Post(PasswordsPath(ctx, db, branch), body);
  if (!r.ok()) return ctx.Fail(r.error(), BranchMissing(ctx, db, branch), "connect_branch");
  ctx.printer().StopSpinner();
  const json::object& pw = AsObject(r.json());
  if (ctx.human()) {
    ctx.printer().Line(fmt::format("Password {} was successfully created in {}/{}.", ctx.printer().BoldBlue(name),
                                   ctx.printer().BoldBlue(db), ctx.printer().BoldBlue(branch)));
    ctx.printer().Line(ctx.printer().BoldRed("Please save the values below as they will not be shown again"));
    ctx.printer().Line("");
  }
  if (Outcome o = ctx.printer().Print(CreatedOutput(pw))) return o;
  if (ctx.human()) ctx.printer().Line("Connect with the MariaDB client:\n  " + MariadbCommand(pw) + "\n");
  return Success();
}

Outcome List(Context& ctx, const std::string& db, const std::vector<std::string>& branch_arg) {
  std::string where = branch_arg.empty() ? db : db + "/" + branch_arg[0];
  ctx.printer().StartSpinner(fmt::format("Fetching passwords for {}", ctx.printer().BoldBlue(where)));
  std::vector<std::string> branches = branch_arg;
  if (branches.empty()) {
    Listing bl = FetchAllPages(ctx, ApiPath({"organizations", ctx.org(), "databases", db, "branches"}));
    if (bl.error)
      return ctx.Fail(*bl.error, fmt::format("database {} does not exist in organization {}", db, ctx.org()),
                      "read_branch");
    for (const auto& b : bl.items) branches.push_back(StringAt(b, "name"));
  }
  std::vector<json::object> all;
  for (const auto& b : branches) {
    Listing l = FetchAllPages(ctx, PasswordsPath(ctx, db, b));
    if (l.error) return ctx.Fail(*l.error, BranchMissing(ctx, db, b), "read_branch");
    all.insert(all.end(), l.items.begin(), l.items.end());
  }
  Output o = ListOutput(ctx, all);
  o.empty_message = fmt::format("No passwords exist in {}.", where);
  return ctx.printer().Print(o);
}

struct DeleteFlags {
  bool force = false;
};

Outcome Delete(Context& ctx, const std::string& db, const std::string& branch, const std::string& id,
               const DeleteFlags& flags) {
  if (Outcome o = ctx.ConfirmDeletion("password", db + "/" + branch + "/" + id, flags.force,
                                      "incorrect password name entered, skipping password deletion"))
    return o;
  ctx.printer().StartSpinner(fmt::format("Deleting password {} from {}/{}", ctx.printer().BoldBlue(id),
                                         ctx.printer().BoldBlue(db), ctx.printer().BoldBlue(branch)));
  ApiResult r = ctx.api().Delete(PasswordPath(ctx, db, branch, id));
  if (!r.ok()) return ctx.Fail(r.error(), PasswordMissing(ctx, db, branch, id), "delete_branch_password");
  json::object result;
  result["branch"] = branch;
  result["password_id"] = id;
  result["result"] = "password deleted";
  return PrintMapResult(ctx,
                        fmt::format("Password {} was successfully deleted from {}.", ctx.printer().BoldBlue(id),
                                    ctx.printer().BoldBlue(branch)),
                        result);
}

Outcome Renew(Context& ctx, const std::string& db, const std::string& branch, const std::string& id) {
  ctx.printer().StartSpinner(fmt::format("Renewing password {} in {}/{}", ctx.printer().BoldBlue(id),
                                         ctx.printer().BoldBlue(db), ctx.printer().BoldBlue(branch)));
  ApiResult r = ctx.api().Post(PasswordPath(ctx, db, branch, id) + "/renew", json::object{});
  if (!r.ok()) return ctx.Fail(r.error(), PasswordMissing(ctx, db, branch, id), "connect_branch");
  ctx.printer().StopSpinner();
  const json::object& pw = AsObject(r.json());
  if (ctx.human())
    ctx.printer().Line(fmt::format("Password {} was successfully renewed; it now expires at {}.",
                                   ctx.printer().BoldBlue(id), GoTime(StringAt(pw, "expires_at"))));
  Output o = ListOutput(ctx, {pw});
  o.json = PasswordModel(pw);
  return ctx.printer().Print(o);
}

}  // namespace

void AddPasswordCommands(CommandTree& tree) {
  CLI::App* group = tree.AddGroup(&tree.root(), "password", "Create, list, and delete branch passwords", true);

  auto create_flags = std::make_shared<CreateFlags>();
  CLI::App* create = tree.AddCommand(
      group, "create", "Create password to access a branch's data", {.args = {"database", "branch", "name"}},
      [=](Context& ctx, const auto& a) { return Create(ctx, a[0], a[1], a[2], *create_flags); });
  create->add_option("--role", create_flags->role,
                     "Role defines the access level, allowed values are: reader, writer, readwriter, admin. "
                     "Defaults to 'admin'.");
  create->add_option("--ttl", create_flags->ttl,
                     "TTL defines the time to live for the password. Durations such as \"30m\", \"24h\", or "
                     "bare integers such as \"3600\" (seconds) are accepted. The default TTL is 0s, which "
                     "means the password will never expire.");
  create->add_flag("--replica", create_flags->replica, "Create a replica password (not supported by opscale)");

  CLI::App* list = tree.AddCommand(group, "list", "List all passwords of a database",
                                   {.args = {"database"}, .optional = {"branch"}},
                                   [](Context& ctx, const auto& a) {
                                     std::vector<std::string> branch(a.begin() + 1, a.end());
                                     if (!branch.empty() && branch[0].empty()) branch.clear();
                                     return List(ctx, a[0], branch);
                                   });
  list->alias("ls");

  auto delete_flags = std::make_shared<DeleteFlags>();
  CLI::App* del = tree.AddCommand(
      group, "delete", "Delete a branch password", {.args = {"database", "branch", "password-id"}},
      [=](Context& ctx, const auto& a) { return Delete(ctx, a[0], a[1], a[2], *delete_flags); });
  del->add_flag("--force", delete_flags->force, "Delete a password without confirmation");

  tree.AddCommand(group, "renew", "Renew a branch password", {.args = {"database", "branch", "password-id"}},
                  [](Context& ctx, const auto& a) { return Renew(ctx, a[0], a[1], a[2]); });
}

}  // namespace opscale::cli
