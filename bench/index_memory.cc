// Row #6 of bench/README.md: start-up time and memory of the credential
// index with 1M service tokens x 5 grants in a real SQLite store.
//
//   index_memory [--tokens N] [--data-dir DIR]
//
// Fills DIR (default: a new temp dir, removed afterwards) through the Store
// interface, unless DIR already holds a population of N tokens from an
// earlier run (then it is reused: filling 1M tokens takes minutes). Then it
// runs itself again as a fresh process that opens the store, times
// ServiceCore::ReloadIndex() (what opscaled does at start) and reads its
// VmRSS / VmHWM from /proc/self/status. The last line is machine-readable:
//   RESULT tokens=N startup_s=S rss_mb=R peak_rss_mb=P
// Targets: rss_mb <= 600, startup_s <= 5.
//
// With --breakdown it also times, in another fresh process, the parts of a
// reload: reading each list from the store, and building the index.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "index_scenario.h"
#include "service/core.h"

namespace opscale::bench {
namespace {

constexpr const char* kMarkerFile = "bench-population";  // the N it was filled with
constexpr const char* kSamplesFile = "bench-samples";    // a few headers + targets to verify
constexpr size_t kSamples = 100;

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A "VmRSS:" style line of /proc/self/status, in MB.
double StatusMb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::strlen(field))) / 1024.0;
  }
  return -1;
}

int Fail(const std::string& what, const Status& s) {
  std::cerr << "index_memory: " << what << ": " << s.ToString() << "\n";
  return 1;
}

int Fill(const std::string& dir, size_t tokens) {
  auto key = LoadOrCreateKeyFile(dir + "/token.key");
  if (!key.ok()) return Fail("key", key.status());
  auto store = OpenStore("sqlite", dir);
  if (!store.ok()) return Fail("open store", store.status());
  auto t0 = std::chrono::steady_clock::now();
  Scenario s = MakeScenario({.tokens = tokens}, SecretHasher(*key));
  std::cout << "  made " << tokens << " tokens in " << SecondsSince(t0) << " s\n" << std::flush;
  t0 = std::chrono::steady_clock::now();
  Status st = WriteScenario(**store, s);
  if (!st.ok()) return Fail("write", st);
  std::cout << "  wrote them to SQLite in " << SecondsSince(t0) << " s\n";
  // Samples to verify the loaded index with: token header and target db.
  std::ofstream samples(dir + "/" + kSamplesFile);
  for (size_t i = 0; i < std::min(kSamples, tokens); ++i) {
    const size_t t = i * (tokens / std::min(kSamples, tokens));
    const Resource& r = s.read_targets[t];
    samples << s.headers[t] << " " << r.org_id << " " << r.org_name << " " << r.database_id << " "
            << r.database_name << "\n";
  }
  std::ofstream(dir + "/" + kMarkerFile) << tokens << "\n";
  return 0;
}

// The fresh process: open, reload, measure, verify.
int Measure(const std::string& dir) {
  const double rss_before = StatusMb("VmRSS:");
  auto key = LoadOrCreateKeyFile(dir + "/token.key");
  if (!key.ok()) return Fail("key", key.status());
  auto store = OpenStore("sqlite", dir);
  if (!store.ok()) return Fail("open store", store.status());
  CredentialIndex index{SecretHasher(*key)};
  ServiceCore core(store->get(), &index, nullptr);
  auto t0 = std::chrono::steady_clock::now();
  Status st = core.ReloadIndex();
  const double startup = SecondsSince(t0);
  if (!st.ok()) return Fail("reload", st);
  const double rss = StatusMb("VmRSS:"), peak = StatusMb("VmHWM:");

  Authenticator auth(&index);
  std::ifstream samples(dir + "/" + kSamplesFile);
  std::string header, org_id, org_name, db_id, db_name;
  size_t checked = 0;
  while (samples >> header >> org_id >> org_name >> db_id >> db_name) {
    Resource r = Resource::Org(org_id, org_name).Database(db_id, db_name);
    if (!VerifyAndAuthorize(auth, header, r, NowMs())) {
      std::cerr << "index_memory: a stored token was refused after the reload\n";
      return 1;
    }
    ++checked;
  }
  std::printf("  start-up (ServiceCore::ReloadIndex): %.2f s\n", startup);
  std::printf("  RSS: %.1f MB before, %.1f MB after, %.1f MB peak\n", rss_before, rss, peak);
  std::printf("  %zu sample tokens verified after the reload\n", checked);
  std::printf("RESULT tokens=%zu startup_s=%.3f rss_mb=%.1f peak_rss_mb=%.1f\n",
              index.service_token_count(), startup, rss, peak);
  return 0;
}

