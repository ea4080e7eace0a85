#pragma once
// The compose document as a tree that remembers where every value came from. The loader's phases
// (interpolate, schema-check, merge, canonicalize) work on this tree; only yaml_parse.cpp knows libyaml.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/source.hpp"

namespace stackup::compose {

struct Entry;

enum class NodeKind : std::uint8_t { null, scalar, sequence, mapping };

// Plain scalars get YAML's type resolution (true, 12, 0o440, 1.5, null); quoted and block scalars
// are always strings.
enum class ScalarStyle : std::uint8_t { plain, quoted };

struct Node {
  NodeKind kind = NodeKind::null;
  ScalarStyle style = ScalarStyle::plain;
  std::string scalar;  // scalar text; for null, the text it was written as (empty, ~, null)
  std::string tag;     // explicit tag other than the core ones, e.g. !reset, !override
  std::vector<Node> items;     // sequence
  std::vector<Entry> entries;  // mapping, in document order
  base::Location location;

  [[nodiscard]] bool is_null() const { return kind == NodeKind::null; }
  [[nodiscard]] bool is_scalar() const { return kind == NodeKind::scalar; }
  [[nodiscard]] bool is_sequence() const { return kind == NodeKind::sequence; }
  [[nodiscard]] bool is_mapping() const { return kind == NodeKind::mapping; }

  [[nodiscard]] const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  [[nodiscard]] const Entry* find_entry(std::string_view key) const;
  // Adds or replaces `key`, keeping the position of an existing entry.
  Node& set(std::string key, Node value, base::Location key_location = {});
  bool erase(std::string_view key);

  static Node make_scalar(std::string text, base::Location location, ScalarStyle style = ScalarStyle::quoted);
  static Node make_mapping(base::Location location);
  static Node make_sequence(base::Location location);
};

struct Entry {
  std::string key;
  base::Location key_location;
  Node value;
};

// The type a scalar resolves to under YAML 1.1/1.2 core rules as compose uses them.
enum class ScalarType : std::uint8_t { string, integer, number, boolean, null };

struct ResolvedScalar {
  ScalarType type = ScalarType::string;
  std::int64_t integer = 0;
  double number = 0;
  bool boolean = false;
  bool octal = false;  // written as 0440 or 0o440
};

ResolvedScalar resolve_scalar(const Node& node);

// Whether two trees hold the same values, wherever they were written and whatever the order of
// their mapping keys (an included file's identical definition is no conflict).
bool same_values(const Node& a, const Node& b);

// A scalar's text, or "" for a missing node or one that is not a scalar.
inline std::string text_of(const Node* node) { return node && node->is_scalar() ? node->scalar : std::string(); }

// compose's list_or_dict: ["A=1", "B"] and [a, b] become {A: "1", B: null} and {a: null, b: null};
// anything but a list is returned as is.
Node list_or_dict_to_mapping(Node node);

// Human words for the kind of a value, used in messages: "a string", "a mapping", ...
std::string_view describe(const Node& node);

}  // namespace stackup::compose
