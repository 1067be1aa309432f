// The access catalog (DESIGN rule 5): one table of every access a service
// token can hold, with its level, group and meaning. Enum, parsing, printing,
// the CLI's help and the dashboard's checkboxes all come from this table.
// AccessSet is a 64-bit bitset over Access. Everything here is immutable and
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace opscale {

enum class AccessLevel { kOrganization, kDatabase };

enum class Access : uint8_t {
  // Organization level
  kReadOrganization,
  kWriteOrganization,
  kReadInvoices,
  kReadAuditLogs,
  kReadDatabases,
  kCreateDatabases,
  kDeleteDatabases,
  kReadOAuthApplications,
  kReadOAuthTokens,
  kWriteOAuthTokens,
  kDeleteOAuthTokens,
  kReadServiceTokens,
  kWriteServiceTokens,
  kDeleteServiceTokens,
  kWriteTeams,
  kReadMetricsEndpoints,
  // Database level
  kReadDatabase,
  kWriteDatabase,
  kDeleteDatabase,
  kCreateBranch,
  kReadBranch,
  kDeleteBranch,
  kDeleteProductionBranch,
  kPromoteBranches,
  kDemoteBranches,
  kConnectBranch,
  kConnectProductionBranch,
  kConnectProductionReadOnlyBranch,
  kCreateBranchPassword,
  kCreateProductionBranchPassword,
  kCreateProductionReadOnlyBranchPassword,
  kDeleteBranchPassword,
  kDeleteProductionBranchPassword,
  kDeleteProductionReadOnlyBranchPassword,
  kCreateDeployRequest,
  kReadDeployRequest,
  kApproveDeployRequest,
  kReviewDeployRequest,
  kCreateComment,
  kReadComment,
  kReadBackups,
  kWriteBackups,
  kDeleteBackups,
  kDeleteProductionBranchBackups,
  kRestoreBackup,
  kRestoreProductionBranchBackup,
  kWriteBranchVSchema,
  kWriteProductionBranchVSchema,
  kCount_,
};

struct AccessInfo {
  Access access;
  std::string_view name;         // public name, e.g. "read_branch"
  AccessLevel level;
  std::string_view group;        // "Organization", "Databases", "Branches", ...
  std::string_view description;  // one line
};

// The whole catalog, in enum order.
std::span<const AccessInfo> AccessCatalog();
const AccessInfo& Info(Access a);
std::string_view AccessName(Access a);
std::optional<Access> ParseAccess(std::string_view name);
const char* AccessLevelName(AccessLevel level);  // "organization", "database"
// The catalog name nearest to `name` by edit distance, when it is near enough
// to be a typo (at most 2 edits, or a third of the name's length); for "did
// you mean" hints. nullopt when nothing is close.
std::optional<std::string_view> ClosestAccessName(std::string_view name);

// A set of accesses.
class AccessSet {
 public:
  constexpr AccessSet() = default;
  constexpr AccessSet(std::initializer_list<Access> list) {
    for (Access a : list) Add(a);
  }
  static AccessSet All(AccessLevel level);

  constexpr void Add(Access a) { bits_ |= Bit(a); }
  constexpr void Remove(Access a) { bits_ &= ~Bit(a); }
  constexpr bool Has(Access a) const { return (bits_ & Bit(a)) != 0; }
  constexpr bool HasAny(AccessSet other) const { return (bits_ & other.bits_) != 0; }
  constexpr bool Empty() const { return bits_ == 0; }
  constexpr AccessSet Union(AccessSet o) const { AccessSet s; s.bits_ = bits_ | o.bits_; return s; }
  constexpr AccessSet Intersect(AccessSet o) const { AccessSet s; s.bits_ = bits_ & o.bits_; return s; }
  constexpr AccessSet Minus(AccessSet o) const { AccessSet s; s.bits_ = bits_ & ~o.bits_; return s; }
  constexpr bool operator==(const AccessSet&) const = default;
  std::vector<Access> ToVector() const;  // in catalog order
  std::vector<std::string> Names() const;

 private:
  static constexpr uint64_t Bit(Access a) { return uint64_t{1} << static_cast<unsigned>(a); }
  uint64_t bits_ = 0;
};

// Sets used by endpoint rules (endpoint-accesses.md).
// Any database-level access: the database is visible.
AccessSet DatabaseVisibleSet();
// read_branch, delete_branch, create_branch, connect_production_branch, connect_branch.
AccessSet BranchReadSet();
// Accesses an org `member` holds on every database of the org (SPEC §3).
AccessSet MemberDatabaseSet();
// Accesses an org `member` holds at organization level (SPEC §3).
AccessSet MemberOrganizationSet();

}  // namespace opscale
