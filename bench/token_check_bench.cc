// Row #1 of bench/README.md: a service token's verify + authorize, in
// process. For N = 1k, 100k and 1M tokens with 5 grants each, one operation
// is Authenticator::Authenticate("<ID>:<TOKEN>") followed by
// Authorizer::Authorize(read_branch, database), for a different token each
// time (a shuffled walk over all N, so the index is not trivially cache-hot).
//
// Run (Release build with -DOPSCALE_BENCH=ON; see bench/README.md):
//   taskset -c 0 build-bench/bench/token_check_bench
// and read the *_median rows. Target: median <= 1 us; 1M within 1.5x of 1k.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>

#include "index_scenario.h"

namespace opscale::bench {
namespace {

// One population per N, built once and kept while benchmarks of that N run
// (building 1M tokens takes seconds; the repetitions must not rebuild it).
//
// The requests are laid out in the order they are sent (a shuffled walk over
// all N tokens), compactly: like a request just read from a socket, the
// header is in cache, while the index entry it leads to is not.
struct Population {
  explicit Population(size_t n) : index(SecretHasher(std::string(32, 'k'))), auth(&index) {
    Scenario s = MakeScenario({.tokens = n}, index.hasher());
    index.Load(SnapshotOf(s));
    std::unordered_map<std::string, uint32_t> db_index;
    for (const auto& r : s.read_targets) {
      if (db_index.emplace(r.database_id, databases.size()).second) databases.push_back(r);
    }
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
    headers.reserve(n);
    targets.reserve(n);
    for (size_t t : order) {
      headers.push_back(s.headers[t]);
      targets.push_back(db_index.at(s.read_targets[t].database_id));
    }
    wrong_headers.reserve(n);  // same id, another well-formed secret
    for (size_t t : order)
      wrong_headers.push_back(s.tokens[t].id + ":" + GenerateSecret(kServiceTokenPrefix));
  }
  size_t size() const { return headers.size(); }

  CredentialIndex index;
  Authenticator auth;
  std::vector<Resource> databases;  // the databases the requests read
  std::vector<std::string> headers, wrong_headers;
  std::vector<uint32_t> targets;  // per request, into `databases`
};

Population& PopulationOf(size_t n) {
  static std::unique_ptr<Population> current;
  if (!current || current->size() != n) {
    current.reset();  // free the previous N first: 1M tokens are large
    current = std::make_unique<Population>(n);
  }
  return *current;
}

void BM_VerifyAndAuthorize(benchmark::State& state) {
  Population& p = PopulationOf(static_cast<size_t>(state.range(0)));
  const TimeMs now = NowMs();
  size_t i = 0, failures = 0;
  for (auto _ : state) {
    bool ok = VerifyAndAuthorize(p.auth, p.headers[i], p.databases[p.targets[i]], now);
    if (++i == p.size()) i = 0;
    benchmark::DoNotOptimize(ok);
    failures += !ok;
  }
  if (failures > 0) state.SkipWithError("a valid token was refused");
}

// Informative (row #4's in-process part): a wrong secret must cost no more.
void BM_WrongSecret(benchmark::State& state) {
  Population& p = PopulationOf(static_cast<size_t>(state.range(0)));
  const TimeMs now = NowMs();
  size_t i = 0, accepted = 0;
  for (auto _ : state) {
    bool ok = VerifyAndAuthorize(p.auth, p.wrong_headers[i], p.databases[p.targets[i]], now);
    if (++i == p.size()) i = 0;
    benchmark::DoNotOptimize(ok);
    accepted += ok;
  }
  if (accepted > 0) state.SkipWithError("a wrong secret was accepted");
}

void Common(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kNanosecond)->Repetitions(10)->ReportAggregatesOnly(true);
}

// Registered N by N so each population is built once.
BENCHMARK(BM_VerifyAndAuthorize)->Arg(1'000)->Apply(Common);
BENCHMARK(BM_WrongSecret)->Arg(1'000)->Apply(Common);
BENCHMARK(BM_VerifyAndAuthorize)->Arg(100'000)->Apply(Common);
BENCHMARK(BM_WrongSecret)->Arg(100'000)->Apply(Common);
BENCHMARK(BM_VerifyAndAuthorize)->Arg(1'000'000)->Apply(Common);
BENCHMARK(BM_WrongSecret)->Arg(1'000'000)->Apply(Common);

}  // namespace
}  // namespace opscale::bench

BENCHMARK_MAIN();
