#include "auth/access.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace opscale {
namespace {

using L = AccessLevel;
using A = Access;

constexpr std::array<AccessInfo, static_cast<size_t>(A::kCount_)> kCatalog = {{
    {A::kReadOrganization, "read_organization", L::kOrganization, "Organization", "Read organization information"},
    {A::kWriteOrganization, "write_organization", L::kOrganization, "Organization", "Update organization settings and members"},
    {A::kReadInvoices, "read_invoices", L::kOrganization, "Organization", "Read invoices"},
    {A::kReadAuditLogs, "read_audit_logs", L::kOrganization, "Organization", "Read the audit log"},
    {A::kReadDatabases, "read_databases", L::kOrganization, "Databases", "List and read the organization's databases"},
    {A::kCreateDatabases, "create_databases", L::kOrganization, "Databases", "Create databases"},
    {A::kDeleteDatabases, "delete_databases", L::kOrganization, "Databases", "Delete databases"},
    {A::kReadOAuthApplications, "read_oauth_applications", L::kOrganization, "OAuth", "Read OAuth applications and their tokens"},
    {A::kReadOAuthTokens, "read_oauth_tokens", L::kOrganization, "OAuth", "Read an OAuth application's tokens"},
    {A::kWriteOAuthTokens, "write_oauth_tokens", L::kOrganization, "OAuth", "Create or refresh OAuth grants and tokens"},
    {A::kDeleteOAuthTokens, "delete_oauth_tokens", L::kOrganization, "OAuth", "Delete OAuth tokens"},
    {A::kReadServiceTokens, "read_service_tokens", L::kOrganization, "Service tokens", "Read service tokens and their accesses"},
    {A::kWriteServiceTokens, "write_service_tokens", L::kOrganization, "Service tokens", "Create service tokens and change their accesses"},
    {A::kDeleteServiceTokens, "delete_service_tokens", L::kOrganization, "Service tokens", "Delete service tokens"},
    {A::kWriteTeams, "write_teams", L::kOrganization, "Organization", "Create and update teams"},
    {A::kReadMetricsEndpoints, "read_metrics_endpoints", L::kOrganization, "Organization", "Read branch metrics endpoints"},
    {A::kReadDatabase, "read_database", L::kDatabase, "Database", "Read the database"},
    {A::kWriteDatabase, "write_database", L::kDatabase, "Database", "Update the database's settings"},
    {A::kDeleteDatabase, "delete_database", L::kDatabase, "Database", "Delete the database"},
    {A::kCreateBranch, "create_branch", L::kDatabase, "Branches", "Create branches"},
    {A::kReadBranch, "read_branch", L::kDatabase, "Branches", "Read branches"},
    {A::kDeleteBranch, "delete_branch", L::kDatabase, "Branches", "Delete development branches"},
    {A::kDeleteProductionBranch, "delete_production_branch", L::kDatabase, "Branches", "Delete production branches"},
    {A::kPromoteBranches, "promote_branches", L::kDatabase, "Branches", "Promote branches to production"},
    {A::kDemoteBranches, "demote_branches", L::kDatabase, "Branches", "Demote production branches"},
    {A::kConnectBranch, "connect_branch", L::kDatabase, "Branches", "Connect to development branches"},
    {A::kConnectProductionBranch, "connect_production_branch", L::kDatabase, "Branches", "Connect to production branches"},
    {A::kConnectProductionReadOnlyBranch, "connect_production_read_only_branch", L::kDatabase, "Branches", "Connect read-only to production branches"},
    {A::kCreateBranchPassword, "create_branch_password", L::kDatabase, "Branch passwords", "Create development branch passwords"},
    {A::kCreateProductionBranchPassword, "create_production_branch_password", L::kDatabase, "Branch passwords", "Create production branch passwords"},
    {A::kCreateProductionReadOnlyBranchPassword, "create_production_read_only_branch_password", L::kDatabase, "Branch passwords", "Create read-only production branch passwords"},
    {A::kDeleteBranchPassword, "delete_branch_password", L::kDatabase, "Branch passwords", "Delete development branch passwords"},
    {A::kDeleteProductionBranchPassword, "delete_production_branch_password", L::kDatabase, "Branch passwords", "Delete production branch passwords"},
    {A::kDeleteProductionReadOnlyBranchPassword, "delete_production_read_only_branch_password", L::kDatabase, "Branch passwords", "Delete read-only production branch passwords"},
    {A::kCreateDeployRequest, "create_deploy_request", L::kDatabase, "Deploy requests", "Create, deploy, close and cancel deploy requests"},
    {A::kReadDeployRequest, "read_deploy_request", L::kDatabase, "Deploy requests", "Read deploy requests"},
    {A::kApproveDeployRequest, "approve_deploy_request", L::kDatabase, "Deploy requests", "Approve deploy requests"},
    {A::kReviewDeployRequest, "review_deploy_request", L::kDatabase, "Deploy requests", "Review deploy requests"},
    {A::kCreateComment, "create_comment", L::kDatabase, "Deploy requests", "Comment on deploy requests"},
    {A::kReadComment, "read_comment", L::kDatabase, "Deploy requests", "Read deploy request comments"},
    {A::kReadBackups, "read_backups", L::kDatabase, "Backups", "List and read backups"},
    {A::kWriteBackups, "write_backups", L::kDatabase, "Backups", "Create and update backups"},
    {A::kDeleteBackups, "delete_backups", L::kDatabase, "Backups", "Delete development branch backups"},
    {A::kDeleteProductionBranchBackups, "delete_production_branch_backups", L::kDatabase, "Backups", "Delete production branch backups"},
    {A::kRestoreBackup, "restore_backup", L::kDatabase, "Backups", "Restore development branch backups"},
    {A::kRestoreProductionBranchBackup, "restore_production_branch_backup", L::kDatabase, "Backups", "Restore production branch backups"},
    {A::kWriteBranchVSchema, "write_branch_vschema", L::kDatabase, "VSchema", "Update development branch VSchemas"},
    {A::kWriteProductionBranchVSchema, "write_production_branch_vschema", L::kDatabase, "VSchema", "Update production branch VSchemas"},
}};

constexpr bool CatalogInEnumOrder() {
  for (size_t i = 0; i < kCatalog.size(); ++i)
    if (static_cast<size_t>(kCatalog[i].access) != i) return false;
  return true;
}
static_assert(CatalogInEnumOrder(), "access catalog must list accesses in enum order");
static_assert(static_cast<size_t>(A::kCount_) <= 64, "AccessSet holds at most 64 accesses");

}  // namespace

