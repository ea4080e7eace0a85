#include "compose/node.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace stackup::compose {

const Entry* Node::find_entry(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

const Node* Node::find(std::string_view key) const {
  const auto* entry = find_entry(key);
  return entry ? &entry->value : nullptr;
}

Node* Node::find(std::string_view key) { return const_cast<Node*>(std::as_const(*this).find(key)); }

Node& Node::set(std::string key, Node value, base::Location key_location) {
  for (auto& entry : entries) {
    if (entry.key == key) {
      entry.value = std::move(value);
      return entry.value;
    }
  }
  entries.push_back(Entry{std::move(key), std::move(key_location), std::move(value)});
  return entries.back().value;
}

bool Node::erase(std::string_view key) {
  const auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}

Node Node::make_scalar(std::string text, base::Location location, ScalarStyle style) {
  Node node;
  node.kind = NodeKind::scalar;
  node.style = style;
  node.scalar = std::move(text);
  node.location = std::move(location);
  return node;
}

Node Node::make_mapping(base::Location location) {
  Node node;
  node.kind = NodeKind::mapping;
  node.location = std::move(location);
  return node;
}

Node Node::make_sequence(base::Location location) {
  Node node;
  node.kind = NodeKind::sequence;
  node.location = std::move(location);
  return node;
}

namespace {

bool parse_integer(std::string_view text, int base, std::int64_t& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
  return ec == std::errc{} && ptr == end;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool resolve_number(std::string_view text, ResolvedScalar& out) {
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  std::int64_t value = 0;
  // 0o440 (YAML 1.2) and 0440 (YAML 1.1, which docker/cli's parser follows) are both octal.
  if (body.size() > 2 && body[0] == '0' && body[1] == 'o' && parse_integer(body.substr(2), 8, value)) {
    out.octal = true;
  } else if (body.size() > 1 && body[0] == '0' && all_digits(body) && parse_integer(body.substr(1), 8, value)) {
    out.octal = true;
  } else if (body.size() > 2 && body[0] == '0' && body[1] == 'x' && parse_integer(body.substr(2), 16, value)) {
  } else if (all_digits(body) && parse_integer(body, 10, value)) {
  } else {
    // Floats: digits with a dot or an exponent; from_chars also accepts forms YAML does not, so
    // require a leading digit or dot-digit.
    if (body.empty() || !(std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.')) return false;
    double number = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data() + (text.front() == '+' ? 1 : 0), end, number);
    if (ec != std::errc{} || ptr != end || !std::isfinite(number)) return false;
    out.type = ScalarType::number;
    out.number = number;
    return true;
  }
  out.type = ScalarType::integer;
  out.integer = negative ? -value : value;
  out.number = static_cast<double>(out.integer);
  return true;
}

}  // namespace

ResolvedScalar resolve_scalar(const Node& node) {
  ResolvedScalar out;
  if (node.kind == NodeKind::null) {
    out.type = ScalarType::null;
    return out;
  }
  if (node.kind != NodeKind::scalar || node.style != ScalarStyle::plain) return out;
  const std::string_view text = node.scalar;
  if (text == "true" || text == "True" || text == "TRUE") {
    out.type = ScalarType::boolean;
    out.boolean = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    out.type = ScalarType::boolean;
  } else if (text == "null" || text == "Null" || text == "NULL" || text == "~" || text.empty()) {
    out.type = ScalarType::null;
  } else if (!resolve_number(text, out)) {
    out = ResolvedScalar{};
  }
  return out;
}

Node list_or_dict_to_mapping(Node node) {
  if (!node.is_sequence()) return node;
  Node mapping = Node::make_mapping(node.location);
  for (auto& item : node.items) {
    if (!item.is_scalar()) continue;
    const auto equals = item.scalar.find('=');
    Node value;
    value.location = item.location;
    if (equals != std::string::npos) value = Node::make_scalar(item.scalar.substr(equals + 1), item.location);
    mapping.set(item.scalar.substr(0, equals), std::move(value), item.location);
  }
  return mapping;
}

std::string_view describe(const Node& node) {
  switch (node.kind) {
    case NodeKind::null: return "null";
    case NodeKind::sequence: return "a list";
    case NodeKind::mapping: return "a mapping";
    case NodeKind::scalar: break;
  }
  switch (resolve_scalar(node).type) {
    case ScalarType::integer: return "an integer";
    case ScalarType::number: return "a number";
    case ScalarType::boolean: return "a boolean";
    case ScalarType::null: return "null";
    case ScalarType::string: break;
  }
  return "a string";
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

}  // namespace stackup::compose
