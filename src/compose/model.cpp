#include "compose/model.hpp"

#include <algorithm>

namespace stackup::compose {

std::string SecretDefinition::object_name(std::string_view stack) const {
  if (!name.empty()) return name;
  if (source == SecretSource::external) return key;
  return std::string(stack) + "_" + key;
}

std::string FileReference::mount_path() const {
  if (target.starts_with('/')) return target;
  return std::string(secrets_directory) + "/" + target;
}

const Service* Project::find_service(std::string_view service_name) const {
  const auto it = std::find_if(services.begin(), services.end(), [&](const Service& s) { return s.name == service_name; });
  return it == services.end() ? nullptr : &*it;
}

}  // namespace stackup::compose
