#include "compose/profiles.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "compose/path.hpp"
#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

std::vector<std::string> profiles_of(const Node& service) {
  std::vector<std::string> profiles;
  if (const Node* list = service.find("profiles"); list && list->is_sequence()) {
    for (const auto& item : list->items) {
      if (item.is_scalar()) profiles.push_back(item.scalar);
    }
  }
  return profiles;
}

bool enabled(const std::vector<std::string>& profiles, const ActiveProfiles& active) {
  return profiles.empty() || active.all ||
         std::any_of(profiles.begin(), profiles.end(), [&](const std::string& p) { return active.names.contains(p); });
}

// The canonical depends_on is a mapping of service name to {condition, required, restart}.
bool required(const Node& dependency) {
  const Node* flag = dependency.find("required");
  return !flag || !flag->is_scalar() || resolve_scalar(*flag).boolean;
}

void check_dependencies(const Entry& service, const std::map<std::string, std::vector<std::string>>& left_out,
                        base::Diagnostics& diagnostics) {
  const Node* depends_on = service.value.find("depends_on");
  if (!depends_on || !depends_on->is_mapping()) return;
  for (const auto& dependency : depends_on->entries) {
    const auto it = left_out.find(dependency.key);
    if (it == left_out.end() || !required(dependency.value)) continue;
    const auto& profile = it->second.front();
    diagnostics.error(rules::profile_disabled_dependency, dependency.key_location,
                      child_path(child_path(child_path("services", service.key), "depends_on"), dependency.key),
                      fmt::format("service \"{}\" depends on \"{}\", which runs only with profile \"{}\"; enable it: "
                                  "--profile {} (or COMPOSE_PROFILES={})",
                                  service.key, dependency.key, profile, profile, profile));
  }
}

}  // namespace

ActiveProfiles active_profiles(const std::vector<std::string>& flags, std::string_view compose_profiles) {
  ActiveProfiles active;
  auto add = [&](std::string_view name) {
    if (name == "*") active.all = true;
    if (!name.empty()) active.names.emplace(name);
  };
  for (const auto& flag : flags) add(flag);
  while (!compose_profiles.empty()) {
    const auto comma = compose_profiles.find(',');
    add(compose_profiles.substr(0, comma));
    compose_profiles = comma == std::string_view::npos ? std::string_view() : compose_profiles.substr(comma + 1);
  }
  return active;
}

void apply_profiles(Node& document, const ActiveProfiles& active, base::Diagnostics& diagnostics) {
  Node* services = document.find("services");
  if (!services || !services->is_mapping()) return;
  std::map<std::string, std::vector<std::string>> left_out;  // service, its profiles
  for (const auto& entry : services->entries) {
    auto profiles = profiles_of(entry.value);
    if (!enabled(profiles, active)) left_out.emplace(entry.key, std::move(profiles));
  }
  if (left_out.empty()) return;
  std::erase_if(services->entries, [&](const Entry& entry) { return left_out.contains(entry.key); });
  for (const auto& entry : services->entries) check_dependencies(entry, left_out, diagnostics);
}

}  // namespace stackup::compose
