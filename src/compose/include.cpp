#include "compose/include.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

std::vector<std::string> strings_of(const Node* node) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node->is_scalar()) out.push_back(node->scalar);
  for (const auto& item : node->items) {
    if (item.is_scalar()) out.push_back(item.scalar);
  }
  return out;
}

constexpr const char* imported_sections[] = {"services", "networks", "volumes", "secrets", "configs"};

}  // namespace

std::vector<IncludeEntry> include_entries(const Node& include) {
  std::vector<IncludeEntry> entries;
  if (!include.is_sequence()) return entries;
  for (const auto& item : include.items) {
    IncludeEntry entry;
    entry.location = item.location;
    if (item.is_scalar()) {
      entry.paths.push_back(item.scalar);
    } else if (item.is_mapping()) {
      entry.paths = strings_of(item.find("path"));
      entry.project_directory = text_of(item.find("project_directory"));
      entry.env_files = strings_of(item.find("env_file"));
    }
    if (!entry.paths.empty()) entries.push_back(std::move(entry));
  }
  return entries;
}

void import_resources(Node& document, const Node& included, const IncludeEntry& entry, base::Diagnostics& diagnostics) {
  for (const char* section : imported_sections) {
    const Node* definitions = included.find(section);
    if (!definitions || !definitions->is_mapping() || definitions->entries.empty()) continue;
    Node* target = document.find(section);
    if (!target || !target->is_mapping()) target = &document.set(section, Node::make_mapping(definitions->location));
    // Names indexed once: an application that includes thousands of services stays linear.
    std::unordered_map<std::string, std::size_t> defined;
    for (std::size_t i = 0; i < target->entries.size(); ++i) defined.emplace(target->entries[i].key, i);
    for (const auto& definition : definitions->entries) {
      const auto found = defined.find(definition.key);
      if (found == defined.end()) {
        target->entries.push_back(definition);
        defined.emplace(target->entries.back().key, target->entries.size() - 1);
        continue;
      }
      const Entry& present = target->entries[found->second];
      if (same_values(present.value, definition.value)) continue;
      const bool located = present.key_location.source != nullptr;
      diagnostics.warning(rules::include_conflict, located ? present.key_location : entry.location,
                          fmt::format("{}.{}", section, definition.key),
                          fmt::format("also defined, differently, by the included {}; this definition is kept and "
                                      "the included one ignored: rename one of them",
                                      entry.paths.front()));
    }
  }
}

}  // namespace stackup::compose
