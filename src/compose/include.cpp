#include "compose/include.hpp"

#include <fmt/format.h>

#include <algorithm>

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

bool same_values(const Node& a, const Node& b) {
  if (a.kind != b.kind || a.scalar != b.scalar || a.items.size() != b.items.size() ||
      a.entries.size() != b.entries.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    if (!same_values(a.items[i], b.items[i])) return false;
  }
  for (const auto& entry : a.entries) {
    const Node* other = b.find(entry.key);
    if (!other || !same_values(entry.value, *other)) return false;
  }
  return true;
}

void import_resources(Node& document, const Node& included, const IncludeEntry& entry, base::Diagnostics& diagnostics) {
  for (const char* section : imported_sections) {
    const Node* definitions = included.find(section);
    if (!definitions || !definitions->is_mapping() || definitions->entries.empty()) continue;
    Node* target = document.find(section);
    if (!target || !target->is_mapping()) target = &document.set(section, Node::make_mapping(definitions->location));
    for (const auto& definition : definitions->entries) {
      const Entry* present = target->find_entry(definition.key);
      if (!present) {
        target->entries.push_back(definition);
        continue;
      }
      if (same_values(present->value, definition.value)) continue;
      const bool here = present->key_location.source != nullptr;
      diagnostics.warning(rules::include_conflict, here ? present->key_location : entry.location,
                          fmt::format("{}.{}", section, definition.key),
                          fmt::format("also defined, differently, by the included {}; this definition is kept and "
                                      "the included one ignored: rename one of them",
                                      entry.paths.front()));
    }
  }
}

}  // namespace stackup::compose
