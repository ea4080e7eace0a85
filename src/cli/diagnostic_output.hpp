#pragma once
// How diagnostics are shown: as a compiler does (text), as JSON, as GitHub Actions annotations, or
// as the reports CI systems ingest (ci_reports: SARIF, Code Climate).
#include <iosfwd>
#include <set>
#include <string>
#include <string_view>

#include "base/diagnostic.hpp"

namespace stackup::cli {

enum class DiagnosticFormat { text, json, github, sarif, codeclimate };

// The version of `--format json`'s shape; it changes only when a field changes meaning or goes.
inline constexpr int json_format_version = 1;

struct DiagnosticStyle {
  DiagnosticFormat format = DiagnosticFormat::text;
  bool color = false;
  bool errors_only = false;
};

void print_diagnostics(std::ostream& out, const base::Diagnostics& diagnostics, const DiagnosticStyle& style);

// What the user asked to drop (--ignore RULE: its warnings) or to count as errors (--warnings-as-errors).
struct RulePolicy {
  std::set<std::string, std::less<>> ignored;
  bool warnings_as_errors = false;
};

base::Diagnostics apply_policy(const base::Diagnostics& diagnostics, const RulePolicy& policy);

// `::notice title=TITLE::TEXT`, escaped as GitHub reads it.
void print_github_notice(std::ostream& out, std::string_view title, std::string_view text);

// "2 errors, 1 warning"
std::string count_summary(const base::Diagnostics& diagnostics);

}  // namespace stackup::cli
