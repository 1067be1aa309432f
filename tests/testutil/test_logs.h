// Keeps every log a test produces in one directory for the secret scan
// (tests/logscan/secret_scan.cc, run by ctest after every other test).
//
// The directory is $OPSCALE_TEST_LOG_DIR, else the build's tests/logs (set
// by CMake); an empty OPSCALE_TEST_LOG_DIR keeps nothing. File names start
// with the running test's name and this process's id, so parallel tests
// never share a file. Two kinds of file (docs/security.md, "Secret hygiene"):
//   *.log  diagnostics: server stderr, the commands' stderr (where --debug
//          traces go), the private MariaDB's logs, browser test output.
//          No secret may ever appear in them.
//   *.out  what commands printed on stdout, one "### <command>" section per
//          run. This is the product the user asked for; a secret may appear
//          only in the answer of a command whose job is to show one once
//          (token, password or client secret creation, `opscaled init`).
// Thread-safe: appends are whole sections under a process-wide mutex.
#pragma once

#include <string>
#include <vector>

namespace opscale::testutil {

struct RunResult;

// The directory ("" when keeping logs is turned off). Created on first use.
std::string TestLogDir();
// A new file path in that directory for this test: <test>.<pid>.<n>.<suffix>
// ("" when logs are off).
std::string NewTestLogPath(const std::string& suffix);
// "<program> <args>" for a section header, with secret-bearing arguments
// (headers, --service-token values, passwords, query strings) left out.
std::string DescribeCommand(const std::vector<std::string>& argv);
// Appends one command's stderr to <test>.<pid>.commands.log and its stdout to
// <test>.<pid>.stdout.out, each under a "### <command>" header.
void KeepCommandOutput(const std::vector<std::string>& argv, const std::string& out,
                       const std::string& err);
// Copies `path` (if it exists) to a new log named <test>.<pid>.<n>.<name>.
void KeepLogFile(const std::string& path, const std::string& name);

}  // namespace opscale::testutil
