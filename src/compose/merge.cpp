#include "compose/merge.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "compose/model.hpp"

namespace stackup::compose {
namespace {

enum class Strategy { merge, replace, by_file_target, by_volume_target, as_mapping, append_unique };

using Keys = std::vector<std::string_view>;

bool one_of(std::string_view key, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), key) != names.end();
}

// What to do with two values at a place in a service, by the path of keys that leads there.
Strategy strategy_for(const Keys& keys) {
  if (keys.size() < 3 || keys[0] != "services") return Strategy::merge;
  const auto field = keys[2];
  if (keys.size() == 3) {
    if (one_of(field, {"secrets", "configs"})) return Strategy::by_file_target;
    if (field == "volumes") return Strategy::by_volume_target;
    if (one_of(field, {"command", "entrypoint"})) return Strategy::replace;
    if (one_of(field, {"environment", "labels", "annotations", "extra_hosts", "sysctls", "networks", "depends_on"})) {
      return Strategy::as_mapping;
    }
    return Strategy::merge;
  }
  if (keys.size() == 4 && field == "healthcheck" && keys[3] == "test") return Strategy::replace;
  if (keys.size() == 4 && one_of(field, {"build", "deploy"}) && one_of(keys[3], {"args", "labels"})) {
    return Strategy::as_mapping;
  }
  if (keys.size() == 4 && field == "build" && keys[3] == "secrets") return Strategy::by_file_target;
  return Strategy::merge;
}

std::string file_target(const Node& item) {
  if (item.is_scalar()) return std::string(secrets_directory) + "/" + item.scalar;
  const Node* target = item.find("target");
  const Node* source = item.find("source");
  const std::string name = target && target->is_scalar() ? target->scalar : (source && source->is_scalar() ? source->scalar : "");
  return name.starts_with('/') ? name : std::string(secrets_directory) + "/" + name;
}

std::string volume_target(const Node& item) {
  if (item.is_scalar()) {
    // source:target[:mode], or just a container path for an anonymous volume
    const auto& text = item.scalar;
    const auto first = text.find(':');
    if (first == std::string::npos) return text;
    const auto second = text.find(':', first + 1);
    return text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  }
  const Node* target = item.find("target");
  return target && target->is_scalar() ? target->scalar : "";
}

template <class KeyOf>
void merge_by_key(Node& base, Node overlay, KeyOf key_of) {
  for (auto& item : overlay.items) {
    const auto key = key_of(item);
    const auto it = std::find_if(base.items.begin(), base.items.end(), [&](const Node& b) { return key_of(b) == key; });
    if (it != base.items.end()) {
      *it = std::move(item);
    } else {
      base.items.push_back(std::move(item));
    }
  }
}

bool same_scalar(const Node& a, const Node& b) { return a.kind == b.kind && a.is_scalar() && a.scalar == b.scalar; }

void merge_at(Node& base, Node overlay, Keys& keys);

void merge_mappings(Node& base, Node overlay, Keys& keys) {
  for (auto& entry : overlay.entries) {
    if (entry.value.tag == "!reset") {
      base.erase(entry.key);
      continue;
    }
    Node* existing = base.find(entry.key);
    if (existing == nullptr) {
      strip_resets(entry.value);
      base.entries.push_back(std::move(entry));
      continue;
    }
    keys.push_back(entry.key);
    merge_at(*existing, std::move(entry.value), keys);
    keys.pop_back();
  }
}

void merge_at(Node& base, Node overlay, Keys& keys) {
  if (overlay.tag == "!override") {
    overlay.tag.clear();
    strip_resets(overlay);
    base = std::move(overlay);
    return;
  }
  if (overlay.is_null() && !base.is_null()) return;  // an empty override keeps what is there
  const auto strategy = strategy_for(keys);
  if (strategy == Strategy::as_mapping) {
    base = list_or_dict_to_mapping(std::move(base));
    overlay = list_or_dict_to_mapping(std::move(overlay));
  }
  if (base.kind != overlay.kind || strategy == Strategy::replace || overlay.is_scalar()) {
    strip_resets(overlay);
    base = std::move(overlay);
    return;
  }
  if (base.is_mapping()) {
    merge_mappings(base, std::move(overlay), keys);
    return;
  }
  // Two lists.
  switch (strategy) {
    case Strategy::by_file_target: merge_by_key(base, std::move(overlay), file_target); return;
    case Strategy::by_volume_target: merge_by_key(base, std::move(overlay), volume_target); return;
    default:
      for (auto& item : overlay.items) {
        const bool present =
            std::any_of(base.items.begin(), base.items.end(), [&](const Node& b) { return same_scalar(b, item); });
        if (!present) base.items.push_back(std::move(item));
      }
  }
}

}  // namespace

void merge_into(Node& base, Node overlay) {
  Keys keys;
  if (base.is_null()) {
    strip_resets(overlay);
    base = std::move(overlay);
    return;
  }
  merge_at(base, std::move(overlay), keys);
}

void merge_service(Node& base, Node overlay) {
  Keys keys{"services", "service"};
  merge_at(base, std::move(overlay), keys);
}

void strip_resets(Node& node) {
  node.tag.clear();
  if (node.is_mapping()) {
    std::erase_if(node.entries, [](const Entry& e) { return e.value.tag == "!reset"; });
    for (auto& entry : node.entries) strip_resets(entry.value);
  } else if (node.is_sequence()) {
    std::erase_if(node.items, [](const Node& n) { return n.tag == "!reset"; });
    for (auto& item : node.items) strip_resets(item);
  }
}

}  // namespace stackup::compose
