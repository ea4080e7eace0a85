#include "compose/interpolate.hpp"

#include <fmt/format.h>

#include "compose/path.hpp"
#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

bool is_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

class Substitution {
 public:
  Substitution(const Environment& environment, std::set<std::string, std::less<>>& unset, std::size_t depth = 0)
      : environment_(environment), unset_(unset), depth_(depth) {}

  // Expands text[pos..] until the end, or (when `nested`) until the '}' closing the enclosing ${...}.
  std::expected<std::string, TemplateError> expand(std::string_view text, std::size_t& pos, bool nested) {
    std::string out;
    // Braces the word itself opens, as in ${JSON:-{"json":1}}: the '}' that closes one of them is
    // part of the word, not the end of the ${...}.
    std::size_t open_braces = 0;
    while (pos < text.size()) {
      const char c = text[pos];
      if (nested && c == '}' && open_braces == 0) return out;
      if (nested && c == '{') ++open_braces;
      if (nested && c == '}') --open_braces;
      if (c != '$' || pos + 1 >= text.size()) {
        out += c;
        ++pos;
        continue;
      }
      const char next = text[pos + 1];
      if (next == '$') {
        out += '$';
        pos += 2;
      } else if (next == '{') {
        pos += 2;
        auto braced = expand_braced(text, pos);
        if (!braced) return braced;
        out += *braced;
      } else if (is_name_start(next)) {
        std::size_t end = pos + 1;
        while (end < text.size() && is_name_char(text[end])) ++end;
        out += lookup_or_blank(text.substr(pos + 1, end - pos - 1));
        pos = end;
      } else {
        // `$(`, `$1`, `$ `: not a template; compose keeps them as they are.
        out += c;
        ++pos;
      }
    }
    if (nested) return std::unexpected(TemplateError{});  // no closing '}'
    return out;
  }

 private:
  // After "${": NAME, then optionally an operator and a word, then "}".
  std::expected<std::string, TemplateError> expand_braced(std::string_view text, std::size_t& pos) {
    if (depth_ >= max_interpolation_depth) return std::unexpected(TemplateError{TemplateError::Kind::too_deep, {}, {}});
    const std::size_t name_start = pos;
    if (pos >= text.size() || !is_name_start(text[pos])) return std::unexpected(TemplateError{});
    while (pos < text.size() && is_name_char(text[pos])) ++pos;
    const std::string_view name = text.substr(name_start, pos - name_start);
    if (pos >= text.size()) return std::unexpected(TemplateError{});
    if (text[pos] == '}') {
      ++pos;
      return std::string(lookup_or_blank(name));
    }
    bool colon = false;
    if (text[pos] == ':') {
      colon = true;
      ++pos;
    }
    if (pos >= text.size()) return std::unexpected(TemplateError{});
    const char op = text[pos];
    if (op != '-' && op != '?' && op != '+') return std::unexpected(TemplateError{});
    ++pos;
    // The word is expanded lazily in spirit, but expanding it always keeps parsing simple; only its
    // side effect (an "unset" warning) must not leak when the word is unused.
    std::set<std::string, std::less<>> word_unset;
    Substitution inner(environment_, word_unset, depth_ + 1);
    auto word = inner.expand(text, pos, true);
    if (!word) return word;
    ++pos;  // the closing '}'
    const auto value = environment_.get(name);
    const bool set = value.has_value();
    const bool usable = colon ? (set && !value->empty()) : set;
    auto use_word = [&] {
      unset_.insert(word_unset.begin(), word_unset.end());
      return std::move(*word);
    };
    switch (op) {
      case '-': return usable ? std::string(*value) : use_word();
      case '+': return usable ? use_word() : std::string();
      default:  // '?'
        if (usable) return std::string(*value);
        return std::unexpected(TemplateError{TemplateError::Kind::required_missing, std::string(name), use_word()});
    }
  }

  std::string lookup_or_blank(std::string_view name) {
    if (const auto value = environment_.get(name)) return std::string(*value);
    unset_.emplace(name);
    return {};
  }

  const Environment& environment_;
  std::set<std::string, std::less<>>& unset_;
  std::size_t depth_;  // how many ${ enclose the text being expanded
};

}  // namespace

std::string interpolation_too_deep_message() {
  return fmt::format("${{...}} nested more than {} levels deep; no file needs that", max_interpolation_depth);
}

std::expected<std::string, TemplateError> substitute(std::string_view text, const Environment& environment,
                                                     std::set<std::string, std::less<>>& unset) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  std::size_t pos = 0;
  return Substitution(environment, unset).expand(text, pos, false);
}

void Interpolator::run(Node& root) { visit(root); }

// services.NAME.secrets[N].mode or services.NAME.configs[N].mode
bool Interpolator::at_secret_mode() const {
  auto key = [&](std::size_t i) {
    const auto* text = std::get_if<std::string_view>(&segments_[i]);
    return text ? *text : std::string_view();
  };
  return segments_.size() == 5 && key(0) == "services" && (key(2) == "secrets" || key(2) == "configs") &&
         std::holds_alternative<std::size_t>(segments_[3]) && key(4) == "mode";
}

std::string Interpolator::path() const {
  std::string out;
  for (const auto& segment : segments_) {
    if (const auto* key = std::get_if<std::string_view>(&segment)) {
      out = child_path(out, *key);
    } else {
      out = item_path(out, std::get<std::size_t>(segment));
    }
  }
  return out;
}

void Interpolator::visit(Node& node) {
  switch (node.kind) {
    case NodeKind::null: return;
    case NodeKind::sequence:
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        segments_.emplace_back(i);
        visit(node.items[i]);
        segments_.pop_back();
      }
      return;
    case NodeKind::mapping:
      for (auto& entry : node.entries) {
        segments_.emplace_back(std::string_view(entry.key));
        visit(entry.value);
        segments_.pop_back();
      }
      return;
    case NodeKind::scalar: break;
  }
  if (node.scalar.find('$') == std::string::npos) return;
  std::set<std::string, std::less<>> unset;
  auto result = substitute(node.scalar, environment_, unset);
  if (!result) {
    const auto& error = result.error();
    if (error.kind == TemplateError::Kind::required_missing) {
      std::string message = fmt::format("required variable {} is missing a value", error.variable);
      if (!error.message.empty()) message += ": " + error.message;
      diagnostics_.error(rules::interpolation_required, node.location, path(), message);
    } else if (error.kind == TemplateError::Kind::too_deep) {
      diagnostics_.error(rules::interpolation_depth, node.location, path(), interpolation_too_deep_message());
    } else {
      diagnostics_.error(rules::interpolation_format, node.location, path(),
                         fmt::format("invalid interpolation format \"{}\"; you may need to escape any $ with another $",
                                     node.scalar));
    }
    return;
  }
  for (const auto& name : unset) {
    if (warned_.insert(name).second) {
      diagnostics_.warning(rules::variable_unset, node.location, path(),
                           fmt::format("the \"{}\" variable is not set. Defaulting to a blank string.", name));
    }
  }
  node.scalar = std::move(*result);
  // An unset variable leaves an empty string, which must not turn into YAML's null; and a mode from a
  // variable is the string compose-go reads as octal, quoted or not (type_cast.hpp).
  if (node.scalar.empty() || at_secret_mode()) node.style = ScalarStyle::quoted;
}

}  // namespace stackup::compose
