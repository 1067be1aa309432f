// Everything a command needs for one run: resolved global settings, the printer, the API
// client, the organization, and the shared pscale behaviours built on them (auth pre-flight,
// org resolution, API error mapping, delete confirmation). Not thread-safe: one per run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cli/api_client.h"
#include "cli/credentials.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "cli/io.h"
#include "cli/printer.h"
#include "common/clock.h"

namespace opscale::cli {

// Global flags and environment, already merged (flag > env > default).
struct Settings {
  Format format = Format::kHuman;
  std::string api_url;
  TlsOptions tls;  // --ca-file / OPSCALE_CA_FILE
  Credentials credentials;
  bool debug = false;
  bool color = false;
  std::string home;                 // $HOME ("" when unset)
  std::string config_path;          // --config or ~/.config/planetscale/pscale.yml
  std::string project_config_path;  // .pscale.yml at the git root or in the working dir
  std::string org_env;              // PLANETSCALE_ORG
  std::string version;
};

class Context {
 public:
  Context(Io& io, Settings settings);

  Io& io() { return io_; }
  Printer& printer() { return printer_; }
  ApiClient& api() { return api_; }
  const Settings& settings() const { return settings_; }
  bool human() const { return settings_.format == Format::kHuman; }
  TimeMs now() const { return now_; }

  // The organization resolved by ResolveOrg ("" before).
  const std::string& org() const { return org_; }

  // pscale's pre-flight credential checks.
  Outcome CheckAuthenticated() const;

  // --org flag > PLANETSCALE_ORG > project file > global file; sets org().
  Outcome ResolveOrg(const std::string& flag);

  // The org of the config files only (project first), and the file it came from.
  struct FileOrg {
    std::string org;
    std::string path;
    bool any_file = false;  // some config file exists
  };
  FileOrg OrgFromFiles() const;

  // Maps a failed API call to the command's error. `not_found` is the command's own text for
  // a 404; under a service token a 404 first re-checks the token (GET v1/organizations) and
  // then names `permission` in a note.
  CliError Fail(const ApiError& error, const std::string& not_found, const std::string& permission = "");

  // pscale's delete confirmation. `kind` is "database", "branch" or "password"; `name` is what
  // the user must type. `before_prompt` runs only when a prompt will be shown.
  Outcome ConfirmDeletion(std::string_view kind, const std::string& name, bool force,
                          const std::string& mismatch_message,
                          const std::function<Outcome()>& before_prompt = nullptr);

 private:
  Io& io_;
  Settings settings_;
  Printer printer_;
  ApiClient api_;
  TimeMs now_;
  std::string org_;
};

}  // namespace opscale::cli
