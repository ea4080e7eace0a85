#include "base/source.hpp"

namespace stackup::base {

std::string_view SourceFile::line_text(int line) const {
  if (line < 1) return {};
  std::string_view rest = text;
  for (int current = 1; current < line; ++current) {
    const auto newline = rest.find('\n');
    if (newline == std::string_view::npos) return {};
    rest.remove_prefix(newline + 1);
  }
  auto line_view = rest.substr(0, rest.find('\n'));
  if (!line_view.empty() && line_view.back() == '\r') line_view.remove_suffix(1);
  return line_view;
}

}  // namespace stackup::base
