#include "base/docker_names.hpp"

namespace stackup::base {
namespace {
bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
}  // namespace

bool is_valid_object_name(std::string_view name) {
  if (name.empty() || name.size() > max_object_name_length) return false;
  if (!is_alnum(name.front()) || !is_alnum(name.back())) return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool is_valid_secret_name(std::string_view name) {
  if (name.empty() || name.size() > max_secret_name_length) return false;
  while (true) {
    const auto slash = name.find('/');
    if (!is_valid_object_name(name.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    name.remove_prefix(slash + 1);
  }
}

bool is_valid_stack_name(std::string_view name) {
  if (name.empty() || !is_lower_alnum(name.front())) return false;
  for (char c : name) {
    if (!is_lower_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace stackup::base
