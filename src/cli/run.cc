#include "cli/run.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command_tree.h"
#include "cli/commands/commands.h"
#include "cli/config.h"
#include "cli/context.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "cli/version.h"

namespace opscale::cli {
namespace {

struct GlobalFlags {
  std::string api_url;
  std::string ca_file;
  std::string api_token;
  std::string service_token;
  std::string service_token_id;
  std::string service_token_name;  // deprecated alias of service_token_id
  std::string format;
  std::string config;
  bool debug = false;
  bool no_color = false;
};

// viper's cast.ToBool.
bool EnvBool(const std::string& v) {
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

// The format in effect before parsing succeeded (errors of the parse itself need it).
std::string SniffFormat(const std::vector<std::string>& args, const Io& io) {
  std::string format = io.Env("PLANETSCALE_FORMAT");
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-f" || a == "--format") && i + 1 < args.size())
      format = args[i + 1];
    else if (a.rfind("--format=", 0) == 0)
      format = a.substr(9);
    else if (a.rfind("-f", 0) == 0 && a.size() > 2 && a[1] == 'f')
      format = a.substr(a[2] == '=' ? 3 : 2);
  }
  return format.empty() ? "human" : format;
}

Format FormatOrHuman(const std::string& text) {
  Result<Format> f = ParseFormat(text);
  return f.ok() ? *f : Format::kHuman;
}

void AddGlobalFlags(CLI::App& app, GlobalFlags& g) {
  app.add_option("--api-url", g.api_url,
                 fmt::format("The base URL for the PlanetScale API. (default \"{}\")", kDefaultApiUrl));
  app.add_option("--ca-file", g.ca_file,
                 "PEM file of the CA certificates to trust for an https:// API URL, instead of the "
                 "system's (env OPSCALE_CA_FILE)");
  app.add_option("--api-token", g.api_token,
                 "The API token to use for authenticating against the PlanetScale API.");
  app.add_option("--service-token", g.service_token, "Service Token for authenticating.");
  app.add_option("--service-token-id", g.service_token_id, "The Service Token ID for authenticating.");
  // Deprecated: use --service-token-id instead.
  app.add_option("--service-token-name", g.service_token_name)->group("");
  app.add_option("-f,--format", g.format,
                 "Show output in a specific format. Possible values: [human, json, csv] (default \"human\")");
  app.add_option("--config", g.config, "Config file (default is $HOME/.config/planetscale/pscale.yml)");
  app.add_flag("--debug", g.debug, "Enable debug mode");
  app.add_flag("--no-color", g.no_color, "Disable color output");
}

CliError UnknownInput(const std::vector<std::string>& remaining, CLI::App* selected,
                      const std::string& program) {
  for (const std::string& r : remaining) {
    if (r.rfind("--", 0) == 0 && r.size() > 2) {
      return Classified("unknown flag: " + r.substr(0, r.find('=')));
    }
    if (r.size() > 1 && r[0] == '-')
      return Classified(fmt::format("unknown shorthand flag: '{}' in {}", r[1], r));
  }
  std::string path = program;
  std::vector<std::string> names;
  for (CLI::App* a = selected; a && a->get_parent(); a = a->get_parent())
    names.insert(names.begin(), a->get_name());
  for (const auto& n : names) path += " " + n;
  CliError e = Classified(fmt::format("unknown command \"{}\" for \"{}\"", remaining.front(), path));
  e.usage = fmt::format("Run '{} --help' for usage.", path);
  return e;
}

Settings BuildSettings(const GlobalFlags& g, const Io& io, Format format, bool debug_env) {
  Settings s;
  s.format = format;
  s.version = kVersion;
  s.home = io.Env("HOME");
  s.api_url = !g.api_url.empty() ? g.api_url : io.Env("PLANETSCALE_API_URL");
  if (s.api_url.empty()) s.api_url = kDefaultApiUrl;
  s.tls.ca_file = !g.ca_file.empty() ? g.ca_file : io.Env("OPSCALE_CA_FILE");

  Credentials& c = s.credentials;
  c.service_token = !g.service_token.empty() ? g.service_token : io.Env("PLANETSCALE_SERVICE_TOKEN");
  c.service_token_id = g.service_token_id;
  if (c.service_token_id.empty()) c.service_token_id = g.service_token_name;
  if (c.service_token_id.empty()) c.service_token_id = io.Env("PLANETSCALE_SERVICE_TOKEN_ID");
  if (c.service_token_id.empty()) c.service_token_id = io.Env("PLANETSCALE_SERVICE_TOKEN_NAME");
  c.access_token = !g.api_token.empty() ? g.api_token : io.Env("PLANETSCALE_API_TOKEN");
  if (c.access_token.empty()) c.access_token = ReadAccessToken(s.home);

  s.debug = g.debug || debug_env;
  bool no_color =
      g.no_color || (io.getenv && io.getenv("NO_COLOR").has_value()) || io.Env("TERM") == "dumb";
  s.color = io.stdout_tty && !no_color;
  s.config_path = !g.config.empty() ? g.config : DefaultConfigPath(s.home);
  s.project_config_path = ProjectConfigPath(io.cwd.empty() ? "." : io.cwd);
  s.org_env = io.Env("PLANETSCALE_ORG");
  return s;
}

// A CA file that cannot be read is reported as such before any request (curl would only say
// "error setting certificate file"). "" when fine or not set.
std::string CaFileProblem(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  if (in) return "";
  return fmt::format("cannot read the CA file {} (--ca-file or OPSCALE_CA_FILE): {}", path,
                     std::strerror(errno));
}

}  // namespace

int Run(const std::vector<std::string>& args, Io& io) {
  std::string program = args.empty() ? "pscale" : std::filesystem::path(args[0]).filename().string();
  if (program.empty()) program = "pscale";

  CLI::App app(fmt::format("{} is a CLI library for communicating with PlanetScale's API.", program),
               program);
  GlobalFlags globals;
  AddGlobalFlags(app, globals);
  app.set_version_flag("--version", fmt::format("{} version {} (opscale)", program, kVersion));
  app.allow_extras();

  CommandTree tree(app);
  AddApiCommand(tree);
  AddAuditLogCommands(tree);
  AddAuthCommands(tree);
  AddBranchCommands(tree);
  AddConnectCommand(tree);
  AddDatabaseCommands(tree);
  AddDeployRequestCommands(tree);
  AddOrgCommands(tree);
  AddPasswordCommands(tree);
  AddServiceTokenCommands(tree);

  std::vector<std::string> reversed(args.size() > 1 ? args.begin() + 1 : args.end(), args.end());
  std::reverse(reversed.begin(), reversed.end());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    *io.out << tree.Help(tree.Selected());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    *io.out << tree.Help(tree.Selected());
    return 0;
  } catch (const CLI::CallForVersion& e) {
    *io.out << e.what() << '\n';
    return 0;
  } catch (const CLI::ParseError& e) {
    return WriteError(Classified(e.what()), FormatOrHuman(SniffFormat(args, io)), *io.out, *io.err);
  }

