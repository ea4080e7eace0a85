#include "compose/yaml_parse.hpp"

#include <yaml.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "compose/path.hpp"
#include "compose/rules.hpp"
#include "compose/utf8.hpp"

namespace stackup::compose {
namespace {

// Aliases are copied into our tree; this bounds the copies. Real files, anchors and all, stay far
// below it; a "billion laughs" file hits it within milliseconds.
std::size_t node_budget_for(std::size_t text_size) { return 100'000 + 4 * text_size; }

// We refuse a document once its values nest this deep (counting the root and the innermost value),
// as written and once aliases are expanded: every later phase walks the tree recursively, and a few
// anchors, each nesting the previous one 499 levels deeper, would otherwise overflow the stack.
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
  bool via_alias = false;
};
struct AliasCycle {
  base::Location location;
  std::string path;
};

// Where libyaml's marks point, as stackup's 1-based line and byte column. From a mark's character
// index, not its line and column: libyaml also breaks lines at a lone CR, NEL, LS and PS, and
// counts columns in characters, while the excerpts under a diagnostic split the text at '\n' and
// the caret goes by bytes. Marks come in document order, so a cursor walks the text once.
class Positions {
 public:
  explicit Positions(std::shared_ptr<const base::SourceFile> source) : source_(std::move(source)) {
    // libyaml skips a byte order mark without counting it.
    if (source_->text.starts_with("\xEF\xBB\xBF")) start_.offset = 3;
    cursor_ = start_;
  }

  [[nodiscard]] base::Location location_of(const yaml_mark_t& mark) const {
    seek(mark.index);
    return {source_, static_cast<int>(cursor_.line) + 1, static_cast<int>(cursor_.offset - cursor_.line_start) + 1};
  }

  // The offset in the text of the character a mark points at (the text's end past the last one).
  [[nodiscard]] std::size_t byte_offset(const yaml_mark_t& mark) const {
    seek(mark.index);
    return cursor_.offset;
  }

  [[nodiscard]] const std::shared_ptr<const base::SourceFile>& source() const { return source_; }

 private:
  struct Cursor {
    std::size_t index = 0;  // in characters, as libyaml counts
    std::size_t offset = 0;
    std::size_t line = 0;
    std::size_t line_start = 0;
  };

  void seek(std::size_t index) const {
    if (index < cursor_.index) cursor_ = start_;  // an error may point back
    const auto& text = source_->text;
    while (cursor_.index < index && cursor_.offset < text.size()) {
      const char character = text[cursor_.offset++];
      while (cursor_.offset < text.size() && (static_cast<unsigned char>(text[cursor_.offset]) & 0xC0) == 0x80) {
        ++cursor_.offset;
      }
      ++cursor_.index;
      if (character == '\n') {
        ++cursor_.line;
        cursor_.line_start = cursor_.offset;
      }
    }
  }

  std::shared_ptr<const base::SourceFile> source_;
  Cursor start_;
  mutable Cursor cursor_;
};

// libyaml's parser and its current event, released however the parse ends.
class EventStream {
 public:
  explicit EventStream(const std::string& text) {
    if (yaml_parser_initialize(&parser_) == 0) throw std::bad_alloc();
    // No encoding is set: libyaml's own detection skips a byte order mark (the text is UTF-8 by now).
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;
  ~EventStream() {
    release_event();
    yaml_parser_delete(&parser_);
  }

  // The next event, or nullptr after a syntax error, which `parser()` then describes.
  const yaml_event_t* next() {
    release_event();
    if (yaml_parser_parse(&parser_, &event_) == 0) return nullptr;
    holds_event_ = true;
    return &event_;
  }
  [[nodiscard]] const yaml_parser_t& parser() const { return parser_; }

 private:
  void release_event() {
    if (holds_event_) yaml_event_delete(&event_);
    holds_event_ = false;
  }

  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool holds_event_ = false;
};

struct SyntaxError {
  base::Location location;
  std::string message;
};

// Builds our tree straight from libyaml's parse events. Containers under construction wait on a
// stack, on the heap, so no input nests our C++ stack; an anchor is usable once its value is
// complete, so an alias to an unfinished one is a cycle.
class TreeBuilder {
 public:
  TreeBuilder(const Positions& positions, base::Diagnostics& diagnostics)
      : positions_(positions), diagnostics_(diagnostics), budget_(node_budget_for(positions.source()->text.size())) {}

