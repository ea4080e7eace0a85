#include "store/names.hpp"

#include "base/docker_names.hpp"

namespace stackup::store {

bool is_valid_secret_name(std::string_view name) {
  if (name.empty() || name.size() > max_secret_name_length) return false;
  while (true) {
    const auto slash = name.find('/');
    if (!base::is_valid_object_name(name.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

}  // namespace stackup::store
