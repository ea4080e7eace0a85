#include "base/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace stackup::base {

void Diagnostics::error(const Rule& rule, Location location, std::string path, std::string message) {
  add({Severity::error, std::move(location), std::move(path), std::move(message), &rule});
}

void Diagnostics::warning(const Rule& rule, Location location, std::string path, std::string message) {
  add({Severity::warning, std::move(location), std::move(path), std::move(message), &rule});
}

void Diagnostics::add(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::error) ++error_count_;
  items_.push_back(std::move(diagnostic));
}

void Diagnostics::append(const Diagnostics& other) {
  for (const auto& item : other.items_) add(item);
}

namespace {
auto sort_key(const Diagnostic& d) {
  const std::string& file = d.location.source ? d.location.source->name : d.path;
  return std::tie(file, d.location.line, d.location.column);
}
bool same(const Diagnostic& a, const Diagnostic& b) {
  return a.severity == b.severity && a.location.source == b.location.source &&
         a.location.line == b.location.line && a.location.column == b.location.column &&
         a.path == b.path && a.message == b.message && a.rule == b.rule;
}
}  // namespace

void Diagnostics::sort_and_deduplicate() {
  std::stable_sort(items_.begin(), items_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return sort_key(a) < sort_key(b); });
  items_.erase(std::unique(items_.begin(), items_.end(), same), items_.end());
  error_count_ = static_cast<int>(std::count_if(
      items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::string headline(const Diagnostic& d) {
  std::string out;
  if (d.location.source) {
    out += d.location.source->name;
    if (d.location.line > 0) {
      out += ':' + std::to_string(d.location.line) + ':' + std::to_string(d.location.column);
    }
    out += ": ";
  }
  out += d.severity == Severity::error ? "error: " : "warning: ";
  if (!d.path.empty()) out += d.path + ": ";
  out += d.message;
  return out;
}

namespace {
// The source line as a terminal can show it: a NUL or an escape sequence in a file is shown as '?',
// one column each, so the caret still lines up and the file cannot drive the terminal.
void append_printable(std::string& out, std::string_view line) {
  for (const char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 && c != '\t') || byte == 0x7F ? '?' : c;
  }
}
}  // namespace

std::string headline_with_rule(const Diagnostic& d) {
  std::string out = headline(d);
  if (d.rule) {
    out += " [";
    out += d.rule->id;
    out += ']';
  }
  return out;
}

std::string render_text(const Diagnostic& d) {
  std::string out = headline_with_rule(d);
  if (!d.location.known()) return out;
  const auto line = d.location.source->line_text(d.location.line);
  if (line.empty()) return out;
  out += "\n  ";
  append_printable(out, line);
  out += "\n  ";
  // Keep tabs so the caret lines up under tab-indented text.
  for (int i = 0; i + 1 < d.location.column && i < static_cast<int>(line.size()); ++i) {
    out += line[static_cast<std::size_t>(i)] == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

}  // namespace stackup::base
