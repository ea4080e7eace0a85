#pragma once
// Dotted paths that name a place in a compose document in messages: services.web.secrets[1].mode
#include <cstddef>
#include <string>
#include <string_view>

namespace stackup::compose {

inline std::string child_path(std::string_view parent, std::string_view key) {
  std::string out;
  out.reserve(parent.size() + key.size() + 1);
  out += parent;
  if (!parent.empty()) out += '.';
  out += key;
  return out;
}

inline std::string item_path(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

}  // namespace stackup::compose
