#include "compose/schema.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <set>

#include "compose/emit.hpp"
#include "compose/path.hpp"
#include "compose/rules.hpp"
#include "compose/suggest.hpp"

namespace stackup::embedded {
std::string_view compose_schema_text();
}

namespace stackup::compose {
namespace {

using json = nlohmann::json;

// The schema documents `^x-` extension keys with patternProperties, but valijson 1.0 compiles a
// std::regex for every object it visits with patternProperties. Extension keys are free-form by
// definition, so they are left out of the instance instead and the patterns dropped from the schema.
void drop_extension_patterns(json& schema) {
  if (schema.is_object()) {
    if (auto it = schema.find("patternProperties"); it != schema.end()) {
      it->erase("^x-");
      if (it->empty()) schema.erase(it);
    }
    for (auto& [key, value] : schema.items()) drop_extension_patterns(value);
  } else if (schema.is_array()) {
    for (auto& value : schema) drop_extension_patterns(value);
  }
}

struct CompiledSchema {
  json document;
  valijson::Schema schema;

  CompiledSchema() : document(json::parse(embedded::compose_schema_text())) {
    drop_extension_patterns(document);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, schema);
  }
};

const CompiledSchema& compiled_schema() {
  static const CompiledSchema instance;
  return instance;
}

// --- Mapping valijson's findings back to the document ---------------------------------------------

struct Finding {
  std::vector<std::string> segments;  // instance path without "<root>" and brackets
  std::string description;
};

enum class FindingKind { wrapper, type, unknown_key, missing_key, enumeration, other };

FindingKind classify(const std::string& description) {
  static constexpr std::string_view wrappers[] = {
      "Failed to validate against any child schemas allowed by oneOf",
      "Failed to validate against child schema",
      "Failed to validate against exactly one child schema",
      "Failed to validate against any schemas allowed by anyOf",
      "Failed to validate item #",
      "Failed to validate against schema associated with",
      "Failed to validate against additional properties schema",
      "Failed to validate against additional items schema",
  };
  for (const auto prefix : wrappers) {
    if (description.starts_with(prefix)) return FindingKind::wrapper;
  }
  if (description.starts_with("Value type not permitted")) return FindingKind::type;
  if (description.starts_with("Object contains a property that could not be validated")) return FindingKind::unknown_key;
  if (description.starts_with("Missing required property")) return FindingKind::missing_key;
  if (description.starts_with("Failed to match against any enum values")) return FindingKind::enumeration;
  return FindingKind::other;
}

// The quoted name at the end of "...: 'name'." messages.
std::string quoted_name(const std::string& description) {
  const auto last = description.rfind('\'');
  const auto first = last == std::string::npos || last == 0 ? std::string::npos : description.rfind('\'', last - 1);
  if (first == std::string::npos) return {};
  return description.substr(first + 1, last - first - 1);
}

bool is_prefix(const std::vector<std::string>& prefix, const std::vector<std::string>& of) {
  return prefix.size() <= of.size() && std::equal(prefix.begin(), prefix.end(), of.begin());
}

// Every schema that can apply at an instance path, following $ref, oneOf/anyOf, properties,
// additionalProperties and items.
class SchemaWalker {
 public:
  explicit SchemaWalker(const json& root) : root_(root) {}

  std::vector<const json*> at(const std::vector<std::string>& segments, const Node& document) const {
    std::vector<const json*> current;
    expand(&root_, current);
    const Node* node = &document;
    for (const auto& segment : segments) {
      std::vector<const json*> next;
      for (const json* schema : current) {
        if (node->is_sequence()) {
          if (const auto it = schema->find("items"); it != schema->end()) expand(&*it, next);
        } else if (const auto properties = schema->find("properties");
                   properties != schema->end() && properties->contains(segment)) {
          expand(&(*properties)[segment], next);
        } else if (const auto additional = schema->find("additionalProperties");
                   additional != schema->end() && additional->is_object()) {
          expand(&*additional, next);
        }
      }
      current = std::move(next);
      node = child(*node, segment);
      if (node == nullptr) break;
    }
    return current;
  }

  static std::vector<std::string> strings_of(const std::vector<const json*>& schemas, const char* keyword) {
    std::vector<std::string> out;
    for (const json* schema : schemas) {
      const auto it = schema->find(keyword);
      if (it == schema->end()) continue;
      auto add = [&](const json& value) {
        const auto text = value.is_string() ? value.get<std::string>() : value.dump();
        if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
      };
      if (it->is_array()) {
        for (const auto& value : *it) add(value);
      } else if (it->is_object()) {
        for (const auto& [key, value] : it->items()) add(json(key));
      } else {
        add(*it);
      }
    }
    return out;
  }

  static const Node* child(const Node& node, const std::string& segment) {
    if (node.is_sequence()) {
      const auto index = std::stoul(segment);
      return index < node.items.size() ? &node.items[index] : nullptr;
    }
    return node.is_mapping() ? node.find(segment) : nullptr;
  }

 private:
  void expand(const json* schema, std::vector<const json*>& out) const {
    if (const auto ref = schema->find("$ref"); ref != schema->end()) {
      // Only local "#/definitions/name" references are used in our schema.
      const auto name = ref->get<std::string>().substr(std::string_view("#/definitions/").size());
      expand(&root_["definitions"][name], out);
      return;
    }
    for (const char* combinator : {"oneOf", "anyOf"}) {
      if (const auto it = schema->find(combinator); it != schema->end()) {
        for (const auto& branch : *it) expand(&branch, out);
        return;
      }
    }
    out.push_back(schema);
  }

