#include "compose/yaml_parse.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <algorithm>

#include "compose/path.hpp"

namespace stackup::compose {
namespace {

// Aliases are shared in yaml-cpp's tree but copied into ours; this bounds the copies. Real files,
// anchors and all, stay far below it; a "billion laughs" file hits it within milliseconds.
std::size_t node_budget_for(std::size_t text_size) { return 100'000 + 4 * text_size; }

class Converter {
 public:
  Converter(std::shared_ptr<const base::SourceFile> source, base::Diagnostics& diagnostics)
      : source_(std::move(source)), diagnostics_(diagnostics), budget_(node_budget_for(source_->text.size())) {}

  // Throws BudgetExceeded when the alias expansion goes over the budget.
  Node convert(const YAML::Node& yaml, const std::string& path) {
    if (++produced_ > budget_) throw BudgetExceeded{location_of(yaml.Mark()), path};
    Node node;
    node.location = location_of(yaml.Mark());
    const std::string& tag = yaml.Tag();
    switch (yaml.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        node.kind = NodeKind::null;
        break;
      case YAML::NodeType::Scalar:
        node.kind = NodeKind::scalar;
        node.scalar = yaml.Scalar();
        // yaml-cpp tags plain scalars "?" and quoted or block scalars "!"; `!!str` forces a string.
        node.style = (tag == "!" || tag == "tag:yaml.org,2002:str") ? ScalarStyle::quoted : ScalarStyle::plain;
        break;
      case YAML::NodeType::Sequence: {
        enter(yaml, node.location, path);
        node.kind = NodeKind::sequence;
        node.items.reserve(yaml.size());
        std::size_t index = 0;
        for (const auto& item : yaml) node.items.push_back(convert(item, item_path(path, index++)));
        ancestors_.pop_back();
        break;
      }
      case YAML::NodeType::Map:
        enter(yaml, node.location, path);
        node.kind = NodeKind::mapping;
        convert_mapping(yaml, path, node);
        ancestors_.pop_back();
        break;
    }
    if (!tag.empty() && tag[0] == '!' && tag != "!") node.tag = tag;
    return node;
  }

  struct BudgetExceeded {
    base::Location location;
    std::string path;
  };
  struct AliasCycle {
    base::Location location;
    std::string path;
  };

 private:
  // yaml-cpp lets an alias point at a collection that contains it; copying that would never end.
  void enter(const YAML::Node& yaml, const base::Location& location, const std::string& path) {
    for (const auto& ancestor : ancestors_) {
      if (ancestor.is(yaml)) throw AliasCycle{location, path};
    }
    ancestors_.push_back(yaml);
  }

  void convert_mapping(const YAML::Node& yaml, const std::string& path, Node& node) {
    node.entries.reserve(yaml.size());
    std::vector<Node> merge_sources;
    std::size_t merge_position = 0;
    for (const auto& pair : yaml) {
      const auto key_location = location_of(pair.first.Mark());
      if (!pair.first.IsScalar()) {
        diagnostics_.error(key_location, path, "mapping keys must be strings");
        continue;
      }
      const std::string& key = pair.first.Scalar();
      if (key == "<<" && pair.first.Tag() == "?") {
        merge_position = node.entries.size();
        collect_merge_sources(pair.second, child_path(path, key), merge_sources);
        continue;
      }
      if (const auto* previous = node.find_entry(key)) {
        diagnostics_.error(key_location, path,
                           fmt::format("mapping key \"{}\" already defined at line {}", key, previous->key_location.line));
        continue;
      }
      node.entries.push_back(Entry{key, key_location, convert(pair.second, child_path(path, key))});
    }
    apply_merge(merge_sources, merge_position, node);
  }

  void collect_merge_sources(const YAML::Node& value, const std::string& path, std::vector<Node>& out) {
    if (value.IsMap()) {
      out.push_back(convert(value, path));
      return;
    }
    if (value.IsSequence()) {
      for (const auto& item : value) {
        if (item.IsMap()) {
          out.push_back(convert(item, path));
        } else {
          diagnostics_.error(location_of(item.Mark()), path, "a merge key (<<) takes a mapping or a list of mappings");
        }
      }
      return;
    }
    diagnostics_.error(location_of(value.Mark()), path, "a merge key (<<) takes a mapping or a list of mappings");
  }

  // YAML merge keys: keys written in the mapping win; among the merged mappings the first wins.
  static void apply_merge(std::vector<Node>& sources, std::size_t position, Node& node) {
    std::vector<Entry> merged;
    for (auto& source : sources) {
      for (auto& entry : source.entries) {
        const bool taken = node.find_entry(entry.key) != nullptr ||
                           std::any_of(merged.begin(), merged.end(), [&](const Entry& e) { return e.key == entry.key; });
        if (!taken) merged.push_back(std::move(entry));
      }
    }
    node.entries.insert(node.entries.begin() + static_cast<std::ptrdiff_t>(position),
                        std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end()));
  }

  // The single place where yaml-cpp's 0-based marks become stackup's 1-based positions.
  [[nodiscard]] base::Location location_of(const YAML::Mark& mark) const {
    if (mark.is_null()) return {source_, 0, 0};
    return {source_, mark.line + 1, mark.column + 1};
  }

  std::shared_ptr<const base::SourceFile> source_;
  base::Diagnostics& diagnostics_;
  std::size_t budget_;
  std::size_t produced_ = 0;
  std::vector<YAML::Node> ancestors_;

  friend std::optional<Node> compose::parse_yaml(const std::shared_ptr<const base::SourceFile>&, base::Diagnostics&);
};

// yaml-cpp's words, with what they usually mean in a compose file.
std::string describe_parser_error(const std::string& message) {
  static constexpr std::pair<std::string_view, std::string_view> explained[] = {
      {"end of map not found", "bad indentation: this line does not line up with the keys of its mapping"},
      {"end of sequence not found", "bad indentation: this line does not line up with the items of its list"},
      {"illegal tab when looking for indentation", "a tab in the indentation; YAML indents with spaces only"},
      {"illegal map value", "unexpected ':' here; quote the value if it contains ': '"},
  };
  for (const auto& [words, meaning] : explained) {
    if (message == words) return std::string(meaning) + " (" + message + ")";
  }
  return message.empty() ? "invalid YAML" : message;
}

// The offset of the first byte that is not part of well-formed UTF-8, if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (byte < 0x80) length = 1;
    else if (byte >= 0xC2 && byte <= 0xDF) length = 2;
    else if (byte >= 0xE0 && byte <= 0xEF) length = 3;
    else if (byte >= 0xF0 && byte <= 0xF4) length = 4;
    else return i;
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    // Overlong forms, surrogates and code points past U+10FFFF.
    const auto second = static_cast<unsigned char>(text[i + 1 < text.size() ? i + 1 : i]);
    if ((byte == 0xE0 && second < 0xA0) || (byte == 0xED && second > 0x9F) || (byte == 0xF0 && second < 0x90) ||
        (byte == 0xF4 && second > 0x8F)) {
      return i;
    }
    i += length;
  }
  return std::nullopt;
}

