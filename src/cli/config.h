// pscale's configuration files: the global ~/.config/planetscale/pscale.yml (or --config),
// the project file .pscale.yml (git root, else the working directory), and the login token
// file ~/.config/planetscale/access-token. The files are tiny YAML maps with the keys org,
// database and branch, parsed by hand (one `key: value` per line).
// Thread-safe: free functions over the file system.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace opscale::cli {

struct ConfigValues {
  std::string org;
  std::string database;
  std::string branch;
};

// Reads `key: value` lines; ignores comments, blank lines, unknown keys and indentation-nested
// lines. Single or double quotes around a value are removed.
ConfigValues ParseConfig(std::string_view text);

// Renders the keys that are set, in the order org, database, branch ("org: acme\n").
std::string RenderConfig(const ConfigValues& values);

// "$HOME/.config/planetscale".
std::string ConfigDir(const std::string& home);
// "$HOME/.config/planetscale/pscale.yml".
std::string DefaultConfigPath(const std::string& home);
// "$HOME/.config/planetscale/access-token".
std::string AccessTokenPath(const std::string& home);

// Path of the project file: <git root>/.pscale.yml when `cwd` is inside a git work tree
// (a parent holding `.git`), otherwise <cwd>/.pscale.yml. The file need not exist.
std::string ProjectConfigPath(const std::string& cwd);

// The file's values, or nullopt when it cannot be read (missing file included).
std::optional<ConfigValues> ReadConfigFile(const std::string& path);

// Writes `values` to `path`, creating its directory (mode 0771) when missing.
Status WriteConfigFile(const std::string& path, const ConfigValues& values);

// Reads the login token file (trimmed); empty when missing.
std::string ReadAccessToken(const std::string& home);

// True when the login token file exists (even if empty).
bool AccessTokenFileExists(const std::string& home);

// Saves the login token: the config directory (and any missing parent) is created with mode
// 0700, the token goes to a 0600 temporary file in that directory which is then renamed over
// the token file, so readers see either the old or the new token, never a partial one.
// Messages never contain the token.
Status WriteAccessToken(const std::string& home, std::string_view token);

// Removes the login token file. Ok when there was none.
Status DeleteAccessToken(const std::string& home);

// Where the organization of a command comes from, highest first.
struct OrgSources {
  std::string flag;         // --org on the command group
  std::string env;          // PLANETSCALE_ORG
  std::string project_org;  // org of the project file, if any
  std::string global_org;   // org of the global config file, if any
};

// The first non-empty source, or the error `required flag(s) "org" not set`.
Result<std::string> ResolveOrg(const OrgSources& sources);

}  // namespace opscale::cli
