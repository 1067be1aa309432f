// CredentialIndex: the in-memory index behind every request's credential
// check (DESIGN "Hot path"): a parse, one HMAC-SHA256, one hash-map lookup
// and a bitset test. Never reads the store.
//
// It is rebuilt from the store with Load() and kept current by the same code
// path that writes the store (the services call Put*/Remove* right after a
// successful commit, under their write lock).
//
// Service tokens live in a TokenTable (token_table.h): flat, one slot per
// token holding what a check needs and no more (the raw 32-byte digest, not
// the stored hex; no audit fields), so that a check costs one cache miss.
//
// Thread-safety: all methods are safe to call concurrently (shared_mutex).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/principal.h"
#include "auth/token_format.h"
#include "common/clock.h"
#include "common/status.h"
#include "domain/credentials.h"
#include "domain/organization.h"

namespace opscale {

struct IndexSnapshot {
  std::vector<Organization> orgs;
  std::vector<User> users;
  std::vector<Membership> memberships;
  std::vector<ServiceToken> service_tokens;
  std::vector<Grant> grants;
  std::vector<ApiToken> api_tokens;
};

class TokenTable;
struct TokenRecord;

class CredentialIndex {
 public:
  // Builds a service-token table from rows given one at a time (e.g. by
  // Store::ScanCredentials), so that millions of rows are never held at
  // once: every token first, then the grants (a grant of a token it has not
  // seen grants nothing). Not thread-safe; hand it to Load().
  class TokenLoader {
   public:
    TokenLoader();
    ~TokenLoader();
    TokenLoader(TokenLoader&&) noexcept;
    TokenLoader& operator=(TokenLoader&&) noexcept;

    // Makes room for `tokens` tokens up front (a hint).
    void Reserve(size_t tokens);
    void Add(const ServiceToken& t);
    void Add(const Grant& g);

   private:
    friend class CredentialIndex;
    // Each token lands in a random slot of a table far larger than the
    // caches. A row waits here for a few more rows: its slot is prefetched
    // when it arrives and written when it leaves, so the misses of several
    // rows overlap. (A token's grants come together, ~5 per token: hence the
    // longer queue for grants.)
    static constexpr size_t kTokensAhead = 8, kGrantsAhead = 32;
    void FlushTokens();
    void FlushGrants();
    void ApplyGrant(const Grant& g);
    std::unique_ptr<TokenTable> table_;
    std::array<ServiceToken, kTokensAhead> tokens_;
    std::array<Grant, kGrantsAhead> grants_;
    size_t token_count_ = 0, grant_count_ = 0;  // rows added (a ring position)
    size_t tokens_done_ = 0, grants_done_ = 0;  // rows written to the table
    // The token of the last grant written, and of the last one added.
    std::string applied_token_id_, added_token_id_;
    TokenRecord* applied_token_ = nullptr;
  };

  explicit CredentialIndex(SecretHasher hasher);
  ~CredentialIndex();

  const SecretHasher& hasher() const { return hasher_; }

  // Replaces the whole content. The new content is built before the lock is
  // taken, so checks go on meanwhile; callers must not run Put*/Remove*
  // concurrently with Load (ServiceCore serializes both under its write lock).
  void Load(const IndexSnapshot& snapshot);
  // The same, with the service tokens and grants from `tokens` (those of
  // `snapshot` are ignored).
  void Load(const IndexSnapshot& snapshot, TokenLoader tokens);

  void PutOrganization(const Organization& org);
  void PutUser(const User& user);
  void PutMembership(const Membership& m);
  void PutServiceToken(const ServiceToken& t);
  void RemoveServiceToken(const std::string& id);
  void PutGrant(const Grant& g);
  void RemoveGrant(const std::string& token_id, ResourceType type, const std::string& resource_id,
                   const std::string& access);
  // Drops every grant on a database (the database was deleted).
  void RemoveDatabase(const std::string& database_id);
  void PutApiToken(const ApiToken& t);
  void RemoveApiToken(const std::string& id);
  void SetServiceTokenLastUsed(const std::string& id, TimeMs t);
  void SetApiTokenLastUsed(const std::string& id, TimeMs t);

  // Checks a service token id + secret. On success returns the token's
  // Principal and sets `*last_used_at` (if given) to the stored last use, so
  // the caller can throttle last-used writes. A secret of the wrong shape
  // (token_format.h; a bad checksum is left to the keyed hash, which refuses
  // it), a wrong secret and expiry give Unauthenticated
  // and an unknown id NotFound, without a message (the Authenticator words
  // the uniform 401).
  Result<Principal> CheckServiceToken(std::string_view id, std::string_view secret, TimeMs now,
                                      std::optional<TimeMs>* last_used_at = nullptr) const;
  // Checks a user secret (already shape-checked), the same way. API tokens
  // are accepted only as a Bearer header and dashboard sessions only as a
  // cookie, so a session secret is useless outside the browser that holds
  // it, and an API token placed in a cookie is not a session (CSRF rules
  // differ).
  enum class BearerKind { kApiToken, kSession };
  Result<Principal> CheckBearer(const std::string& secret, TimeMs now,
                                BearerKind kind = BearerKind::kApiToken,
                                std::optional<TimeMs>* last_used_at = nullptr) const;

  std::optional<std::string> OrgIdByName(const std::string& name) const;
  std::optional<std::string> OrgNameById(const std::string& id) const;
  size_t service_token_count() const;
  bool HasServiceToken(const std::string& id) const;

 private:
  struct UserEntry {
    User user;
    std::unordered_map<std::string, Role> roles;
  };

  SecretHasher hasher_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> org_id_by_name_;
  std::unordered_map<std::string, std::string> org_name_by_id_;
  std::unordered_map<std::string, UserEntry> users_;               // by user id
  std::unique_ptr<TokenTable> tokens_;  // service tokens by id (never null)
  std::unordered_map<std::string, ApiToken> api_tokens_by_hash_;   // by secret hash
  std::unordered_map<std::string, std::string> api_hash_by_id_;
};

}  // namespace opscale