std::span<const AccessInfo> AccessCatalog() { return kCatalog; }

const AccessInfo& Info(Access a) { return kCatalog[static_cast<size_t>(a)]; }

std::string_view AccessName(Access a) { return Info(a).name; }

std::optional<Access> ParseAccess(std::string_view name) {
  static const auto* by_name = [] {
    auto* m = new std::unordered_map<std::string_view, Access>();
    for (const auto& info : kCatalog) (*m)[info.name] = info.access;
    return m;
  }();
  auto it = by_name->find(name);
  if (it == by_name->end()) return std::nullopt;
  return it->second;
}

const char* AccessLevelName(AccessLevel level) {
  return level == AccessLevel::kOrganization ? "organization" : "database";
}

namespace {
constexpr AccessSet AllAt(AccessLevel level) {
  AccessSet s;
  for (const auto& info : kCatalog)
    if (info.level == level) s.Add(info.access);
  return s;
}
// Computed at compile time: the Authorizer asks for these on every request.
constexpr AccessSet kAllOrganization = AllAt(L::kOrganization);
constexpr AccessSet kAllDatabase = AllAt(L::kDatabase);
}  // namespace

AccessSet AccessSet::All(AccessLevel level) {
  return level == L::kOrganization ? kAllOrganization : kAllDatabase;
}

std::vector<Access> AccessSet::ToVector() const {
  std::vector<Access> out;
  for (const auto& info : kCatalog)
    if (Has(info.access)) out.push_back(info.access);
  return out;
}

std::vector<std::string> AccessSet::Names() const {
  std::vector<std::string> out;
  for (Access a : ToVector()) out.emplace_back(AccessName(a));
  return out;
}

namespace {
// Levenshtein distance over bytes (access names are ASCII).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::optional<std::string_view> ClosestAccessName(std::string_view name) {
  std::optional<std::string_view> best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const auto& info : kCatalog) {
    size_t d = EditDistance(name, info.name);
    if (d < best_distance) {
      best_distance = d;
      best = info.name;
    }
  }
  return best;
}

AccessSet DatabaseVisibleSet() { return AccessSet::All(AccessLevel::kDatabase); }

AccessSet BranchReadSet() {
  return {A::kReadBranch, A::kDeleteBranch, A::kCreateBranch, A::kConnectProductionBranch,
          A::kConnectBranch};
}

AccessSet MemberDatabaseSet() {
  return {A::kReadDatabase,        A::kCreateBranch,        A::kReadBranch,
          A::kDeleteBranch,        A::kConnectBranch,       A::kCreateDeployRequest,
          A::kReadDeployRequest,   A::kCreateComment,       A::kReadComment,
          A::kReadBackups};
}

AccessSet MemberOrganizationSet() { return {A::kReadOrganization, A::kReadDatabases}; }

}  // namespace opscale
