#include "compose/yaml_parse.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <algorithm>
#include <spanstream>
#include <unordered_set>

#include "compose/path.hpp"
#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

// Aliases are copied into our tree; this bounds the copies. Real files, anchors and all, stay far
// below it; a "billion laughs" file hits it within milliseconds.
std::size_t node_budget_for(std::size_t text_size) { return 100'000 + 4 * text_size; }

// yaml-cpp refuses a document once its nodes nest this deep (counting the root and the innermost
// value), and so do we once aliases are expanded: every later phase walks the tree recursively, and
// a few anchors, each nesting the previous one 499 levels deeper, would otherwise overflow the stack.
constexpr std::size_t max_nesting_depth = 500;

std::string too_deep_message(std::size_t depth, std::string_view how) {
  return fmt::format("values nested {} or more levels deep{}; a compose file never needs that", depth, how);
}

struct BudgetExceeded {
  base::Location location;
  std::string path;
};
struct TooDeep {
  base::Location location;
  std::string path;
};
struct AliasCycle {
  base::Location location;
  std::string path;
};

// Builds our tree straight from yaml-cpp's parse events, without yaml-cpp's own node graph (which
// costs more than the parse itself). Containers under construction wait on a stack; an anchor is
// usable once its value is complete, so an alias to an unfinished one is a cycle.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(std::shared_ptr<const base::SourceFile> source, base::Diagnostics& diagnostics)
      : source_(std::move(source)), diagnostics_(diagnostics), budget_(node_budget_for(source_->text.size())) {}

  std::optional<Node> take_root() { return std::move(root_); }

  // The single place where yaml-cpp's 0-based marks become stackup's 1-based positions.
  [[nodiscard]] base::Location location_of(const YAML::Mark& mark) const {
    if (mark.is_null()) return {source_, 0, 0};
    return {source_, mark.line + 1, mark.column + 1};
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node node;
    node.location = location_of(mark);
    complete(std::move(node), {1, 1}, anchor, true);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || !anchors_[anchor].complete) throw AliasCycle{location_of(mark), current_path()};
    const auto& anchored = anchors_[anchor];
    count(anchored.extent.size, mark);
    // The only way a value gets deeper than yaml-cpp's own bound: an alias to a deep value, placed deep.
    if (stack_.size() + anchored.extent.height >= max_nesting_depth) throw TooDeep{location_of(mark), current_path()};
    complete(Node(anchored.node), anchored.extent, YAML::NullAnchor, anchored.plain_scalar);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    Node node;
    node.kind = NodeKind::scalar;
    node.scalar = value;
    node.location = location_of(mark);
    // yaml-cpp tags plain scalars "?" and quoted or block scalars "!"; `!!str` forces a string.
    node.style = (tag == "!" || tag == "tag:yaml.org,2002:str") ? ScalarStyle::quoted : ScalarStyle::plain;
    keep_tag(node, tag);
    count(1, mark);
    complete(std::move(node), {1, 1}, anchor, tag == "?");
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::make_sequence(location_of(mark)), tag, anchor, mark);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::make_mapping(location_of(mark)), tag, anchor, mark);
  }
  void OnMapEnd() override {
    Frame& frame = stack_.back();
    apply_merge(frame.merge_sources, frame.merge_position, frame.node);
    close();
  }

 private:
  // How much of the tree a value is: its nodes (for the alias budget) and how deep it nests.
  struct Extent {
    std::size_t size = 1;
    std::size_t height = 1;  // a scalar is 1; a list of scalars is 2
  };
  struct PendingKey {
    std::string text;
    base::Location location;
    bool plain = false;
    bool refused = false;  // not a string: its value is dropped
  };
  struct Frame {
    Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    Extent extent;  // of the subtree built so far
    std::optional<PendingKey> key;
    std::vector<Node> merge_sources;
    std::size_t merge_position = 0;
    std::unordered_set<std::string> keys;  // filled once a mapping is large, for the duplicate check
  };

  static constexpr std::size_t linear_search_limit = 16;

  static bool has_key(Frame& frame, const std::string& key) {
    auto& entries = frame.node.entries;
    if (entries.size() <= linear_search_limit) return frame.node.find_entry(key) != nullptr;
    if (frame.keys.empty()) {
      for (const auto& entry : entries) frame.keys.insert(entry.key);
    }
    return frame.keys.contains(key);
  }
  struct Anchored {
    Node node;
    Extent extent;
    bool complete = false;
    bool plain_scalar = false;
  };

  static void keep_tag(Node& node, const std::string& tag) {
    if (!tag.empty() && tag[0] == '!' && tag != "!") node.tag = tag;
  }

  void count(std::size_t nodes, const YAML::Mark& mark) {
    produced_ += nodes;
    if (produced_ > budget_) throw BudgetExceeded{location_of(mark), current_path()};
  }

  void open(Node node, const std::string& tag, YAML::anchor_t anchor, const YAML::Mark& mark) {
    count(1, mark);
    keep_tag(node, tag);
    if (anchor != YAML::NullAnchor) remember(anchor).complete = false;
    Frame frame;
    frame.node = std::move(node);
    frame.anchor = anchor;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(frame.node), frame.extent, frame.anchor, false);
  }

  Anchored& remember(YAML::anchor_t anchor) {
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    return anchors_[anchor];
  }

  // A finished value: remember it for its anchor, then hand it to its parent.
  void complete(Node node, Extent extent, YAML::anchor_t anchor, bool plain_scalar) {
    if (anchor != YAML::NullAnchor) remember(anchor) = Anchored{node, extent, true, plain_scalar};
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    parent.extent.size += extent.size;
    parent.extent.height = std::max(parent.extent.height, extent.height + 1);
    if (parent.node.is_sequence()) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.key) {
      if (!node.is_scalar() && !node.is_null()) {
        diagnostics_.error(rules::yaml_key_type, node.location, current_path(), "mapping keys must be strings");
        parent.key = PendingKey{std::string(), node.location, false, true};
        return;
      }
      parent.key = PendingKey{node.scalar, node.location, plain_scalar, false};
      refuse_typed_name(node, plain_scalar);
      return;
    }
    PendingKey key = std::move(*parent.key);
    parent.key.reset();
    add_entry(parent, std::move(key), std::move(node));
  }

  // Names of the top level and of the five sections (services: {123: ...}) are strings; compose-go
  // refuses one YAML reads as a number, a boolean or null, since it cannot name a resource.
  void refuse_typed_name(const Node& key, bool plain) {
    if (!plain || stack_.size() > 2) return;
    if (stack_.size() == 2) {
      const auto& section = stack_.front().key;
      constexpr std::string_view sections[] = {"services", "networks", "volumes", "secrets", "configs"};
      if (!section || std::find(std::begin(sections), std::end(sections), section->text) == std::end(sections)) return;
    }
    const auto type = resolve_scalar(key).type;
    if (type == ScalarType::string) return;
    diagnostics_.error(rules::yaml_key_type, key.location, current_path(),
                       fmt::format("the name {} is {}, not a string; quote it (\"{}\") to use it as a name",
                                   key.is_null() ? "null" : key.scalar, type == ScalarType::boolean ? "a boolean"
                                                                        : type == ScalarType::null  ? "null"
                                                                                                    : "a number",
                                   key.scalar));
  }

  void add_entry(Frame& parent, PendingKey key, Node value) {
    if (key.refused) return;
    if (key.text == "<<" && key.plain) {
      parent.merge_position = parent.node.entries.size();
      collect_merge_sources(std::move(value), parent.merge_sources);
      return;
    }
    if (has_key(parent, key.text)) {
      const auto* previous = parent.node.find_entry(key.text);
      diagnostics_.error(rules::yaml_duplicate_key, key.location, current_path(),
                         fmt::format("mapping key \"{}\" already defined at line {}", key.text, previous->key_location.line));
      return;
    }
    if (!parent.keys.empty()) parent.keys.insert(key.text);
    parent.node.entries.push_back(Entry{std::move(key.text), key.location, std::move(value)});
  }

  void collect_merge_sources(Node value, std::vector<Node>& out) {
    const auto path = child_path(current_path(), "<<");
    if (value.is_mapping()) {
      out.push_back(std::move(value));
    } else if (value.is_sequence()) {
      for (auto& item : value.items) {
        if (item.is_mapping()) {
          out.push_back(std::move(item));
        } else {
          diagnostics_.error(rules::yaml_merge_key, item.location, path,
                             "a merge key (<<) takes a mapping or a list of mappings");
        }
      }
    } else {
      diagnostics_.error(rules::yaml_merge_key, value.location, path,
                         "a merge key (<<) takes a mapping or a list of mappings");
    }
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

  // The dotted path of the value being built; only computed for messages.
  [[nodiscard]] std::string current_path() const {
    std::string path;
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (i + 1 >= stack_.size()) break;
      const Frame& frame = stack_[i];
      if (frame.node.is_sequence()) {
        path = item_path(path, frame.node.items.size());
      } else if (frame.key) {
        path = child_path(path, frame.key->text);
      }
    }
    if (!stack_.empty() && stack_.back().key) path = child_path(path, stack_.back().key->text);
    return path;
  }

  std::shared_ptr<const base::SourceFile> source_;
  base::Diagnostics& diagnostics_;
  std::size_t budget_;
  std::size_t produced_ = 0;
  std::vector<Frame> stack_;
  std::vector<Anchored> anchors_;
  std::optional<Node> root_;
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