  std::optional<Node> take_root() { return std::move(root_); }

  // Returns false once the first document is complete: like docker compose, we read one.
  bool handle(const yaml_event_t& event) {
    switch (event.type) {
      case YAML_SCALAR_EVENT: on_scalar(event); return true;
      case YAML_ALIAS_EVENT: on_alias(event); return true;
      case YAML_SEQUENCE_START_EVENT:
        open(Node::make_sequence(location_of(event.start_mark)), event.data.sequence_start.tag,
             event.data.sequence_start.anchor, event.start_mark);
        return true;
      case YAML_MAPPING_START_EVENT:
        open(Node::make_mapping(location_of(event.start_mark)), event.data.mapping_start.tag,
             event.data.mapping_start.anchor, event.start_mark);
        return true;
      case YAML_SEQUENCE_END_EVENT: close(); return true;
      case YAML_MAPPING_END_EVENT: {
        Frame& frame = stack_.back();
        apply_merge(frame.merge_sources, frame.merge_position, frame.node);
        close();
        return true;
      }
      case YAML_DOCUMENT_END_EVENT:
      case YAML_STREAM_END_EVENT: return false;
      default: return true;
    }
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
    std::string anchor;  // empty: none
    Extent extent;       // of the subtree built so far
    std::optional<PendingKey> key;
    std::vector<Node> merge_sources;
    std::size_t merge_position = 0;
    std::unordered_set<std::string> keys;  // filled once a mapping is large, for the duplicate check
  };
  struct Anchored {
    Node node;
    Extent extent;
    bool complete = false;
    bool plain_scalar = false;
  };

  static constexpr std::size_t linear_search_limit = 16;
  static constexpr std::string_view str_tag = "tag:yaml.org,2002:str";

  [[nodiscard]] base::Location location_of(const yaml_mark_t& mark) const { return positions_.location_of(mark); }

  static std::string_view text_of(const yaml_char_t* text) {
    return text ? std::string_view(reinterpret_cast<const char*>(text)) : std::string_view();
  }

  static bool is_plain_null(std::string_view text) {
    return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
  }

  void on_scalar(const yaml_event_t& event) {
    const auto& scalar = event.data.scalar;
    const auto tag = text_of(scalar.tag);
    const std::string_view value(reinterpret_cast<const char*>(scalar.value), scalar.length);
    // Only an untagged plain scalar gets YAML's type resolution; `!!str` and `!` force a string.
    const bool plain = scalar.style == YAML_PLAIN_SCALAR_STYLE && tag.empty();
    check_depth(event.start_mark);
    count(1, event.start_mark);
    Node node;
    node.location = location_of(event.start_mark);
    if (plain && is_plain_null(value)) {
      null_text_ = value;  // for a message, should it be a key
      complete(std::move(node), {1, 1}, text_of(scalar.anchor), true);
      return;
    }
    node.kind = NodeKind::scalar;
    node.scalar = value;
    // As yaml-cpp had it: a quoted or block scalar is a string unless another core tag says
    // otherwise (`!!int "5"` is a number).
    const bool untagged_quoted = tag.empty() && scalar.style != YAML_PLAIN_SCALAR_STYLE;
    node.style = (untagged_quoted || tag == "!" || tag == str_tag) ? ScalarStyle::quoted : ScalarStyle::plain;
    keep_tag(node, tag);
    complete(std::move(node), {1, 1}, text_of(scalar.anchor), plain);
  }

  void on_alias(const yaml_event_t& event) {
    const auto name = text_of(event.data.alias.anchor);
    const auto found = anchors_.find(std::string(name));
    if (found == anchors_.end()) {
      throw SyntaxError{location_of(event.start_mark), fmt::format("unknown anchor '{}' referenced", name)};
    }
    if (!found->second.complete) throw AliasCycle{location_of(event.start_mark), current_path()};
    const Anchored& anchored = found->second;
    count(anchored.extent.size, event.start_mark);
    // The only way a value gets deeper than the parse's own bound: an alias to a deep value, placed deep.
    if (stack_.size() + anchored.extent.height >= max_nesting_depth) {
      throw TooDeep{location_of(event.start_mark), current_path(), true};
    }
    complete(Node(anchored.node), anchored.extent, {}, anchored.plain_scalar);
  }

