// secret_scan PATH... : scans every file under each PATH (files or
// directories, recursively; a missing PATH is skipped) for secrets
// (secret_scan.h) and prints each finding as file:line, masked. Exit 0 when
// clean, 1 on any finding, 2 on usage or read errors.
//
// --postgres-dir DIR scans the log of the test PostgreSQL started by
// scripts/test-postgres.sh in DIR (DIR/log, or the directory named in
// DIR/pgroot when the server's files are elsewhere).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "logscan/secret_scan.h"

namespace fs = std::filesystem;

namespace {

bool ScanFile(const fs::path& path, size_t* findings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path.string() << ": cannot read\n";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const bool command_output = path.extension() == ".out";
  for (const auto& f : opscale::logscan::ScanText(ss.str(), command_output)) {
    std::cout << path.string() << ":" << f.line << ": " << f.pattern << ": " << f.masked << "\n";
    ++*findings;
  }
  return true;
}

std::string PostgresLog(const fs::path& dir) {
  std::ifstream root_file(dir / "pgroot");
  std::string root;
  if (!std::getline(root_file, root) || root.empty()) root = dir.string();
  return root + "/log";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: secret_scan [--postgres-dir DIR] PATH...\n";
    return 2;
  }
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--postgres-dir" && i + 1 < argc) {
      paths.emplace_back(PostgresLog(argv[++i]));
      paths.emplace_back(fs::path(argv[i]) / "initdb.log");
    } else {
      paths.emplace_back(a);
    }
  }
  size_t files = 0, findings = 0;
  bool read_ok = true;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      read_ok &= ScanFile(p, &findings);
      ++files;
    } else if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
        if (!e.is_regular_file()) continue;
        read_ok &= ScanFile(e.path(), &findings);
        ++files;
      }
    }
  }
  if (findings > 0) {
    std::cout << findings << " secret(s) found in the test logs (masked above); see docs/security.md\n";
    return 1;
  }
  std::cout << "no secrets in " << files << " log file(s)\n";
  return read_ok ? 0 : 2;
}
