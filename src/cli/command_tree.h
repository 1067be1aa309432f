// The command tree over CLI11: groups (service-token, database, ...) with their --org flag,
// commands with named positional arguments, and the checks pscale runs before a command, in
// its order: positional arguments, then credentials, then the organization.
// Not thread-safe: built and used by one run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "cli/errors.h"

namespace opscale::cli {

struct CommandSpec {
  std::vector<std::string> args = {};      // required positionals, in order ("database", "branch")
  std::vector<std::string> optional = {};  // optional positionals after the required ones
  bool variadic = false;              // the last required positional takes one or more values
  bool needs_auth = true;
  bool needs_org = true;
  // pscale's service-token and org switch commands answer bad argument counts with their
  // usage on stderr and exit 0; the others fail with "missing argument <x>".
  bool usage_on_bad_args = false;
};

using Action = std::function<Outcome(Context& ctx, const std::vector<std::string>& args)>;

class CommandTree {
 public:
  explicit CommandTree(CLI::App& root);

  CLI::App& root() { return root_; }

  // A command group. With `with_org` it gets the --org flag.
  CLI::App* AddGroup(CLI::App* parent, const std::string& name, const std::string& description,
                     bool with_org);

  // A runnable command under `parent`.
  CLI::App* AddCommand(CLI::App* parent, const std::string& name, const std::string& description,
                       CommandSpec spec, Action action);

  // After a successful parse: the deepest selected command, group, or the root.
  CLI::App* Selected() const;

  // True when `app` is a runnable command (not a group).
  bool IsCommand(const CLI::App* app) const;

  // Runs the selected command: argument checks, auth and org checks, then its action.
  Outcome Execute(CLI::App* app, Context& ctx);

  // cobra-style help of a command or group: description, Usage, Aliases, Available Commands,
  // Flags and Global Flags.
  std::string Help(const CLI::App* app) const;
  // The same without the description (printed after "missing argument" errors).
  std::string Usage(const CLI::App* app) const;

  // The --org value given to whichever group was used ("" when absent).
  const std::string& org_flag() const { return org_flag_; }
  // For a top-level command that takes --org itself (pscale's `connect`).
  std::string& org_flag_ref() { return org_flag_; }

 private:
  struct Entry {
    CLI::App* app = nullptr;
    CommandSpec spec;
    Action action;
    std::vector<std::string> values;    // one slot per single-valued positional
    std::vector<std::string> rest;      // the variadic positional, or surplus arguments
    std::vector<CLI::Option*> options;  // positional options in order
  };

  Entry* Find(const CLI::App* app) const;

  CLI::App& root_;
  std::string org_flag_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// Sets up a subcommand the way every opscale command wants it (fallthrough to the parent's
// flags, at most one subcommand, names that are never mistaken for sibling commands).
void ConfigureSubcommand(CLI::App* app);

}  // namespace opscale::cli
