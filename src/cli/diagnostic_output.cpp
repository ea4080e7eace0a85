#include "cli/diagnostic_output.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/ci_reports.hpp"
#include "compose/rules.hpp"

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

void print_github_notice(std::ostream& out, std::string_view title, std::string_view text) {
  out << "::notice title=" << github_escape(title, true) << "::" << github_escape(text, false) << '\n';
}

base::Diagnostics apply_policy(const base::Diagnostics& diagnostics, const RulePolicy& policy) {
  base::Diagnostics kept;
  for (auto d : diagnostics.all()) {
    // Errors stay: a file that does not load is not made valid by ignoring why.
    if (d.severity == base::Severity::warning && d.rule && policy.ignored.contains(d.rule->id)) continue;
    if (policy.warnings_as_errors) d.severity = base::Severity::error;
    kept.add(std::move(d));
  }
  return kept;
}

namespace {

void print_json(std::ostream& out, const base::Diagnostics& diagnostics) {
  auto array = nlohmann::json::array();
  for (const auto& d : diagnostics.all()) {
    array.push_back({{"file", d.location.source ? d.location.source->name : ""},
                     {"line", d.location.line},
                     {"column", d.location.column},
                     {"severity", d.severity == base::Severity::error ? "error" : "warning"},
                     {"rule", d.rule ? d.rule->id : ""},
                     {"path", d.path},
                     {"message", d.message}});
  }
  const int errors = diagnostics.error_count();
  const nlohmann::json report = {{"version", json_format_version},
                                 {"valid", !diagnostics.has_errors()},
                                 {"errors", errors},
                                 {"warnings", static_cast<int>(diagnostics.all().size()) - errors},
                                 {"diagnostics", array}};
  out << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_github(std::ostream& out, const base::Diagnostic& d) {
  out << "::" << (d.severity == base::Severity::error ? "error" : "warning");
  std::vector<std::string> properties;
  if (d.location.source) {
    properties.push_back("file=" + github_escape(d.location.source->name, true));
    if (d.location.line > 0) {
      properties.push_back(fmt::format("line={},col={}", d.location.line, d.location.column));
    }
  }
  if (d.rule) properties.push_back("title=" + github_escape(d.rule->id, true));
  if (!properties.empty()) out << ' ' << fmt::format("{}", fmt::join(properties, ","));
  out << "::" << github_escape(d.path.empty() ? d.message : d.path + ": " + d.message, false) << '\n';
}

base::Diagnostics errors_of(const base::Diagnostics& diagnostics) {
  base::Diagnostics errors;
  for (const auto& d : diagnostics.all()) {
    if (d.severity == base::Severity::error) errors.add(d);
  }
  return errors;
}

}  // namespace

void print_diagnostics(std::ostream& out, const base::Diagnostics& all, const DiagnosticStyle& style) {
  const auto diagnostics = style.errors_only ? errors_of(all) : all;
  switch (style.format) {
    case DiagnosticFormat::json: print_json(out, diagnostics); return;
    case DiagnosticFormat::sarif: print_sarif(out, diagnostics, compose::rules::all(), STACKUP_VERSION); return;
    case DiagnosticFormat::codeclimate: print_codeclimate(out, diagnostics); return;
    case DiagnosticFormat::github:
      for (const auto& d : diagnostics.all()) print_github(out, d);
      return;
    case DiagnosticFormat::text: break;
  }
  for (const auto& d : diagnostics.all()) {
    const auto text = base::render_text(d);
    out << (style.color ? colorize(d, text) : text) << '\n';
  }
}

}  // namespace stackup::cli
