// cobra-style help and usage text for the command tree (CommandTree::Help / Usage).
#include <algorithm>

#include <fmt/format.h>

#include "cli/command_tree.h"

namespace opscale::cli {
namespace {

// "pscale database show" for `app`.
std::string CommandPath(const CLI::App* app) {
  std::vector<std::string> names;
  const CLI::App* a = app;
  for (; a->get_parent(); a = a->get_parent()) names.insert(names.begin(), a->get_name());
  std::string path = a->get_name();
  for (const auto& n : names) path += " " + n;
  return path;
}

std::string TypeName(const CLI::Option* opt) {
  if (opt->get_expected_max() == 0) return "";
  std::string t = opt->get_type_name();
  if (t == "INT" || t == "UINT") return " int";
  if (t == "FLOAT") return " float";
  if (opt->get_expected_max() > 1 || opt->get_allow_extra_args()) return " strings";
  return " string";
}

// Lines "  -f, --format string   text" aligned on the description column.
std::string FlagLines(const std::vector<const CLI::Option*>& opts, const std::string& help_name) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CLI::Option* o : opts) {
    if (o->get_positional() || o->get_group().empty()) continue;
    std::string names;
    const auto& snames = o->get_snames();
    const auto& lnames = o->get_lnames();
    names = snames.empty() ? "    " : "-" + snames.front() + ", ";
    if (!lnames.empty()) names += "--" + lnames.front();
    names += TypeName(o);
    std::string desc = o->get_description();
    if (lnames.size() == 1 && lnames.front() == "help") desc = "help for " + help_name;
    rows.emplace_back(names, desc);
  }
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out;
  for (const auto& r : rows) out += fmt::format("  {:<{}}   {}\n", r.first, width, r.second);
  return out;
}

std::vector<const CLI::Option*> OptionsOf(const CLI::App* app) {
  return app->get_options([](const CLI::Option*) { return true; });
}

}  // namespace

std::string CommandTree::Usage(const CLI::App* app) const {
  std::string path = CommandPath(app);
  std::string out = "Usage:\n";
  const Entry* e = Find(app);
  if (e) {
    std::string line = "  " + path;
    for (size_t i = 0; i < e->spec.args.size(); ++i) {
      line += " <" + e->spec.args[i] + ">";
      if (e->spec.variadic && i + 1 == e->spec.args.size()) line += "...";
    }
    for (const auto& o : e->spec.optional) line += " [" + o + "]";
    out += line + " [flags]\n";
  } else {
    out += "  " + path + " [command]\n";
  }
  auto aliases = app->get_aliases();
  if (!aliases.empty()) {
    out += "\nAliases:\n  " + app->get_name();
    for (const auto& a : aliases) out += ", " + a;
    out += "\n";
  }
  auto subs = app->get_subcommands([](const CLI::App*) { return true; });
  if (!subs.empty()) {
    size_t width = 0;
    for (const CLI::App* s : subs) width = std::max(width, s->get_name().size());
    out += "\nAvailable Commands:\n";
    for (const CLI::App* s : subs)
      out += fmt::format("  {:<{}}   {}\n", s->get_name(), width, s->get_description());
  }
  // Own flags, then those inherited from the parents (the group's --org, the root's globals).
  out += "\nFlags:\n" + FlagLines(OptionsOf(app), app->get_name());
  std::vector<const CLI::Option*> inherited;
  for (const CLI::App* p = app->get_parent(); p; p = p->get_parent())
    for (const CLI::Option* o : OptionsOf(p))
      if (!o->get_lnames().empty() && o->get_lnames().front() != "help" &&
          o->get_lnames().front() != "version")
        inherited.push_back(o);
  std::sort(inherited.begin(), inherited.end(), [](const CLI::Option* a, const CLI::Option* b) {
    return a->get_lnames().front() < b->get_lnames().front();
  });
  if (!inherited.empty()) out += "\nGlobal Flags:\n" + FlagLines(inherited, "");
  if (!subs.empty())
    out += fmt::format("\nUse \"{} [command] --help\" for more information about a command.\n", path);
  return out;
}

std::string CommandTree::Help(const CLI::App* app) const {
  std::string desc = app->get_description();
  std::string footer = app->get_footer();  // e.g. add-access: the valid access names
  return (desc.empty() ? "" : desc + "\n\n") + Usage(app) + (footer.empty() ? "" : "\n" + footer);
}

}  // namespace opscale::cli