  std::string format_text = !globals.format.empty() ? globals.format : io.Env("PLANETSCALE_FORMAT");
  if (format_text.empty()) format_text = "human";
  Result<Format> format = ParseFormat(format_text);
  if (!format.ok())
    return WriteError(Classified(format.status().message()), Format::kHuman, *io.out, *io.err);

  CLI::App* selected = tree.Selected();
  std::vector<std::string> remaining = app.remaining();
  if (!remaining.empty())
    return WriteError(UnknownInput(remaining, selected, program), *format, *io.out, *io.err);

  if (!tree.IsCommand(selected)) {
    *io.out << tree.Help(selected);
    return 0;
  }

  Settings settings = BuildSettings(globals, io, *format, EnvBool(io.Env("PLANETSCALE_DEBUG")));
  if (std::string problem = CaFileProblem(settings.tls.ca_file); !problem.empty())
    return WriteError(Classified(problem), *format, *io.out, *io.err);
  Context ctx(io, std::move(settings));
  Outcome outcome = tree.Execute(selected, ctx);
  ctx.printer().StopSpinner();
  if (!outcome) return 0;
  return WriteError(*outcome, *format, *io.out, *io.err);
}

int Run(int argc, char** argv) {
  Io io;
  io.out = &std::cout;
  io.err = &std::cerr;
  io.in = &std::cin;
  io.stdout_tty = isatty(STDOUT_FILENO) == 1;
  io.tty = io.stdout_tty && isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1;
  io.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  std::error_code ec;
  io.cwd = std::filesystem::current_path(ec).string();
  std::vector<std::string> args(argv, argv + argc);
  int code = Run(args, io);
  std::cout.flush();
  std::cerr.flush();
  return code;
}

}  // namespace opscale::cli
