#pragma once
// Diagnostics as the reports CI systems ingest: SARIF 2.1.0 (GitHub code scanning and most code
// analysis viewers) and Code Climate's JSON issues (GitLab Code Quality).
#include <iosfwd>
#include <span>
#include <string_view>

#include "base/diagnostic.hpp"

namespace stackup::cli {

// Every rule of `catalogue` is listed with its summary and help, so a viewer can explain a rule that
// found nothing this time; results name their rule by ID and index.
void print_sarif(std::ostream& out, const base::Diagnostics& diagnostics, std::span<const base::Rule* const> catalogue,
                 std::string_view tool_version);

void print_codeclimate(std::ostream& out, const base::Diagnostics& diagnostics);

}  // namespace stackup::cli