base::Location location_of_offset(const std::shared_ptr<const base::SourceFile>& source, std::size_t offset) {
  const std::string_view before(source->text.data(), offset);
  const auto line = 1 + std::count(before.begin(), before.end(), '\n');
  const auto line_start = before.rfind('\n');
  const auto column = offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return {source, static_cast<int>(line), static_cast<int>(column)};
}

// Lines holding only blanks and tabs are empty lines to a reader and to Go's YAML parser (which
// docker compose uses), but yaml-cpp rejects a tab there. Emptying them keeps every line number.
std::string without_blank_tab_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    const bool blank_with_tab = line.find('\t') != std::string_view::npos &&
                                line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (!blank_with_tab) out += line;
    if (end < text.size()) out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<Node> parse_yaml(const std::shared_ptr<const base::SourceFile>& source, base::Diagnostics& diagnostics) {
  // YAML is Unicode text; refusing other bytes here keeps every later phase and output well-formed.
  if (const auto offset = first_invalid_utf8(source->text)) {
    diagnostics.error(location_of_offset(source, *offset), "",
                      fmt::format("invalid UTF-8 byte 0x{:02X}; compose files are UTF-8 text",
                                  static_cast<unsigned char>(source->text[*offset])));
    return std::nullopt;
  }
  Converter converter(source, diagnostics);
  try {
    const YAML::Node root = YAML::Load(source->text.find('\t') == std::string::npos
                                           ? source->text
                                           : without_blank_tab_lines(source->text));
    return converter.convert(root, "");
  } catch (const Converter::BudgetExceeded& exceeded) {
    diagnostics.error(exceeded.location, exceeded.path,
                      fmt::format("too many aliases: expanding them would create more than {} values "
                                  "(a \"billion laughs\" document?); use fewer nested anchors",
                                  node_budget_for(source->text.size())));
  } catch (const Converter::AliasCycle& cycle) {
    diagnostics.error(cycle.location, cycle.path, "an alias refers to a mapping or list that contains it; anchors cannot nest themselves");
  } catch (const YAML::DeepRecursion& error) {
    diagnostics.error(converter.location_of(error.mark), "",
                      fmt::format("values nested more than {} levels deep; a compose file never needs that", error.depth()));
  } catch (const YAML::ParserException& error) {
    diagnostics.error(converter.location_of(error.mark), "", describe_parser_error(error.msg));
  } catch (const YAML::Exception& error) {
    diagnostics.error(converter.location_of(error.mark), "", describe_parser_error(error.msg));
  }
  return std::nullopt;
}

}  // namespace stackup::compose
