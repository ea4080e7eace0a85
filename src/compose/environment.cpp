#include "compose/environment.hpp"

#include <fmt/format.h>

#include "compose/interpolate.hpp"
#include "compose/rules.hpp"

namespace stackup::compose {

std::optional<std::string_view> Environment::get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Environment::names() const {
  std::vector<std::string> out;
  out.reserve(values_.size());
  for (const auto& [name, value] : values_) out.push_back(name);
  return out;
}

Environment Environment::from_strings(const std::vector<std::string>& assignments) {
  Environment environment;
  for (const auto& assignment : assignments) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    environment.set(assignment.substr(0, equals), assignment.substr(equals + 1));
  }
  return environment;
}

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = c == '_' || c == '.' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string unescape_double_quoted(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    switch (const char next = text[++i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      default: out += next; break;
    }
  }
  return out;
}

}  // namespace

void load_env_file(const std::shared_ptr<const base::SourceFile>& source, Environment& environment,
                   base::Diagnostics& diagnostics) {
  // Values may refer to variables set earlier in the file or in the process environment; what is
  // already set (the process environment) wins, and a later line of the file overrides an earlier one.
  const Environment already_set = environment;
  std::string_view rest = source->text;
  int line_number = 0;
  while (!rest.empty()) {
    ++line_number;
    const auto newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    const auto equals = line.find('=');
    const base::Location location{source, line_number, 1};
    const std::string_view name = trim(line.substr(0, equals));
    if (equals == std::string_view::npos || !is_valid_name(name)) {
      diagnostics.error(rules::env_file_syntax, location, "",
                        "expected NAME=VALUE (names use letters, digits, '_', '.' and '-')");
      continue;
    }
    std::string_view raw = trim(line.substr(equals + 1));
    std::string value;
    bool interpolate = true;
    if (raw.size() >= 2 && raw.front() == '\'' && raw.find('\'', 1) != std::string_view::npos) {
      value = raw.substr(1, raw.find('\'', 1) - 1);
      interpolate = false;
    } else if (raw.size() >= 2 && raw.front() == '"' && raw.rfind('"') > 0) {
      value = unescape_double_quoted(raw.substr(1, raw.rfind('"') - 1));
    } else {
      // An unquoted value ends at " #", which starts a comment.
      const auto comment = raw.find(" #");
      value = trim(raw.substr(0, comment));
    }
    if (interpolate) {
      std::set<std::string, std::less<>> unset;
      auto expanded = substitute(value, environment, unset);
      if (!expanded) {
        diagnostics.error(expanded.error().kind == TemplateError::Kind::too_deep ? rules::interpolation_depth
                                                                                 : rules::interpolation_format,
                          location, std::string(name),
                          expanded.error().kind == TemplateError::Kind::too_deep
                              ? interpolation_too_deep_message()
                              : std::string("invalid interpolation format in the value"));
        continue;
      }
      value = std::move(*expanded);
    }
    if (!already_set.get(name)) environment.set(std::string(name), std::move(value));
  }
}

}  // namespace stackup::compose
