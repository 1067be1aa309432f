#include "auth/oauth_scopes.h"

#include <algorithm>

namespace opscale {

namespace {

using A = Access;

const ScopeInfo kScopes[] = {
    {"read_user", "Read your user profile", {}},
    {"write_user", "Update your user profile", {}},
    {"read_organizations", "List your organizations", {}},
    {"read_organization", "Read organization information and members", {A::kReadOrganization}},
    {"write_organization", "Update organization settings", {A::kWriteOrganization}},
    {"read_databases", "List and read databases", {A::kReadDatabases, A::kReadDatabase}},
    {"create_databases", "Create databases", {A::kCreateDatabases}},
    {"write_databases", "Update database settings", {A::kWriteDatabase}},
    {"delete_databases", "Delete databases", {A::kDeleteDatabases, A::kDeleteDatabase}},
    {"read_database", "Read a database", {A::kReadDatabase}},
    {"write_database", "Update a database's settings", {A::kWriteDatabase}},
    {"delete_database", "Delete a database", {A::kDeleteDatabase}},
    {"read_branches", "List and read branches and their schema", {A::kReadBranch}},
    {"read_branch", "Read a branch and its schema", {A::kReadBranch}},
    {"write_branches", "Create branches", {A::kCreateBranch}},
    {"delete_branches", "Delete development branches", {A::kDeleteBranch}},
    {"delete_branch", "Delete a development branch", {A::kDeleteBranch}},
    {"delete_production_branches", "Delete production branches", {A::kDeleteProductionBranch}},
    {"promote_branches", "Promote branches to production", {A::kPromoteBranches}},
    {"demote_branches", "Demote production branches", {A::kDemoteBranches}},
    {"read_deploy_requests", "Read deploy requests and their reviews", {A::kReadDeployRequest}},
    {"write_deploy_requests", "Create and close deploy requests", {A::kCreateDeployRequest}},
    {"deploy_deploy_requests", "Deploy deploy requests", {A::kCreateDeployRequest}},
    {"approve_deploy_requests", "Review and approve deploy requests",
     {A::kApproveDeployRequest, A::kReviewDeployRequest}},
    {"read_comments", "Read deploy request comments", {A::kReadComment}},
    {"write_comments", "Comment on deploy requests", {A::kCreateComment}},
    {"manage_passwords", "Create, renew and delete development branch passwords; connect",
     {A::kConnectBranch, A::kCreateBranchPassword, A::kDeleteBranchPassword}},
    {"manage_production_branch_passwords", "Manage production branch passwords; connect",
     {A::kConnectProductionBranch, A::kCreateProductionBranchPassword,
      A::kDeleteProductionBranchPassword}},
    {"manage_read_only_passwords", "Manage read-only passwords",
     {A::kConnectProductionReadOnlyBranch, A::kCreateProductionReadOnlyBranchPassword,
      A::kDeleteProductionReadOnlyBranchPassword}},
    {"manage_production_read_only_passwords", "Manage production read-only passwords",
     {A::kConnectProductionReadOnlyBranch, A::kCreateProductionReadOnlyBranchPassword,
      A::kDeleteProductionReadOnlyBranchPassword}},
    {"read_backups", "Read backups", {A::kReadBackups}},
    {"write_backups", "Create backups", {A::kWriteBackups}},
    {"delete_backups", "Delete backups", {A::kDeleteBackups}},
    {"delete_production_branch_backups", "Delete production branch backups",
     {A::kDeleteProductionBranchBackups}},
    {"restore_backups", "Restore backups", {A::kRestoreBackup}},
    {"restore_production_branch_backups", "Restore production branch backups",
     {A::kRestoreProductionBranchBackup}},
};

}  // namespace

std::span<const ScopeInfo> OAuthScopeCatalog() { return kScopes; }

std::optional<std::string> NormalizeScope(std::string_view scope) {
  for (std::string_view prefix : {"user:", "organization:", "database:", "branch:"})
    if (scope.substr(0, prefix.size()) == prefix) scope.remove_prefix(prefix.size());
  for (const auto& s : kScopes)
    if (s.name == scope) return std::string(s.name);
  return std::nullopt;
}

Result<std::vector<std::string>> ParseScopes(std::string_view list) {
  std::vector<std::string> out, unknown;
  size_t i = 0;
  while (i < list.size()) {
    size_t j = list.find_first_of(" ,+", i);
    if (j == std::string_view::npos) j = list.size();
    std::string_view word = list.substr(i, j - i);
    i = j + 1;
    if (word.empty()) continue;
    auto s = NormalizeScope(word);
    if (!s) {
      unknown.emplace_back(word);
      continue;
    }
    if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
  }
  if (!unknown.empty()) {
    std::string msg = "unknown OAuth scope";
    msg += unknown.size() > 1 ? "s: " : ": ";
    for (size_t k = 0; k < unknown.size(); ++k) msg += (k ? ", " : "") + unknown[k];
    return Status::Unprocessable(msg);
  }
  return out;
}

AccessSet AccessesForScopes(const std::vector<std::string>& scopes) {
  AccessSet out;
  for (const auto& name : scopes)
    for (const auto& s : kScopes)
      if (s.name == name) out = out.Union(s.accesses);
  return out;
}

std::vector<std::string> ScopesAllowing(Access a) {
  std::vector<std::string> out;
  for (const auto& s : kScopes)
    if (s.accesses.Has(a)) out.emplace_back(s.name);
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace opscale