  const json& root_;
};

std::string type_words(const std::vector<std::string>& types) {
  static const std::map<std::string, std::string, std::less<>> words = {
      {"string", "a string"},   {"integer", "an integer"}, {"number", "a number"}, {"boolean", "a boolean"},
      {"object", "a mapping"},  {"array", "a list"},       {"null", "null"}};
  std::vector<std::string> out;
  for (const auto& type : types) {
    const auto it = words.find(type);
    const auto& word = it == words.end() ? type : it->second;
    if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
  }
  if (out.empty()) return "another type";
  std::string text = out.front();
  for (std::size_t i = 1; i < out.size(); ++i) text += (i + 1 == out.size() ? " or " : ", ") + out[i];
  return text;
}

std::string dotted(const std::vector<std::string>& segments, const Node& document) {
  std::string path;
  const Node* node = &document;
  for (const auto& segment : segments) {
    path = node && node->is_sequence() ? item_path(path, std::stoul(segment)) : child_path(path, segment);
    node = node ? SchemaWalker::child(*node, segment) : nullptr;
  }
  return path;
}

class FindingReporter {
 public:
  FindingReporter(const Node& document, base::Diagnostics& diagnostics)
      : document_(document), diagnostics_(diagnostics), walker_(compiled_schema().document) {}

  void report(std::vector<Finding> findings) {
    std::erase_if(findings, [](const Finding& f) { return classify(f.description) == FindingKind::wrapper; });
    // With oneOf, every branch that did not match reports a type mismatch. A finding at the same
    // place or deeper from another branch is the one that explains the problem.
    std::vector<Finding> kept;
    for (const auto& finding : findings) {
      if (classify(finding.description) == FindingKind::type &&
          std::any_of(findings.begin(), findings.end(), [&](const Finding& other) {
            return classify(other.description) != FindingKind::type && is_prefix(finding.segments, other.segments);
          })) {
        continue;
      }
      if (classify(finding.description) == FindingKind::type &&
          std::any_of(findings.begin(), findings.end(), [&](const Finding& other) {
            return classify(other.description) == FindingKind::type && other.segments.size() > finding.segments.size() &&
                   is_prefix(finding.segments, other.segments);
          })) {
        continue;
      }
      kept.push_back(finding);
    }
    std::set<std::pair<std::vector<std::string>, std::string>> reported;
    for (const auto& finding : kept) {
      const auto kind = classify(finding.description);
      // Several branches can report one type mismatch: say it once, with every type allowed there.
      if (!reported.emplace(finding.segments, kind == FindingKind::type ? "" : finding.description).second) continue;
      report_one(finding, kind);
    }
  }

 private:
  void report_one(const Finding& finding, FindingKind kind) {
    const Node* node = &document_;
    for (const auto& segment : finding.segments) {
      const Node* next = SchemaWalker::child(*node, segment);
      if (next == nullptr) break;
      node = next;
    }
    const auto path = dotted(finding.segments, document_);
    const auto schemas = walker_.at(finding.segments, document_);
    switch (kind) {
      case FindingKind::type:
        diagnostics_.error(rules::schema_type, node->location, path,
                           fmt::format("expected {}, got {}", type_words(SchemaWalker::strings_of(schemas, "type")),
                                       describe(*node)));
        return;
      case FindingKind::unknown_key: {
        const auto key = quoted_name(finding.description);
        const auto* entry = node->find_entry(key);
        auto message = fmt::format("unknown key \"{}\"", key);
        const auto known = SchemaWalker::strings_of(schemas, "properties");
        if (const auto suggestion = closest_match(key, known)) message += fmt::format("; did you mean \"{}\"?", *suggestion);
        diagnostics_.error(rules::schema_unknown_key, entry ? entry->key_location : node->location,
                           child_path(path, key), message);
        return;
      }
      case FindingKind::missing_key:
        diagnostics_.error(rules::schema_required_key, node->location, path,
                           fmt::format("missing required key \"{}\"", quoted_name(finding.description)));
        return;
      case FindingKind::enumeration: {
        std::string allowed;
        for (const auto& value : SchemaWalker::strings_of(schemas, "enum")) {
          allowed += (allowed.empty() ? "" : ", ") + value;
        }
        diagnostics_.error(rules::schema_enum, node->location, path,
                           fmt::format("\"{}\" is not allowed here; use one of: {}", node->scalar, allowed));
        return;
      }
      case FindingKind::wrapper:
      case FindingKind::other:
        diagnostics_.error(rules::schema_constraint, node->location, path, finding.description);
        return;
    }
  }

  const Node& document_;
  base::Diagnostics& diagnostics_;
  SchemaWalker walker_;
};

std::vector<std::string> segments_of(const std::vector<std::string>& context) {
  std::vector<std::string> out;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      out.push_back(part.substr(1, part.size() - 2));
    } else {
      out.push_back(part);
    }
  }
  return out;
}

}  // namespace

void validate_schema(const Node& root, base::Diagnostics& diagnostics) {
  const auto& compiled = compiled_schema();
  const json instance = to_json_value(root, Extensions::drop);
  const valijson::adapters::NlohmannJsonAdapter adapter(instance);
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  // First without collecting findings: that stops at the first failure and is the common, fast path.
  if (validator.validate(compiled.schema, adapter, nullptr)) return;
  valijson::ValidationResults results;
  validator.validate(compiled.schema, adapter, &results);
  std::vector<Finding> findings;
  for (const auto& error : results) findings.push_back({segments_of(error.context), error.description});
  FindingReporter(root, diagnostics).report(std::move(findings));
}

}  // namespace stackup::compose
