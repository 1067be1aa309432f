#include "cli/command_tree.h"

#include <fmt/format.h>

namespace opscale::cli {

void ConfigureSubcommand(CLI::App* app) {
  app->fallthrough();
  // At most one subcommand per level: once chosen, later words are arguments even when they
  // spell a command name (a branch called "list").
  app->require_subcommand(0, 1);
}

CommandTree::CommandTree(CLI::App& root) : root_(root) {
  root_.require_subcommand(0, 1);
}

CLI::App* CommandTree::AddGroup(CLI::App* parent, const std::string& name, const std::string& description,
                                bool with_org) {
  CLI::App* group = parent->add_subcommand(name, description);
  ConfigureSubcommand(group);
  if (with_org) group->add_option("--org", org_flag_, "The organization for the current user");
  return group;
}

CLI::App* CommandTree::AddCommand(CLI::App* parent, const std::string& name, const std::string& description,
                                  CommandSpec spec, Action action) {
  auto entry = std::make_unique<Entry>();
  CLI::App* app = parent->add_subcommand(name, description);
  ConfigureSubcommand(app);
  entry->app = app;
  entry->spec = std::move(spec);
  entry->action = std::move(action);

  std::vector<std::string> singles = entry->spec.args;
  std::string variadic_name;
  if (entry->spec.variadic && !singles.empty()) {
    variadic_name = singles.back();
    singles.pop_back();
  }
  singles.insert(singles.end(), entry->spec.optional.begin(), entry->spec.optional.end());
  entry->values.resize(singles.size());
  for (size_t i = 0; i < singles.size(); ++i)
    entry->options.push_back(app->add_option(singles[i], entry->values[i]));
  if (!variadic_name.empty()) {
    entry->options.push_back(app->add_option(variadic_name, entry->rest));
  } else {
    // Collects surplus arguments so they can be reported the way pscale does.
    entry->options.push_back(app->add_option("extra-args", entry->rest)->group(""));
  }
  entries_.push_back(std::move(entry));
  return app;
}

CommandTree::Entry* CommandTree::Find(const CLI::App* app) const {
  for (const auto& e : entries_)
    if (e->app == app) return e.get();
  return nullptr;
}

bool CommandTree::IsCommand(const CLI::App* app) const {
  return Find(app) != nullptr;
}

CLI::App* CommandTree::Selected() const {
  CLI::App* current = &root_;
  for (;;) {
    auto subs = current->get_subcommands();
    if (subs.empty()) return current;
    current = subs.front();
  }
}

Outcome CommandTree::Execute(CLI::App* app, Context& ctx) {
  Entry* e = Find(app);
  if (!e) return Classified("internal error: no such command");
  const CommandSpec& spec = e->spec;

  // Gather the positional values in order.
  std::vector<std::string> args;
  size_t singles = e->values.size();
  for (size_t i = 0; i < singles; ++i)
    if (e->options[i]->count() > 0) args.push_back(e->values[i]);
  bool variadic = spec.variadic && !spec.args.empty();
  if (variadic) {
    // The variadic slot comes after the required singles (optional ones are not mixed in).
    args.insert(args.end(), e->rest.begin(), e->rest.end());
  }

  size_t required = spec.args.size();
  size_t max = required + spec.optional.size();
  size_t surplus = variadic ? 0 : e->rest.size();
  if (args.size() < required || surplus > 0) {
    if (spec.usage_on_bad_args) {
      CliError usage;
      usage.usage_only = true;
      usage.usage = Usage(app);
      return usage;
    }
    if (args.size() < required) {
      std::vector<std::string> missing(spec.args.begin() + static_cast<long>(args.size()), spec.args.end());
      return MissingArguments(missing, Usage(app));
    }
    size_t received = args.size() + surplus;
    if (spec.optional.empty())
      return Classified(fmt::format("accepts {} arg(s), received {}", max, received));
    return Classified(fmt::format("accepts between {} and {} arg(s), received {}", required, max, received));
  }

  if (spec.needs_auth) {
    if (Outcome o = ctx.CheckAuthenticated()) return o;
  }
  if (spec.needs_org) {
    if (Outcome o = ctx.ResolveOrg(org_flag_)) return o;
  }
  return e->action(ctx, args);
}

}  // namespace opscale::cli
