#include "auth/credential_index.h"

#include <mutex>

#include "auth/oauth_scopes.h"
#include "common/crypto.h"

namespace opscale {

void CredentialIndex::Load(const IndexSnapshot& s) {
  std::unique_lock lock(mu_);
  org_id_by_name_.clear();
  org_name_by_id_.clear();
  users_.clear();
  tokens_.clear();
  api_tokens_by_hash_.clear();
  api_hash_by_id_.clear();
  for (const auto& o : s.orgs) {
    org_id_by_name_[o.name] = o.id;
    org_name_by_id_[o.id] = o.name;
  }
  for (const auto& u : s.users) users_[u.id].user = u;
  for (const auto& m : s.memberships) users_[m.user_id].roles[m.org_id] = m.role;
  for (const auto& t : s.service_tokens) tokens_[t.id].token = t;
  for (const auto& g : s.grants) PutGrantLocked(g);
  for (const auto& t : s.api_tokens) {
    api_tokens_by_hash_[t.secret_hash] = t;
    api_hash_by_id_[t.id] = t.secret_hash;
  }
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
  tokens_[t.id].token = t;
}

void CredentialIndex::RemoveServiceToken(const std::string& id) {
  std::unique_lock lock(mu_);
  tokens_.erase(id);
}

void CredentialIndex::PutGrantLocked(const Grant& g) {
  auto it = tokens_.find(g.token_id);
  if (it == tokens_.end()) return;
  auto access = ParseAccess(g.access);
  if (!access) return;  // a name this build does not know grants nothing
  if (g.resource_type == ResourceType::kOrganization)
    it->second.org_accesses.Add(*access);
  else
    it->second.database_accesses[g.resource_id].Add(*access);
}

void CredentialIndex::PutGrant(const Grant& g) {
  std::unique_lock lock(mu_);
  PutGrantLocked(g);
}

void CredentialIndex::RemoveGrant(const std::string& token_id, ResourceType type,
                                  const std::string& resource_id, const std::string& access) {
  std::unique_lock lock(mu_);
  auto it = tokens_.find(token_id);
  auto a = ParseAccess(access);
  if (it == tokens_.end() || !a) return;
  if (type == ResourceType::kOrganization) {
    it->second.org_accesses.Remove(*a);
  } else {
    auto db = it->second.database_accesses.find(resource_id);
    if (db != it->second.database_accesses.end()) {
      db->second.Remove(*a);
      if (db->second.Empty()) it->second.database_accesses.erase(db);
    }
  }
}

void CredentialIndex::RemoveDatabase(const std::string& database_id) {
  std::unique_lock lock(mu_);
  for (auto& [id, entry] : tokens_) entry.database_accesses.erase(database_id);
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
  auto it = tokens_.find(id);
  if (it != tokens_.end()) it->second.token.last_used_at = t;
}

void CredentialIndex::SetApiTokenLastUsed(const std::string& id, TimeMs t) {
  std::unique_lock lock(mu_);
  auto it = api_hash_by_id_.find(id);
  if (it == api_hash_by_id_.end()) return;
  auto tok = api_tokens_by_hash_.find(it->second);
  if (tok != api_tokens_by_hash_.end()) tok->second.last_used_at = t;
}

AuthOutcome CredentialIndex::CheckServiceToken(const std::string& id, const std::string& secret,
                                               TimeMs now) const {
  // Hash before taking the lock so the lock is held only for the lookup.
  std::string hash = hasher_.Hash(secret);
  std::shared_lock lock(mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return {};
  const TokenEntry& e = it->second;
  if (!crypto::ConstantTimeEqual(hash, e.token.secret_hash)) return {};
  if (e.token.expires_at && *e.token.expires_at <= now) return {};
  Principal p;
  p.kind = Principal::Kind::kServiceToken;
  p.id = e.token.id;
  p.credential_id = e.token.id;
  p.display_name = e.token.name.value_or(e.token.id);
  p.org_id = e.token.org_id;
  p.org_accesses = e.org_accesses;
  p.database_accesses = e.database_accesses;
  return {std::move(p), e.token.last_used_at};
}

AuthOutcome CredentialIndex::CheckBearer(const std::string& secret, TimeMs now,
                                         BearerKind kind) const {
  std::string hash = hasher_.Hash(secret);
  std::shared_lock lock(mu_);
  auto it = api_tokens_by_hash_.find(hash);
  if (it == api_tokens_by_hash_.end()) return {};
  const ApiToken& t = it->second;
  if ((t.kind == kSessionKind) != (kind == BearerKind::kSession)) return {};
  if (t.expires_at && *t.expires_at <= now) return {};
  auto u = users_.find(t.user_id);
  if (u == users_.end()) return {};
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
  return {std::move(p), t.last_used_at};
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
  return tokens_.size();
}

}  // namespace opscale

namespace opscale {

bool CredentialIndex::HasServiceToken(const std::string& id) const {
  std::shared_lock lock(mu_);
  return tokens_.count(id) > 0;
}

}  // namespace opscale
