// OAuth scopes (the public scope names, planetscale-facts.md §3.4) and the
// accesses each one allows. An OAuth access token acts as its user, limited
// to the accesses its scopes allow (Principal::scope_limit) — so every /v1
// endpoint's required access maps to the scope(s) that permit it through this
// one table. Scope strings may carry the OpenAPI's resource prefix
// ("database:read_branches"); it is ignored. Immutable; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.h"
#include "common/status.h"

namespace opscale {

struct ScopeInfo {
  std::string_view name;         // e.g. "write_branches"
  std::string_view description;  // one line, for the consent page
  AccessSet accesses;            // what it allows
};

std::span<const ScopeInfo> OAuthScopeCatalog();
// "database:read_branches" -> "read_branches"; nullopt if unknown.
std::optional<std::string> NormalizeScope(std::string_view scope);
// Parses a space- or comma-separated list: 422 naming unknown scopes.
Result<std::vector<std::string>> ParseScopes(std::string_view list);
// The accesses a set of (normalized) scopes allows.
AccessSet AccessesForScopes(const std::vector<std::string>& scopes);
// The scopes that would allow `a` (for error messages and docs).
std::vector<std::string> ScopesAllowing(Access a);
std::string JoinScopes(const std::vector<std::string>& scopes);  // space-separated

// User-level scopes that guard endpoints without an access.
inline constexpr std::string_view kScopeReadUser = "read_user";
inline constexpr std::string_view kScopeReadOrganizations = "read_organizations";

}  // namespace opscale