  static bool has_key(Frame& frame, const std::string& key) {
    auto& entries = frame.node.entries;
    if (entries.size() <= linear_search_limit) return frame.node.find_entry(key) != nullptr;
    if (frame.keys.empty()) {
      for (const auto& entry : entries) frame.keys.insert(entry.key);
    }
    return frame.keys.contains(key);
  }

  static void keep_tag(Node& node, std::string_view tag) {
    if (!tag.empty() && tag[0] == '!' && tag != "!") node.tag = tag;
  }

  void count(std::size_t nodes, const yaml_mark_t& mark) {
    produced_ += nodes;
    if (produced_ > budget_) throw BudgetExceeded{location_of(mark), current_path()};
  }

  // A value at the stack's depth plus one; the root is at depth 1.
  void check_depth(const yaml_mark_t& mark) const {
    if (stack_.size() + 1 >= max_nesting_depth) throw TooDeep{location_of(mark), "", false};
  }

  void open(Node node, const yaml_char_t* tag, const yaml_char_t* anchor, const yaml_mark_t& mark) {
    check_depth(mark);
    count(1, mark);
    keep_tag(node, text_of(tag));
    Frame frame;
    frame.node = std::move(node);
    frame.anchor = text_of(anchor);
    if (!frame.anchor.empty()) anchors_[frame.anchor].complete = false;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(frame.node), frame.extent, frame.anchor, false);
  }

  // A finished value: remember it for its anchor, then hand it to its parent.
  void complete(Node node, Extent extent, std::string_view anchor, bool plain_scalar) {
    if (!anchor.empty()) anchors_[std::string(anchor)] = Anchored{node, extent, true, plain_scalar};
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
      parent.key = PendingKey{node.is_null() ? null_text_ : node.scalar, node.location, plain_scalar, false};
      refuse_typed_name(node, plain_scalar, parent.key->text);
      return;
    }
    PendingKey key = std::move(*parent.key);
    parent.key.reset();
    add_entry(parent, std::move(key), std::move(node));
  }

  // Every key is a string: compose-go refuses one YAML reads as a number, a boolean or null, anywhere
  // (services: {123: ...}, environment: {1: FOO}). A name of the top level or of the five sections
  // says so in words about names.
  void refuse_typed_name(const Node& key, bool plain, const std::string& written) {
    if (!plain) return;
    const auto type = resolve_scalar(key).type;
    if (type == ScalarType::string) return;
    const std::string_view what = type == ScalarType::boolean ? "a boolean" : type == ScalarType::null ? "null" : "a number";
    const std::string text = written.empty() ? "null" : written;
    const bool is_name = stack_.size() == 1 || (stack_.size() == 2 && names_section(stack_.front().key));
    diagnostics_.error(rules::yaml_key_type, key.location, current_path(),
                       is_name ? fmt::format("the name {} is {}, not a string; quote it (\"{}\") to use it as a name", text,
                                             what, text)
                               : fmt::format("the key {} is {}, not a string; quote it (\"{}\")", text, what, text));
  }

