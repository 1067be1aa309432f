// The synthetic credential population shared by the credential-index
// benchmarks (token_check_bench.cc, index_memory.cc) and their smoke test
// (src/service/index_agreement_test.cc), so the benchmarks cannot rot:
// N service tokens spread over a few organizations, each with 5 grants, one
// on the organization and four on databases of its organization.
//
// Plain functions; a Scenario is a plain value. Not thread-safe to share
// while it is being built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/credential_index.h"
#include "auth/resource.h"
#include "common/status.h"
#include "domain/database.h"
#include "storage/store.h"

namespace opscale::bench {

struct ScenarioOptions {
  size_t tokens = 1000;
  size_t organizations = 10;
  size_t databases = 1000;  // spread evenly over the organizations
  uint64_t seed = 1;        // the grant layout; secrets are always fresh
};

inline constexpr int kGrantsPerToken = 5;

struct Scenario {
  std::vector<Organization> orgs;
  std::vector<Database> databases;
  std::vector<ServiceToken> tokens;
  std::vector<Grant> grants;  // kGrantsPerToken per token, in token order
  // Per token, in token order: its "<ID>:<TOKEN>" header and a database of
  // its organization on which it holds read_branch (the benchmark's query).
  std::vector<std::string> headers;
  std::vector<Resource> read_targets;
};

// Builds the population; secret hashes are made with `hasher`.
Scenario MakeScenario(const ScenarioOptions& options, const SecretHasher& hasher);

// The index content of the scenario (what ServiceCore::ReloadIndex would read).
IndexSnapshot SnapshotOf(const Scenario& s);

// Writes orgs, databases, tokens and grants through the Store interface, in
// transactions of `batch` tokens each.
Status WriteScenario(Store& store, const Scenario& s, size_t batch = 20000);

// The measured operation: verify the header, then read_branch on `target`.
// True if both succeeded.
inline bool VerifyAndAuthorize(const Authenticator& auth, const std::string& header,
                               const Resource& target, TimeMs now) {
  auto p = auth.Authenticate(header, now);
  return p.ok() && Authorizer::Authorize(*p, Access::kReadBranch, target).ok();
}

}  // namespace opscale::bench
