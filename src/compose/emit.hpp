#pragma once
// The document as YAML or JSON text (what `stackup config` prints), and as a JSON value.
#include <nlohmann/json.hpp>
#include <string>

#include "compose/node.hpp"

namespace stackup::compose {

enum class Extensions { keep, drop };

// Scalars become typed JSON values by YAML's resolution rules. Dropping `x-` keys (and !reset values)
// gives the shape the schema checks.
nlohmann::json to_json_value(const Node& node, Extensions extensions = Extensions::keep);

std::string to_yaml_text(const Node& node);
std::string to_json_text(const Node& node);

}  // namespace stackup::compose