  static bool names_section(const std::optional<PendingKey>& key) {
    constexpr std::string_view sections[] = {"services", "networks", "volumes", "secrets", "configs"};
    return key && std::find(std::begin(sections), std::end(sections), key->text) != std::end(sections);
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

  const Positions& positions_;
  base::Diagnostics& diagnostics_;
  std::size_t budget_;
  std::size_t produced_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<std::string, Anchored> anchors_;
  std::optional<Node> root_;
  std::string null_text_;  // how the last null was written: "", "~", "null"
};

// libyaml's words (docker compose's too: go-yaml is its port), with what they usually mean in a
// compose file.
enum class TabPlace : std::uint8_t { none, indentation, elsewhere };

std::string describe_parser_error(std::string_view problem, TabPlace tab) {
  if (problem.empty()) return "invalid YAML";
  if (tab == TabPlace::indentation) return fmt::format("a tab in the indentation; YAML indents with spaces only ({})", problem);
  if (tab == TabPlace::elsewhere) return fmt::format("a tab where YAML allows only spaces, such as after ':' or '-' ({})", problem);
  static constexpr std::pair<std::string_view, std::string_view> explained[] = {
      {"did not find expected key", "bad indentation: this line does not line up with the keys of its mapping"},
      {"did not find expected '-' indicator", "bad indentation: this line does not line up with the items of its list"},
      {"mapping values are not allowed in this context", "unexpected ':' here; quote the value if it contains ': '"},
  };
  for (const auto& [words, meaning] : explained) {
    if (problem == words) return fmt::format("{} ({})", meaning, problem);
  }
  return std::string(problem);
}

SyntaxError syntax_error_of(const yaml_parser_t& parser, const Positions& positions) {
  const std::string_view problem = parser.problem ? parser.problem : "";
  const std::string_view context = parser.context ? parser.context : "";
  // A quote or a flow collection left open: the end of the file says nothing; where it opened does.
  if (problem == "found unexpected end of stream" && !context.empty()) {
    return {positions.location_of(parser.context_mark), fmt::format("{} {} that starts here", problem, context)};
  }
  const auto offset = positions.byte_offset(parser.problem_mark);
  const auto& text = positions.source()->text;
  auto tab = TabPlace::none;
  if (offset < text.size() && text[offset] == '\t') {
    const auto line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    const auto from = (line_start == std::string::npos || offset == 0) ? 0 : line_start + 1;
    const bool only_spaces_before = text.find_first_not_of(' ', from) >= offset;
    tab = only_spaces_before ? TabPlace::indentation : TabPlace::elsewhere;
  }
  return {positions.location_of(parser.problem_mark), describe_parser_error(problem, tab)};
}

struct NonText {
  std::size_t offset = 0;
  std::string message;
};

// A character YAML does not allow in a document: C0 controls but tab, LF and CR; DEL; C1 controls
// but NEL; U+FFFE and U+FFFF. (libyaml refuses them too, but cannot say where.)
std::optional<std::uint32_t> disallowed_character(std::string_view character) {
  const auto byte = static_cast<unsigned char>(character[0]);
  if (character.size() == 1) {
    if ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F) return byte;
    return std::nullopt;
  }
  const auto second = static_cast<unsigned char>(character[1]);
  if (byte == 0xC2 && second < 0xA0 && second != 0x85) return second;
  if (character == "\xEF\xBF\xBE" || character == "\xEF\xBF\xBF") return 0xFFFE + (character[2] == '\xBF' ? 1 : 0);
  return std::nullopt;
}

// The first byte that is not text: a NUL, a control character, or a byte that is not part of
// well-formed UTF-8. A parser takes a NUL for the end of the input or for an escape, and says
// something unrelated.
std::optional<NonText> first_non_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\0') return NonText{i, "the file contains a NUL byte (\\0) here; compose files are text"};
    const auto length = utf8_length(text.substr(i));
    if (length == 0) {
      return NonText{i, fmt::format("invalid UTF-8 byte 0x{:02X}; compose files are UTF-8 text",
                                    static_cast<unsigned char>(text[i]))};
    }
    if (const auto control = disallowed_character(text.substr(i, length))) {
      return NonText{i, fmt::format("the file contains the control character U+{:04X} here; compose files are text "
                                    "(in a double-quoted value, write it as an escape such as \\x1B)",
                                    *control)};
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
// docker compose uses), but libyaml rejects a tab there. Emptying them keeps every line number.
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
  if (auto non_text = first_non_text(source->text)) {
    diagnostics.error(rules::yaml_encoding, location_of_offset(source, non_text->offset), "", std::move(non_text->message));
    return std::nullopt;
  }
  const std::string cleaned = source->text.find('\t') == std::string::npos ? std::string() : without_blank_tab_lines(source->text);
  const std::string& text = cleaned.empty() ? source->text : cleaned;
  const Positions positions(source);
  TreeBuilder builder(positions, diagnostics);
  EventStream events(text);
  try {
    while (const yaml_event_t* event = events.next()) {
      if (builder.handle(*event)) continue;
      // What follows a document must start another one (ignored) or end the stream: text after a
      // root that ended without `---` is an error, not a part of the file dropped in silence.
      if (event->type == YAML_DOCUMENT_END_EVENT && events.next() == nullptr) break;
      auto root = builder.take_root();
      return root ? std::move(*root) : Node{};  // no root: an empty stream
    }
    throw syntax_error_of(events.parser(), positions);
  } catch (const SyntaxError& error) {
    diagnostics.error(rules::yaml_syntax, error.location, "", error.message);
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
                      too_deep_message(max_nesting_depth, deep.via_alias ? " once aliases are expanded" : ""));
  }
  return std::nullopt;
}

}  // namespace stackup::compose
