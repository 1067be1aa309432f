#include "auth/credential_index.h"

#include <mutex>

#include "auth/oauth_scopes.h"
#include "auth/token_table.h"
#include "common/crypto.h"

namespace opscale {

namespace {

// Sets everything but the grants (a token row does not carry them).
void SetToken(TokenRecord& r, const ServiceToken& t) {
  r.org_id = t.org_id;
  r.digest = SecretHasher::ParseHash(t.secret_hash);
  r.expires_at = t.expires_at;
  r.last_used_at = t.last_used_at;
  r.SetName(t.name);
}

void AddGrant(TokenRecord& r, const Grant& g) {
  auto access = ParseAccess(g.access);
  if (access) r.AddGrant(g.resource_type, g.resource_id, *access);
  // else: a name this build does not know grants nothing
}

}  // namespace

// --- TokenLoader ---

CredentialIndex::TokenLoader::TokenLoader() : table_(std::make_unique<TokenTable>()) {}
CredentialIndex::TokenLoader::~TokenLoader() = default;
CredentialIndex::TokenLoader::TokenLoader(TokenLoader&&) noexcept = default;
CredentialIndex::TokenLoader& CredentialIndex::TokenLoader::operator=(TokenLoader&&) noexcept =
    default;

void CredentialIndex::TokenLoader::Reserve(size_t tokens) { table_->Reserve(tokens); }

void CredentialIndex::TokenLoader::Add(const ServiceToken& t) {
  FlushGrants();  // (only if a caller mixed the order)
  applied_token_ = nullptr;  // adding may move the records
  table_->Prefetch(t.id);
  if (token_count_ - tokens_done_ == kTokensAhead) {
    const ServiceToken& oldest = tokens_[tokens_done_++ % kTokensAhead];
    SetToken(table_->FindOrAdd(oldest.id), oldest);
  }
  tokens_[token_count_++ % kTokensAhead] = t;  // copy-assignment reuses the strings' capacity
}

void CredentialIndex::TokenLoader::Add(const Grant& g) {
  FlushTokens();
  if (g.token_id != added_token_id_) {
    table_->Prefetch(g.token_id);
    added_token_id_ = g.token_id;
  }
  if (grant_count_ - grants_done_ == kGrantsAhead) ApplyGrant(grants_[grants_done_++ % kGrantsAhead]);
  grants_[grant_count_++ % kGrantsAhead] = g;
}

void CredentialIndex::TokenLoader::ApplyGrant(const Grant& g) {
  if (applied_token_ == nullptr || g.token_id != applied_token_id_) {
    applied_token_ = table_->Find(g.token_id);
    applied_token_id_ = g.token_id;
  }
  if (applied_token_ != nullptr) AddGrant(*applied_token_, g);
}

void CredentialIndex::TokenLoader::FlushTokens() {
  for (; tokens_done_ < token_count_; ++tokens_done_) {
    const ServiceToken& t = tokens_[tokens_done_ % kTokensAhead];
    SetToken(table_->FindOrAdd(t.id), t);
  }
}

void CredentialIndex::TokenLoader::FlushGrants() {
  for (; grants_done_ < grant_count_; ++grants_done_) ApplyGrant(grants_[grants_done_ % kGrantsAhead]);
}

// --- CredentialIndex ---

CredentialIndex::CredentialIndex(SecretHasher hasher)
    : hasher_(std::move(hasher)), tokens_(std::make_unique<TokenTable>()) {}

CredentialIndex::~CredentialIndex() = default;

void CredentialIndex::Load(const IndexSnapshot& s) {
  TokenLoader loader;
  loader.Reserve(s.service_tokens.size());
  for (const auto& t : s.service_tokens) loader.Add(t);
  for (const auto& g : s.grants) loader.Add(g);
  Load(s, std::move(loader));
}

void CredentialIndex::Load(const IndexSnapshot& s, TokenLoader loader) {
  // The new service-token table was built without the lock (requests keep
  // being answered from the old one meanwhile); swap it in.
  loader.FlushTokens();
  loader.FlushGrants();
  std::unique_ptr<TokenTable> tokens = std::move(loader.table_);
  std::unique_lock lock(mu_);
  org_id_by_name_.clear();
  org_name_by_id_.clear();
  users_.clear();
  tokens_.swap(tokens);
  api_tokens_by_hash_.clear();
  api_hash_by_id_.clear();
  for (const auto& o : s.orgs) {
    org_id_by_name_[o.name] = o.id;
    org_name_by_id_[o.id] = o.name;
  }
  for (const auto& u : s.users) users_[u.id].user = u;
  for (const auto& m : s.memberships) users_[m.user_id].roles[m.org_id] = m.role;
  for (const auto& t : s.api_tokens) {
    api_tokens_by_hash_[t.secret_hash] = t;
    api_hash_by_id_[t.id] = t.secret_hash;
  }
  lock.unlock();
  // `tokens` now holds the old table; it is freed here, outside the lock.
}

void CredentialIndex::PutOrganization(const Organization& org) {
  std::unique_lock lock(mu_);
  org_id_by_name_[org.name] = org.id;
  org_name_by_id_[org.id] = org.name;
}

void CredentialIndex::PutUser(const User& user) {
  std::unique_lock lock(mu_);
  users_[user.id].user = user;
}

void CredentialIndex::PutMembership(const Membership& m) {
  std::unique_lock lock(mu_);
  users_[m.user_id].roles[m.org_id] = m.role;
}

void CredentialIndex::PutServiceToken(const ServiceToken& t) {
  std::unique_lock lock(mu_);
  SetToken(tokens_->FindOrAdd(t.id), t);  // an existing token keeps its grants
}

void CredentialIndex::RemoveServiceToken(const std::string& id) {
  std::unique_lock lock(mu_);
  tokens_->Erase(id);
}

void CredentialIndex::PutGrant(const Grant& g) {
  std::unique_lock lock(mu_);
  if (TokenRecord* r = tokens_->Find(g.token_id)) AddGrant(*r, g);
}

void CredentialIndex::RemoveGrant(const std::string& token_id, ResourceType type,
                                  const std::string& resource_id, const std::string& access) {
  auto a = ParseAccess(access);
  if (!a) return;
  std::unique_lock lock(mu_);
  if (TokenRecord* r = tokens_->Find(token_id)) r->RemoveGrant(type, resource_id, *a);
}

void CredentialIndex::RemoveDatabase(const std::string& database_id) {
  std::unique_lock lock(mu_);
  tokens_->ForEach([&](TokenRecord& r) { r.RemoveDatabase(database_id); });
}

void CredentialIndex::PutApiToken(const ApiToken& t) {
  std::unique_lock lock(mu_);
  api_tokens_by_hash_[t.secret_hash] = t;
  api_hash_by_id_[t.id] = t.secret_hash;
}

void CredentialIndex::RemoveApiToken(const std::string& id) {
  std::unique_lock lock(mu_);
  auto it = api_hash_by_id_.find(id);
  if (it == api_hash_by_id_.end()) return;
  api_tokens_by_hash_.erase(it->second);
  api_hash_by_id_.erase(it);
}

void CredentialIndex::SetServiceTokenLastUsed(const std::string& id, TimeMs t) {
  std::unique_lock lock(mu_);
  if (TokenRecord* r = tokens_->Find(id)) r->last_used_at = t;
}

void CredentialIndex::SetApiTokenLastUsed(const std::string& id, TimeMs t) {
  std::unique_lock lock(mu_);
  auto it = api_hash_by_id_.find(id);
  if (it == api_hash_by_id_.end()) return;
  auto tok = api_tokens_by_hash_.find(it->second);
  if (tok != api_tokens_by_hash_.end()) tok->second.last_used_at = t;
}

namespace {

// Returns are Principals built as the return value (prvalues), so each is
// moved once, into the Result: a Principal costs ~0.1 us to move.
Status Refused() { return Status::Unauthenticated(""); }
// The credential is not in the index at all (it may have been created by
// another process a moment ago; see Authenticator's miss hook).
Status Unknown() { return Status::NotFound(""); }

Principal TokenPrincipal(const TokenRecord& r) {
  Principal p;
  p.kind = Principal::Kind::kServiceToken;
  p.id = r.id;
  p.credential_id = r.id;
  p.display_name = r.DisplayName();
  p.org_id = r.org_id;
  r.CopyGrantsTo(p);
  return p;
}

}  // namespace

Result<Principal> CredentialIndex::CheckServiceToken(std::string_view id, std::string_view secret,
                                                     TimeMs now,
                                                     std::optional<TimeMs>* last_used_at) const {
  if (!HasSecretShape(secret, kServiceTokenPrefix)) return Refused();
  std::shared_lock lock(mu_);
  // With many tokens the entry is not in cache (nor its page in the TLB):
  // start loading it, and hash the secret while it arrives. The prefetch
  // sits right before the SHA-256 blocks because they are slow per
  // instruction, so the CPU keeps running them while the page walk, which
  // holds up the prefetch, completes. (The lock is shared: holding it over
  // the hashing delays only a writer, by well under 1 us.)
  tokens_->Prefetch(id);
  // The secret's checksum (token_format.h) is not verified here: it serves
  // secret scanners and typo detection, and the keyed hash decides anyway (a
  // stored secret always had a valid one). Skipping it saves a SHA-256 block.
  const SecretDigest digest = hasher_.Digest(secret);
  const TokenRecord* r = tokens_->Find(id);
  if (r == nullptr) return Unknown();
  if (!r->digest || !SameDigest(digest, *r->digest)) return Refused();
  if (r->expires_at && *r->expires_at <= now) return Refused();
  if (last_used_at != nullptr) *last_used_at = r->last_used_at;
  return TokenPrincipal(*r);
}

Result<Principal> CredentialIndex::CheckBearer(const std::string& secret, TimeMs now,
                                               BearerKind kind,
                                               std::optional<TimeMs>* last_used_at) const {
  std::string hash = hasher_.Hash(secret);
  std::shared_lock lock(mu_);
  auto it = api_tokens_by_hash_.find(hash);
  if (it == api_tokens_by_hash_.end()) return Unknown();
  const ApiToken& t = it->second;
  if ((t.kind == kSessionKind) != (kind == BearerKind::kSession)) return Refused();
  if (t.expires_at && *t.expires_at <= now) return Refused();
  auto u = users_.find(t.user_id);
  if (u == users_.end()) return Unknown();  // a user another process just created
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = u->second.user.id;
  p.credential_id = t.id;
  p.display_name = u->second.user.display_name.empty() ? u->second.user.email
                                                       : u->second.user.display_name;
  for (const auto& [org, role] : u->second.roles)
    if (t.org_id.empty() || t.org_id == org) p.roles[org] = role;
  if (t.scopes) {
    auto scopes = ParseScopes(*t.scopes);
    p.scopes = scopes.ok() ? std::move(scopes).value() : std::vector<std::string>{};
    p.scope_limit = AccessesForScopes(p.scopes);
    p.oauth_application_id = t.application_id;
  }
  if (last_used_at != nullptr) *last_used_at = t.last_used_at;
  return p;
}

std::optional<std::string> CredentialIndex::OrgIdByName(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = org_id_by_name_.find(name);
  if (it == org_id_by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> CredentialIndex::OrgNameById(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = org_name_by_id_.find(id);
  if (it == org_name_by_id_.end()) return std::nullopt;
  return it->second;
}

size_t CredentialIndex::service_token_count() const {
  std::shared_lock lock(mu_);
  return tokens_->size();
}

}  // namespace opscale

namespace opscale {

bool CredentialIndex::HasServiceToken(const std::string& id) const {
  std::shared_lock lock(mu_);
  return tokens_->Find(id) != nullptr;
}

}  // namespace opscale
