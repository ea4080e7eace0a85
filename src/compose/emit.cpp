#include "compose/emit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "compose/utf8.hpp"

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

// YAML text as `docker compose config` prints it: block style, two spaces per level, lists indented
// under their key. A scalar is written plain when it reads back as the same value, else double-quoted.
class YamlWriter {
 public:
  std::string take() { return std::move(out_); }

  void root(const Node& node) {
    if (is_block(node)) {
      block(node, 0, false);
    } else {
      inline_value(node);
      out_ += '\n';
    }
  }

 private:
  static bool is_block(const Node& node) {
    return (node.is_mapping() && !node.entries.empty()) || (node.is_sequence() && !node.items.empty());
  }

  // A non-empty mapping or list at `indent`; `continues_line`: its first line goes after a "- ".
  void block(const Node& node, std::size_t indent, bool continues_line) {
    bool first = true;
    const auto lead = [&] {
      if (!(first && continues_line)) out_.append(indent, ' ');
      first = false;
    };
    if (node.is_mapping()) {
      for (const auto& entry : node.entries) {
        lead();
        scalar_text(entry.key, ScalarStyle::quoted);
        out_ += ':';
        after_indicator(entry.value, indent + 2, false);
      }
      return;
    }
    for (const auto& item : node.items) {
      lead();
      out_ += '-';
      after_indicator(item, indent + 2, true);
    }
  }

  // What follows "key:" or "-": a value on the same line, or a block below (or beside a "- ").
  void after_indicator(const Node& value, std::size_t indent, bool in_list) {
    if (!is_block(value)) {
      out_ += ' ';
      inline_value(value);
      out_ += '\n';
    } else if (in_list) {
      out_ += ' ';
      block(value, indent, true);
    } else {
      out_ += '\n';
      block(value, indent, false);
    }
  }

  void inline_value(const Node& node) {
    switch (node.kind) {
      case NodeKind::null: out_ += '~'; return;
      case NodeKind::sequence: out_ += "[]"; return;
      case NodeKind::mapping: out_ += "{}"; return;
      case NodeKind::scalar: scalar_text(node.scalar, node.style); return;
    }
  }

  // A string written as typed (quoted style) must not read back as a number, boolean, null, date or
  // merge key, to us or to any reader of YAML 1.1 or 1.2 (PyYAML reads 53:53 as the integer 3233).
  void scalar_text(const std::string& text, ScalarStyle style) {
    Node as_plain = Node::make_scalar(text, {}, ScalarStyle::plain);
    const bool keeps_type = style == ScalarStyle::plain || (resolve_scalar(as_plain).type == ScalarType::string &&
                                                            !reads_as_typed_elsewhere(text));
    if (keeps_type && is_safe_plain(text)) {
      out_ += text;
    } else {
      double_quoted(text);
    }
  }

  // Conservative: quoting a string is always safe, so whatever might be a number in some YAML
  // (0x1F, 0b101, 1_000, 1e3, 12:30, 2024-01-01, .inf) or a YAML 1.1 boolean (yes, off, y) is quoted.
  static bool reads_as_typed_elsewhere(std::string_view text) {
    static constexpr std::string_view words[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                                 "on", "On", "ON", "off", "Off", "OFF", "<<"};
    if (std::find(std::begin(words), std::end(words), text) != std::end(words)) return true;
    std::string_view rest = text;
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) rest.remove_prefix(1);
    if (rest.empty()) return false;
    if (rest.front() == '.') {
      std::string lower(rest);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      return lower == ".inf" || lower == ".nan" || (rest.size() > 1 && std::isdigit(static_cast<unsigned char>(rest[1])));
    }
    if (!std::isdigit(static_cast<unsigned char>(rest.front()))) return false;
    constexpr std::string_view number_like = "0123456789abcdefABCDEFxXoO_:.+-TtZz ";
    return rest.find_first_not_of(number_like) == std::string_view::npos;
  }

  // Whatever might be read as an indicator, a comment, a key or a line break is quoted.
  static bool is_safe_plain(std::string_view text) {
    if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.back() == ':') return false;
    constexpr std::string_view indicators = "?:,[]{}#&*!|>'\"%@`";
    const char first = text.front();
    if (indicators.find(first) != std::string_view::npos) return false;
    if (first == '-' && (text.size() == 1 || text[1] == ' ' || text.starts_with("---"))) return false;
    if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto byte = static_cast<unsigned char>(text[i]);
      if (byte < 0x20 || byte == 0x7F) return false;
      if (byte >= 0x80 && !escape_of(text.substr(i)).empty()) return false;
    }
    return valid_utf8(text);
  }

  // The escape of a character YAML reads as a line break, a byte order mark, a C1 control or a
  // non-character, at the start of `rest`; empty for any other.
  static std::string escape_of(std::string_view rest) {
    static constexpr std::pair<std::string_view, std::string_view> specials[] = {
        {"\xC2\x85", "\\N"}, {"\xE2\x80\xA8", "\\L"}, {"\xE2\x80\xA9", "\\P"}, {"\xEF\xBB\xBF", "\\uFEFF"},
        {"\xEF\xBF\xBE", "\\uFFFE"}, {"\xEF\xBF\xBF", "\\uFFFF"}};
    for (const auto& [bytes, escape] : specials) {
      if (rest.starts_with(bytes)) return std::string(escape);
    }
    if (rest.size() >= 2 && static_cast<unsigned char>(rest[0]) == 0xC2 && static_cast<unsigned char>(rest[1]) < 0xA0) {
      return fmt::format("\\u{:04X}", static_cast<unsigned char>(rest[1]));
    }
    return {};
  }

  static bool valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
      const auto length = utf8_length(text.substr(i));
      if (length == 0) return false;
      i += length;
    }
    return true;
  }

  // Values from .env files are not checked for UTF-8 on the way in: a bad byte becomes U+FFFD, as in JSON.
  void double_quoted(std::string_view text) {
    out_ += '"';
    for (std::size_t i = 0; i < text.size();) {
      const char c = text[i];
      const auto byte = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (c == '\n') {
        out_ += "\\n";
      } else if (c == '\t') {
        out_ += "\\t";
      } else if (byte < 0x20 || byte == 0x7F) {
        out_ += fmt::format("\\x{:02X}", byte);
      } else if (byte >= 0x80) {
        const auto length = utf8_length(text.substr(i));
        const auto escape = length == 0 ? std::string() : escape_of(text.substr(i));
        if (!escape.empty()) {
          out_ += escape;
          i += length;
        } else if (length == 0) {
          out_ += "\\uFFFD";
          ++i;
        } else {
          out_.append(text.substr(i, length));
          i += length;
        }
        continue;
      } else {
        out_ += c;
      }
      ++i;
    }
    out_ += '"';
  }

  std::string out_;
};

}  // namespace

std::string to_yaml_text(const Node& node) {
  YamlWriter writer;
  writer.root(node);
  return writer.take();
}

std::string to_json_text(const Node& node) {
  // Values from .env files are not checked for UTF-8 on the way in: replace, rather than throw on, bad bytes.
  return to_json_as<nlohmann::ordered_json>(node, Extensions::keep).dump(2, ' ', false,
                                                                         nlohmann::json::error_handler_t::replace) +
         "\n";
}

}  // namespace stackup::compose