// The offset of the first byte that is not text: a NUL, or a byte that is not part of well-formed
// UTF-8. yaml-cpp takes a NUL for the end of the input or for an escape, and says something unrelated.
std::optional<std::size_t> first_non_text_byte(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (byte == 0) return i;
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
  if (const auto offset = first_non_text_byte(source->text)) {
    const auto byte = static_cast<unsigned char>(source->text[*offset]);
    diagnostics.error(rules::yaml_encoding, location_of_offset(source, *offset), "",
                      byte == 0 ? std::string("the file contains a NUL byte (\\0) here; compose files are text")
                                : fmt::format("invalid UTF-8 byte 0x{:02X}; compose files are UTF-8 text", byte));
    return std::nullopt;
  }
  TreeBuilder builder(source, diagnostics);
  try {
    const std::string cleaned = source->text.find('\t') == std::string::npos ? std::string() : without_blank_tab_lines(source->text);
    std::ispanstream input(cleaned.empty() ? std::span<const char>(source->text) : std::span<const char>(cleaned));
    YAML::Parser parser(input);
    if (!parser.HandleNextDocument(builder)) return Node{};  // an empty stream
    auto root = builder.take_root();
    return root ? std::move(*root) : Node{};
  } catch (const BudgetExceeded& exceeded) {
    diagnostics.error(rules::yaml_alias_limit, exceeded.location, exceeded.path,
                      fmt::format("too many aliases: expanding them would create more than {} values "
                                  "(a \"billion laughs\" document?); use fewer nested anchors",
                                  node_budget_for(source->text.size())));
  } catch (const AliasCycle& cycle) {
    diagnostics.error(rules::yaml_alias_cycle, cycle.location, cycle.path,
                      "an alias refers to a mapping or list that contains it; anchors cannot nest themselves");
  } catch (const TooDeep& deep) {
    diagnostics.error(rules::yaml_nesting_depth, deep.location, deep.path,
                      too_deep_message(max_nesting_depth, " once aliases are expanded"));
  } catch (const YAML::DeepRecursion& error) {
    diagnostics.error(rules::yaml_nesting_depth, builder.location_of(error.mark), "",
                      too_deep_message(static_cast<std::size_t>(error.depth()), ""));
  } catch (const YAML::Exception& error) {
    diagnostics.error(rules::yaml_syntax, builder.location_of(error.mark), "", describe_parser_error(error.msg));
  }
  return std::nullopt;
}

}  // namespace stackup::compose
