#include "testutil/test_logs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "testutil/http.h"

namespace opscale::testutil {

namespace {

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}

// "Suite.Test" of the running test, with the PostgreSQL pass marked (the
// same test runs twice), or "process" outside a test.
std::string TestName() {
  std::string name = "process";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info())
    name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name)
    if (c == '/' || c == ' ') c = '_';
  const char* pg = std::getenv("OPSCALE_TEST_PG_URL_FILE");
  if (pg && *pg) name = "pg." + name;
  return name;
}

std::string Prefix() { return TestLogDir() + "/" + TestName() + "." + std::to_string(getpid()); }

bool Contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// A flag whose value is a secret (or may hold one: SQL, request bodies).
bool SecretValuedFlag(const std::string& flag) {
  static const char* kExact[] = {"-H", "--header", "-u", "--user", "-b", "--cookie", "-d", "--data",
                                 "--data-binary", "--data-raw", "--data-urlencode", "-e", "-c", "--execute",
                                 "-F", "--form"};
  for (const char* f : kExact)
    if (flag == f) return true;
  return flag.rfind("--", 0) == 0 &&
         (Contains(flag, "token") || Contains(flag, "password") || Contains(flag, "secret"));
}

// scheme://host/path of a URL: no user info, no query, no fragment.
std::string BareUrl(const std::string& url) {
  size_t scheme = url.find("://");
  std::string rest = url.substr(scheme + 3);
  size_t at = rest.find('@');
  size_t slash = rest.find('/');
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) rest = rest.substr(at + 1);
  size_t cut = rest.find_first_of("?#");
  if (cut != std::string::npos) rest = rest.substr(0, cut) + "?…";
  return url.substr(0, scheme + 3) + rest;
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << text;
}

}  // namespace

std::string TestLogDir() {
  static const std::string dir = [] {
    const char* env = std::getenv("OPSCALE_TEST_LOG_DIR");
    std::string d = env ? env : OPSCALE_TEST_LOG_DIR;
    if (!d.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(d, ec);
    }
    return d;
  }();
  return dir;
}

std::string NewTestLogPath(const std::string& suffix) {
  if (TestLogDir().empty()) return "";
  static std::atomic<int> n{0};
  return Prefix() + "." + std::to_string(n++) + "." + suffix;
}

std::string DescribeCommand(const std::vector<std::string>& argv) {
  std::string out;
  if (argv.empty()) return out;
  out = std::filesystem::path(argv[0]).filename().string();
  const bool sql_client = out == "mariadb" || out == "mysql" || out == "psql";
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string shown;
    if (SecretValuedFlag(argv[i - 1])) {
      shown = "***";
    } else if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      std::string flag = a.substr(0, a.find('='));
      shown = SecretValuedFlag(flag) ? flag + "=***" : a;
    } else if (sql_client && a.rfind("-p", 0) == 0 && a.size() > 2) {
      shown = "-p***";
    } else if (a.find("://") != std::string::npos) {
      shown = BareUrl(a);
    } else {
      shown = a.size() > 80 ? a.substr(0, 40) + "…" : a;
    }
    out += " " + Masked(shown);
  }
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

void KeepCommandOutput(const std::vector<std::string>& argv, const std::string& out,
                       const std::string& err) {
  if (TestLogDir().empty()) return;
  const std::string header = "### " + DescribeCommand(argv) + "\n";
  std::lock_guard lock(LogMutex());
  const std::string prefix = Prefix();
  if (!err.empty()) Append(prefix + ".commands.log", header + err + (err.back() == '\n' ? "" : "\n"));
  if (!out.empty()) Append(prefix + ".stdout.out", header + out + (out.back() == '\n' ? "" : "\n"));
}

void KeepLogFile(const std::string& path, const std::string& name) {
  std::error_code ec;
  if (TestLogDir().empty() || !std::filesystem::is_regular_file(path, ec)) return;
  std::filesystem::copy_file(path, NewTestLogPath(name), std::filesystem::copy_options::overwrite_existing,
                             ec);
}

}  // namespace opscale::testutil
