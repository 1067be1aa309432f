// Principal: who is calling, and what they hold. Produced by the
// Authenticator from the in-memory CredentialIndex; a plain value that lives
// for one request.
#pragma once

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/access.h"
#include "domain/actor.h"
#include "domain/organization.h"

namespace opscale {

// Database id -> the accesses a service token holds there. A sorted vector,
// not a hash map: a token holds a handful, and the Principal gets a copy per
// request (one allocation). A plain value.
class DatabaseAccessMap {
 public:
  using Entry = std::pair<std::string, AccessSet>;

  // The accesses held on the database (empty if none).
  AccessSet Get(std::string_view database_id) const {
    auto it = Find(database_id);
    return it != entries_.end() && it->first == database_id ? it->second : AccessSet{};
  }
  // Like std::map: inserts an empty set if absent.
  AccessSet& operator[](std::string_view database_id) {
    auto it = Find(database_id);
    if (it == entries_.end() || it->first != database_id)
      it = entries_.emplace(it, std::string(database_id), AccessSet{});
    return it->second;
  }
  // Like std::map: throws std::out_of_range if absent.
  const AccessSet& at(std::string_view database_id) const {
    auto it = Find(database_id);
    if (it == entries_.end() || it->first != database_id)
      throw std::out_of_range("no accesses on database " + std::string(database_id));
    return it->second;
  }
  // Replaces the content with [first, last), which must be sorted by id.
  template <typename It>
  void AssignSorted(It first, It last) { entries_.assign(first, last); }

  size_t size() const { return entries_.size(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry>::const_iterator Find(std::string_view id) const {
    return std::lower_bound(entries_.begin(), entries_.end(), id,
                            [](const Entry& e, std::string_view k) { return e.first < k; });
  }
  std::vector<Entry>::iterator Find(std::string_view id) {
    return std::lower_bound(entries_.begin(), entries_.end(), id,
                            [](const Entry& e, std::string_view k) { return e.first < k; });
  }
  std::vector<Entry> entries_;
};

struct Principal {
  enum class Kind { kUser, kServiceToken };
  Kind kind = Kind::kServiceToken;
  std::string id;            // user id or service token id
  std::string display_name;  // user email, or token name (else id)
  std::string credential_id; // the bearer token id for users; token id for tokens

  // Service tokens: the owning organization and the granted accesses.
  std::string org_id;
  AccessSet org_accesses;
  DatabaseAccessMap database_accesses;

  // Users: role per organization id (already narrowed to the bearer token's org, if any).
  std::unordered_map<std::string, Role> roles;
  // OAuth access tokens: the user's rights are narrowed to what the token's
  // scopes allow (auth/oauth_scopes.h). Unset for API tokens and sessions.
  std::optional<AccessSet> scope_limit;
  std::vector<std::string> scopes;   // normalized scope names, when scope_limit is set
  std::string oauth_application_id;  // the OAuth application, when scope_limit is set

  bool HasScope(std::string_view s) const {
    if (!scope_limit) return true;
    for (const auto& x : scopes)
      if (x == s) return true;
    return false;
  }

  bool is_token() const { return kind == Kind::kServiceToken; }
  bool is_user() const { return kind == Kind::kUser; }
  Actor AsActor() const {
    return Actor{is_token() ? ActorType::kServiceToken : ActorType::kUser, id, display_name};
  }
};

}  // namespace opscale