// Counts what the store streams, and nothing else: the store's share.
class CountingSink final : public CredentialSink {
 public:
  void ExpectServiceTokens(size_t) override {}
  void OnServiceToken(const ServiceToken&) override { ++tokens; }
  void OnGrant(const Grant&) override { ++grants; }
  size_t tokens = 0, grants = 0;
};

class LoaderSink final : public CredentialSink {
 public:
  void ExpectServiceTokens(size_t n) override { loader.Reserve(n); }
  void OnServiceToken(const ServiceToken& t) override { loader.Add(t); }
  void OnGrant(const Grant& g) override { loader.Add(g); }
  CredentialIndex::TokenLoader loader;
};

// The parts of ServiceCore::ReloadIndex, timed one by one.
int Breakdown(const std::string& dir) {
  auto key = LoadOrCreateKeyFile(dir + "/token.key");
  if (!key.ok()) return Fail("key", key.status());
  auto store = OpenStore("sqlite", dir);
  if (!store.ok()) return Fail("open store", store.status());
  auto t0 = std::chrono::steady_clock::now();
  auto lap = [&](const char* what) {
    std::printf("  %-40s %6.2f s  (RSS %.0f MB)\n", what, SecondsSince(t0), StatusMb("VmRSS:"));
    t0 = std::chrono::steady_clock::now();
  };
  CountingSink counter;
  Status st = (*store)->ScanCredentials(counter);
  if (!st.ok()) return Fail("read", st);
  lap("store: ScanCredentials (rows only)");
  LoaderSink sink;
  st = (*store)->ScanCredentials(sink);
  if (!st.ok()) return Fail("read", st);
  lap("store scan + TokenLoader (streamed)");
  CredentialIndex index{SecretHasher(*key)};
  index.Load(IndexSnapshot{}, std::move(sink.loader));
  lap("index: CredentialIndex::Load (swap in)");
  std::printf("  (%zu tokens, %zu grants)\n", counter.tokens, counter.grants);
  return 0;
}

size_t FilledWith(const std::string& dir) {
  std::ifstream in(dir + "/" + kMarkerFile);
  size_t n = 0;
  return (in >> n) ? n : 0;
}

}  // namespace
}  // namespace opscale::bench

int main(int argc, char** argv) {
  using namespace opscale::bench;
  if (argc == 3 && std::string(argv[1]) == "--measure") return Measure(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "--measure-breakdown") return Breakdown(argv[2]);
  size_t tokens = 1'000'000;
  std::string dir;
  bool breakdown = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--tokens" && i + 1 < argc) tokens = std::stoul(argv[++i]);
    else if (flag == "--data-dir" && i + 1 < argc) dir = argv[++i];
    else if (flag == "--breakdown") breakdown = true;
    else {
      std::cerr << "usage: index_memory [--tokens N] [--data-dir DIR] [--breakdown]\n";
      return 2;
    }
  }
  const bool temp = dir.empty();
  if (temp) {
    char tmpl[] = "/tmp/opscale-index-memory-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  std::filesystem::create_directories(dir);
  std::cout << "index_memory: " << tokens << " tokens x " << kGrantsPerToken << " grants, " << dir
            << "\n" << std::flush;
  int rc = 0;
  if (FilledWith(dir) == tokens) {
    std::cout << "  reusing the population already in " << dir << "\n";
  } else if (FilledWith(dir) != 0 || std::filesystem::exists(dir + "/opscale.db")) {
    std::cerr << "index_memory: " << dir << " holds another population; use an empty dir\n";
    return 2;
  } else {
    rc = Fill(dir, tokens);
  }
  // Each measurement in a fresh process: nothing of the fill is in its heap.
  auto run_fresh = [&](const char* mode) {
    std::cout << std::flush;
    pid_t pid = fork();
    if (pid == 0) {
      execl("/proc/self/exe", argv[0], mode, dir.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  };
  if (rc == 0 && breakdown) rc = run_fresh("--measure-breakdown");
  if (rc == 0) rc = run_fresh("--measure");
  if (temp) std::filesystem::remove_all(dir);
  return rc;
}
