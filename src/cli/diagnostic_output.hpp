#pragma once
// How diagnostics are shown: as a compiler does (text), as JSON, or as GitHub Actions annotations.
#include <iosfwd>
#include <string_view>

#include "base/diagnostic.hpp"

namespace stackup::cli {

enum class DiagnosticFormat { text, json, github };

struct DiagnosticStyle {
  DiagnosticFormat format = DiagnosticFormat::text;
  bool color = false;
  bool errors_only = false;
};

void print_diagnostics(std::ostream& out, const base::Diagnostics& diagnostics, const DiagnosticStyle& style);

// "2 errors, 1 warning"
std::string count_summary(const base::Diagnostics& diagnostics);

}  // namespace stackup::cli
