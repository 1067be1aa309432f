#include "service/bootstrap.h"

#include <sodium.h>

#include <algorithm>

#include "auth/token_format.h"
#include "common/ids.h"
#include "common/text.h"
#include "domain/names.h"

namespace opscale {

Result<std::string> HashPassword(const std::string& password) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Status::Internal("out of memory hashing a password");
  return std::string(out);
}

bool VerifyPassword(const std::string& password, const std::string& hash) {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

namespace {

AuditEvent SystemEvent(const std::string& org_id, const std::string& action,
                       const std::string& type, const std::string& id, const std::string& name) {
  AuditEvent e;
  e.id = NewId();
  e.org_id = org_id;
  e.actor = Actor{ActorType::kSystem, "", "opscaled"};
  e.action = action;
  e.auditable_type = type;
  e.auditable_id = id;
  e.auditable_display_name = name;
  e.created_at = NowMs();
  return e;
}

}  // namespace

Result<IssuedCredentials> BootstrapService::CreateOrganization(const std::string& org_name,
                                                               const std::string& email) {
  OPSCALE_RETURN_IF_ERROR(ValidateOrgName(org_name));
  OPSCALE_RETURN_IF_ERROR(ValidateEmail(email));
  auto existing = core_->store().GetOrganizationByName(org_name);
  if (existing.ok()) return Status::Conflict("organization " + org_name + " already exists");
  Organization org;
  org.id = NewId();
  org.name = org_name;
  org.created_at = org.updated_at = NowMs();
  Status st = core_->Write(
      [&](Store& tx) {
        OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(org));
        return tx.InsertAuditEvent(
            SystemEvent(org.id, "organization.created", "Organization", org.id, org.name));
      },
      [&] { core_->index().PutOrganization(org); });
  if (st.code() == Code::kConflict)
    return Status::Conflict("organization " + org_name + " already exists");
  OPSCALE_RETURN_IF_ERROR(st);
  return AddUser(org_name, email, Role::kAdmin);
}

Result<IssuedCredentials> BootstrapService::AddUser(const std::string& org_name,
                                                    const std::string& raw_email, Role role,
                                                    const RequestContext* by) {
  std::string email = AsciiLower(raw_email);
  OPSCALE_RETURN_IF_ERROR(ValidateEmail(email));
  auto org = core_->store().GetOrganizationByName(org_name);
  if (!org.ok()) {
    if (org.status().code() == Code::kNotFound)
      return Status::NotFound("organization " + org_name + " does not exist");
    return org.status();
  }
  IssuedCredentials out;
  out.organization = org->name;
  out.email = email;
  out.role = RoleName(role);

  TimeMs now = NowMs();
  User user;
  bool new_user = false;
  auto found = core_->store().GetUserByEmail(email);
  if (found.ok()) {
    user = std::move(found).value();
  } else if (found.status().code() == Code::kNotFound) {
    new_user = true;
    user.id = NewId();
    user.email = email;
    user.display_name = email;
    user.created_at = user.updated_at = now;
    out.password = RandomString(24, kBase62);
    OPSCALE_ASSIGN_OR_RETURN(user.password_hash, HashPassword(out.password));
  } else {
    return found.status();
  }

  Membership m{org->id, user.id, role, now};
  out.api_token = GenerateSecret(kApiTokenPrefix);
  ApiToken token;
  token.id = NewId();
  token.user_id = user.id;
  token.kind = "api";
  token.name = "opscaled-issued";
  token.secret_hash = core_->index().hasher().Hash(out.api_token);
  token.created_at = now;
  AuditEvent e = by ? ServiceCore::Event(*by, org->id, "member.added", "User", user.id, email)
                    : SystemEvent(org->id, "member.added", "User", user.id, email);
  e.metadata_json = std::string("{\"role\":\"") + RoleName(role) + "\"}";
  OPSCALE_RETURN_IF_ERROR(core_->Write(
      [&](Store& tx) {
        if (new_user) OPSCALE_RETURN_IF_ERROR(tx.InsertUser(user));
        OPSCALE_RETURN_IF_ERROR(tx.UpsertMembership(m));
        OPSCALE_RETURN_IF_ERROR(tx.InsertApiToken(token));
        return tx.InsertAuditEvent(e);
      },
      [&] {
        core_->index().PutUser(user);
        core_->index().PutMembership(m);
        core_->index().PutApiToken(token);
      }));
  return out;
}

}  // namespace opscale
