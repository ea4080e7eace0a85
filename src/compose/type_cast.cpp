#include "compose/type_cast.hpp"

#include <algorithm>
#include <cctype>
#include <span>
#include <vector>
#include <string_view>

namespace stackup::compose {
namespace {

// compose-go's boolean places ("*" is any key or any list item).
constexpr std::string_view boolean_paths[] = {
    "services.*.init",
    "services.*.privileged",
    "services.*.read_only",
    "services.*.stdin_open",
    "services.*.tty",
    "services.*.oom_kill_disable",
    "services.*.healthcheck.disable",
    "services.*.volumes.*.read_only",
    "services.*.volumes.*.volume.nocopy",
    "services.*.volumes.*.bind.create_host_path",
    "networks.*.external",
    "networks.*.internal",
    "networks.*.attachable",
    "networks.*.enable_ipv6",
    "volumes.*.external",
    "secrets.*.external",
    "configs.*.external",
};

constexpr std::string_view mode_paths[] = {"services.*.secrets.*.mode", "services.*.configs.*.mode"};

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> segments;
  while (true) {
    const auto dot = path.find('.');
    segments.push_back(path.substr(0, dot));
    if (dot == std::string_view::npos) return segments;
    path.remove_prefix(dot + 1);
  }
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void cast_boolean(Node& node) {
  if (!node.is_scalar()) return;
  const auto word = lowercase(node.scalar);
  if (word == "y" || word == "yes" || word == "true" || word == "on") {
    node.scalar = "true";
  } else if (word == "n" || word == "no" || word == "false" || word == "off") {
    node.scalar = "false";
  } else {
    return;  // the schema names what is wrong
  }
  node.style = ScalarStyle::plain;
}

// A mode written as a string ("0440", "440", or "${MODE}" once interpolated) is octal, as compose-go
// reads it (base 8); it becomes the plain octal number stackup reads the same way.
void cast_mode(Node& node) {
  if (!node.is_scalar() || node.style != ScalarStyle::quoted || node.scalar.empty()) return;
  const std::string_view digits = node.scalar.starts_with("0o") ? std::string_view(node.scalar).substr(2) : node.scalar;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) return;
  if (!node.scalar.starts_with('0')) node.scalar.insert(0, "0");
  node.style = ScalarStyle::plain;
}

template <class Cast>
void at_path(Node& node, std::span<const std::string_view> path, const Cast& cast) {
  if (path.empty()) {
    cast(node);
    return;
  }
  const auto segment = path.front();
  const auto rest = path.subspan(1);
  if (segment == "*") {
    for (auto& item : node.items) at_path(item, rest, cast);
    for (auto& entry : node.entries) at_path(entry.value, rest, cast);
    return;
  }
  if (Node* child = node.is_mapping() ? node.find(segment) : nullptr) at_path(*child, rest, cast);
}

}  // namespace

void cast_typed_values(Node& root) {
  for (const auto path : boolean_paths) at_path(root, segments_of(path), cast_boolean);
  for (const auto path : mode_paths) at_path(root, segments_of(path), cast_mode);
}

}  // namespace stackup::compose
