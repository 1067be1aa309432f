// Who did something: a user or a service token. Plain value.
#pragma once

#include <string>

namespace opscale {

enum class ActorType { kUser, kServiceToken, kSystem };
const char* ActorTypeName(ActorType t);  // "User", "ServiceToken", "System"
ActorType ParseActorType(const std::string& s);  // unknown -> kSystem

struct Actor {
  ActorType type = ActorType::kSystem;
  std::string id;
  std::string display_name;
};

}  // namespace opscale
