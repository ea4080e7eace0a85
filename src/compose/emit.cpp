#include "compose/emit.hpp"

#include <yaml-cpp/yaml.h>

namespace stackup::compose {

namespace {

// For the schema check, key order is irrelevant and nlohmann::json is faster; for output, the
// document's own order reads better (ordered_json).
template <class Json>
Json to_json_as(const Node& node, Extensions extensions) {
  switch (node.kind) {
    case NodeKind::null: return nullptr;
    case NodeKind::sequence: {
      auto array = Json::array();
      for (const auto& item : node.items) array.push_back(to_json_as<Json>(item, extensions));
      return array;
    }
    case NodeKind::mapping: {
      auto object = Json::object();
      for (const auto& entry : node.entries) {
        if (extensions == Extensions::drop && (entry.key.starts_with("x-") || entry.value.tag == "!reset")) continue;
        object[entry.key] = to_json_as<Json>(entry.value, extensions);
      }
      return object;
    }
    case NodeKind::scalar: break;
  }
  const auto resolved = resolve_scalar(node);
  switch (resolved.type) {
    case ScalarType::integer: return resolved.integer;
    case ScalarType::number: return resolved.number;
    case ScalarType::boolean: return resolved.boolean;
    case ScalarType::null: return nullptr;
    case ScalarType::string: break;
  }
  return node.scalar;
}

}  // namespace

nlohmann::json to_json_value(const Node& node, Extensions extensions) {
  return to_json_as<nlohmann::json>(node, extensions);
}

namespace {

void emit(YAML::Emitter& out, const Node& node) {
  switch (node.kind) {
    case NodeKind::null: out << YAML::Null; return;
    case NodeKind::sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node.items) emit(out, item);
      out << YAML::EndSeq;
      return;
    case NodeKind::mapping:
      out << YAML::BeginMap;
      for (const auto& entry : node.entries) {
        out << YAML::Key << entry.key << YAML::Value;
        emit(out, entry.value);
      }
      out << YAML::EndMap;
      return;
    case NodeKind::scalar: break;
  }
  // A string that would read back as a number, boolean or null must stay quoted.
  Node as_plain = node;
  as_plain.style = ScalarStyle::plain;
  const bool needs_quotes = node.style == ScalarStyle::quoted && resolve_scalar(as_plain).type != ScalarType::string;
  if (needs_quotes) out << YAML::DoubleQuoted;
  out << node.scalar;
}

}  // namespace

std::string to_yaml_text(const Node& node) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, node);
  std::string text = out.c_str();
  text += '\n';
  return text;
}

std::string to_json_text(const Node& node) {
  // Values from .env files are not checked for UTF-8 on the way in: replace, rather than throw on, bad bytes.
  return to_json_as<nlohmann::ordered_json>(node, Extensions::keep).dump(2, ' ', false,
                                                                         nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace stackup::compose
