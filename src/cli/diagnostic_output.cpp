#include "cli/diagnostic_output.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

namespace stackup::cli {
namespace {

constexpr std::string_view red = "\033[1;31m";
constexpr std::string_view magenta = "\033[1;35m";
constexpr std::string_view green = "\033[1;32m";
constexpr std::string_view bold = "\033[1m";
constexpr std::string_view reset = "\033[0m";

std::string colorize(const base::Diagnostic& diagnostic, std::string text) {
  // Bold location, coloured severity, green caret: the look of gcc and clang.
  const std::string_view severity = diagnostic.severity == base::Severity::error ? "error:" : "warning:";
  const auto at = text.find(severity);
  if (at == std::string::npos) return text;
  const auto color = diagnostic.severity == base::Severity::error ? red : magenta;
  std::string out = fmt::format("{}{}{}{}{}{}", bold, text.substr(0, at), reset, color, severity, reset);
  auto rest = text.substr(at + severity.size());
  const auto caret = rest.rfind('^');
  if (caret != std::string::npos && caret + 1 == rest.size()) {
    rest = fmt::format("{}{}{}", rest.substr(0, caret), green, "^") + std::string(reset);
  }
  return out + rest;
}

// GitHub reads `::error file=F,line=L,col=C::message`; its values must escape %, CR, LF, ':' and ','.
std::string github_escape(std::string_view text, bool property) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string count_summary(const base::Diagnostics& diagnostics) {
  const int errors = diagnostics.error_count();
  const int warnings = static_cast<int>(diagnostics.all().size()) - errors;
  return fmt::format("{} error{}, {} warning{}", errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
}

void print_diagnostics(std::ostream& out, const base::Diagnostics& diagnostics, const DiagnosticStyle& style) {
  if (style.format == DiagnosticFormat::json) {
    auto array = nlohmann::json::array();
    for (const auto& d : diagnostics.all()) {
      if (style.errors_only && d.severity != base::Severity::error) continue;
      array.push_back({{"file", d.location.source ? d.location.source->name : ""},
                       {"line", d.location.line},
                       {"column", d.location.column},
                       {"severity", d.severity == base::Severity::error ? "error" : "warning"},
                       {"path", d.path},
                       {"message", d.message}});
    }
    out << nlohmann::json{{"valid", !diagnostics.has_errors()}, {"diagnostics", array}}.dump(
               2, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
    return;
  }
  for (const auto& d : diagnostics.all()) {
    if (style.errors_only && d.severity != base::Severity::error) continue;
    if (style.format == DiagnosticFormat::github) {
      out << "::" << (d.severity == base::Severity::error ? "error" : "warning");
      if (d.location.source) {
        out << " file=" << github_escape(d.location.source->name, true);
        if (d.location.line > 0) out << ",line=" << d.location.line << ",col=" << d.location.column;
      }
      out << "::" << github_escape(d.path.empty() ? d.message : d.path + ": " + d.message, false) << '\n';
      continue;
    }
    const auto text = base::render_text(d);
    out << (style.color ? colorize(d, text) : text) << '\n';
  }
}

}  // namespace stackup::cli
