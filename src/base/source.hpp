#pragma once
// A loaded text file and positions inside it. Positions are 1-based everywhere in stackup;
// the YAML parser's 0-based marks are converted in exactly one place (compose/yaml_parse.cpp).
#include <memory>
#include <string>
#include <string_view>

namespace stackup::base {

struct SourceFile {
  std::string name;  // as the user named it (shown in messages)
  std::string text;

  // The text of 1-based line `line`, without its line break; empty when out of range.
  [[nodiscard]] std::string_view line_text(int line) const;
};

struct Location {
  std::shared_ptr<const SourceFile> source;  // null: not tied to a file (command line, environment)
  int line = 0;
  int column = 0;

  [[nodiscard]] bool known() const { return source != nullptr && line > 0; }
};

}  // namespace stackup::base
