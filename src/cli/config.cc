#include "cli/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace opscale::cli {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string Unquote(std::string_view v) {
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
    auto close = v.find(v.front(), 1);
    if (close != std::string_view::npos) return std::string(v.substr(1, close - 1));
  }
  // An unquoted value may carry a trailing " # comment".
  auto hash = v.find(" #");
  if (hash != std::string_view::npos) v = Trim(v.substr(0, hash));
  return std::string(v);
}

// Creates `dir` and its missing parents with mode 0700 (existing directories are left as they
// are).
Status MakePrivateDirs(const std::filesystem::path& dir) {
  struct stat st {};
  if (dir.empty() || ::stat(dir.c_str(), &st) == 0) {
    if (!dir.empty() && !S_ISDIR(st.st_mode))
      return Status::Internal(fmt::format("{} exists and is not a directory", dir.string()));
    return Status::Ok();
  }
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    Status parent = MakePrivateDirs(dir.parent_path());
    if (!parent.ok()) return parent;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Internal(
        fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(errno)));
  ::chmod(dir.c_str(), 0700);  // the umask may have removed bits we need
  return Status::Ok();
}

// A value as ParseConfig reads it back: bare when that already gives the
// value, else in quotes. (Values with surrounding spaces, " #" or a leading
// quote, e.g. read from a quoted `org: "a #b"`, used to be written bare and
// read back changed; fuzz/cli_config_fuzz.cc checks the round trip.)
std::string QuoteIfNeeded(const std::string& v) {
  if (Unquote(Trim(v)) == v) return v;
  // A value holding both quote characters cannot be quoted (this format has
  // no escapes); ParseConfig never produces one.
  const char q = v.find('"') == std::string::npos ? '"' : '\'';
  return q + v + q;
}

}  // namespace

ConfigValues ParseConfig(std::string_view text) {
  ConfigValues values;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == ' ' || line.front() == '\t' || line.front() == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, colon));
    std::string value = Unquote(Trim(line.substr(colon + 1)));
    if (key == "org")
      values.org = value;
    else if (key == "database")
      values.database = value;
    else if (key == "branch")
      values.branch = value;
  }
  return values;
}

std::string RenderConfig(const ConfigValues& values) {
  std::string out;
  if (!values.org.empty()) out += "org: " + QuoteIfNeeded(values.org) + "\n";
  if (!values.database.empty()) out += "database: " + QuoteIfNeeded(values.database) + "\n";
  if (!values.branch.empty()) out += "branch: " + QuoteIfNeeded(values.branch) + "\n";
  return out;
}

std::string ConfigDir(const std::string& home) {
  return home + "/.config/planetscale";
}
std::string DefaultConfigPath(const std::string& home) {
  return ConfigDir(home) + "/pscale.yml";
}
std::string AccessTokenPath(const std::string& home) {
  return ConfigDir(home) + "/access-token";
}

std::string ProjectConfigPath(const std::string& cwd) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::path(cwd);
  while (!dir.empty()) {
    if (fs::exists(dir / ".git", ec)) return (dir / ".pscale.yml").string();
    fs::path parent = dir.parent_path();
    if (parent == dir) break;
    dir = parent;
  }
  return (fs::path(cwd) / ".pscale.yml").string();
}

std::optional<ConfigValues> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfig(buf.str());
}

Status WriteConfigFile(const std::string& path, const ConfigValues& values) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
      fs::create_directories(dir, ec);
      if (ec)
        return Status::Internal(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));
      ::chmod(dir.c_str(), 0771);
    }
  }
  std::ofstream out(path, std::ios::trunc);
  if (!out)
    return Status::Internal(fmt::format("cannot write config file {}: {}", path, std::strerror(errno)));
  out << RenderConfig(values);
  out.close();
  if (!out) return Status::Internal(fmt::format("cannot write config file {}", path));
  return Status::Ok();
}

std::string ReadAccessToken(const std::string& home) {
  if (home.empty()) return {};
  std::ifstream in(AccessTokenPath(home));
  if (!in) return {};
  std::stringstream buf;
  buf << in.rdbuf();
  return std::string(Trim(buf.str()));
}

bool AccessTokenFileExists(const std::string& home) {
  if (home.empty()) return false;
  struct stat st {};
  return ::lstat(AccessTokenPath(home).c_str(), &st) == 0;
}

Status WriteAccessToken(const std::string& home, std::string_view token) {
  if (home.empty()) return Status::Internal("cannot save the access token: $HOME is not set");
  std::string dir = ConfigDir(home);
  Status made = MakePrivateDirs(std::filesystem::path(dir));
  if (!made.ok()) return made;

  std::string tmp = dir + "/.access-token.XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // created 0600
  if (fd < 0)
    return Status::Internal(
        fmt::format("cannot create a temporary file in {}: {}", dir, std::strerror(errno)));
  auto fail = [&](const char* what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return Status::Internal(
        fmt::format("cannot {} the access token file in {}: {}", what, dir, std::strerror(err)));
  };
  if (::fchmod(fd, 0600) != 0) return fail("protect");
  size_t done = 0;
  while (done < token.size()) {
    ssize_t n = ::write(fd, token.data() + done, token.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::Internal(
        fmt::format("cannot write the access token file in {}: {}", dir, std::strerror(err)));
  }
  std::string path = AccessTokenPath(home);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::Internal(
        fmt::format("cannot save the access token file {}: {}", path, std::strerror(err)));
  }
  // Make the rename itself durable.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Status DeleteAccessToken(const std::string& home) {
  if (home.empty()) return Status::Ok();
  std::string path = AccessTokenPath(home);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return Status::Internal(
        fmt::format("cannot remove the access token file {}: {}", path, std::strerror(errno)));
  return Status::Ok();
}

Result<std::string> ResolveOrg(const OrgSources& s) {
  for (const std::string* v : {&s.flag, &s.env, &s.project_org, &s.global_org})
    if (!v->empty()) return *v;
  return Status::InvalidArgument("required flag(s) \"org\" not set");
}

}  // namespace opscale::cli
