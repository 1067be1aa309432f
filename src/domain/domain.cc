#include "domain/actor.h"
#include "domain/credentials.h"
#include "domain/names.h"
#include "domain/organization.h"

namespace opscale {

const char* RoleName(Role r) { return r == Role::kAdmin ? "admin" : "member"; }

std::optional<Role> ParseRole(const std::string& s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "member") return Role::kMember;
  return std::nullopt;
}

const char* ActorTypeName(ActorType t) {
  switch (t) {
    case ActorType::kUser: return "User";
    case ActorType::kServiceToken: return "ServiceToken";
    case ActorType::kSystem: return "System";
  }
  return "System";
}

ActorType ParseActorType(const std::string& s) {
  if (s == "User") return ActorType::kUser;
  if (s == "ServiceToken") return ActorType::kServiceToken;
  return ActorType::kSystem;
}

const char* ResourceTypeName(ResourceType t) {
  return t == ResourceType::kOrganization ? "Organization" : "Database";
}

ResourceType ParseResourceType(std::string_view name) {
  return name == ResourceTypeName(ResourceType::kDatabase) ? ResourceType::kDatabase
                                                            : ResourceType::kOrganization;
}

Status ValidateResourceName(std::string_view kind, std::string_view name) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string("invalid ") + std::string(kind) + " name: " +
                                   std::string(why) +
                                   " (use 1-64 lowercase letters, digits and dashes, "
                                   "starting and ending with a letter or digit)");
  };
  if (name.empty()) return bad("name is empty");
  if (name.size() > 64) return bad("name is longer than 64 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return bad("name contains characters other than a-z, 0-9 and '-'");
  }
  if (name.front() == '-' || name.back() == '-') return bad("name starts or ends with '-'");
  return Status::Ok();
}

Status ValidateOrgName(std::string_view name) { return ValidateResourceName("organization", name); }

Status ValidateTokenName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("invalid service token name: name is empty");
  if (name.size() > 255)
    return Status::InvalidArgument("invalid service token name: longer than 255 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument("invalid service token name: contains control characters");
  }
  return Status::Ok();
}

Status ValidateEmail(std::string_view email) {
  auto at = email.find('@');
  if (email.size() < 3 || email.size() > 254 || at == std::string_view::npos || at == 0 ||
      at == email.size() - 1)
    return Status::InvalidArgument("invalid email address");
  for (unsigned char c : email)
    if (c <= 0x20 || c == 0x7f) return Status::InvalidArgument("invalid email address");
  return Status::Ok();
}

}  // namespace opscale
