// Organizations (tenants), users and their membership roles. Plain values.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"

namespace opscale {

struct Organization {
  std::string id;    // 12 chars [a-z0-9]
  std::string name;  // unique, validated by ValidateOrgName
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct User {
  std::string id;
  std::string email;          // unique, lower-cased
  std::string display_name;
  std::string password_hash;  // Argon2id (libsodium crypto_pwhash_str)
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

enum class Role { kAdmin, kMember };
const char* RoleName(Role r);
std::optional<Role> ParseRole(const std::string& s);

struct Membership {
  std::string org_id;
  std::string user_id;
  Role role = Role::kMember;
  TimeMs created_at = 0;
};

}  // namespace opscale
