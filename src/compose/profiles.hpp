#pragma once
// Compose's profiles: a service that lists `profiles:` runs only when one of them is active
// (--profile, repeatable, and COMPOSE_PROFILES, comma-separated; "*" activates them all); a service
// without profiles always runs. Applied to the canonical document after the semantic checks (so
// validate still checks every service) and before the orchestrator's rules and binding: a service
// left out is not deployed, listed or checked for what the orchestrator cannot run.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

struct ActiveProfiles {
  std::set<std::string, std::less<>> names;
  bool all = false;  // "*"
};

ActiveProfiles active_profiles(const std::vector<std::string>& flags, std::string_view compose_profiles);

// Removes the services the active profiles leave out. A service that stays and requires one that
// goes is an error at that depends_on entry, naming a profile to enable.
void apply_profiles(Node& document, const ActiveProfiles& active, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
