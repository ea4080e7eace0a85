#pragma once
// --format for the commands that list things, as docker's: `table` (aligned columns, the default),
// `json` (one JSON object per line), or a Go template over the JSON's fields: `{{.Name}}`,
// `{{json .Labels}}`, and `table {{.Name}}\t{{.ID}}` for a table of those columns.
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace stackup::cli {

struct Listing {
  std::vector<nlohmann::ordered_json> rows;      // each item's fields, as --format json prints them
  std::vector<std::string> headings;             // the default table's
  std::vector<std::vector<std::string>> cells;   // and its rows
};

// For the option's check: "" when `format` is table, json or a template; else what to use.
std::string check_format(const std::string& format);
inline constexpr const char* format_help = "Output format: table, json (one object per line) or a Go template ('{{.Name}}')";

// --format FORMAT on a listing command, checked with check_format.
void add_format_option(CLI::App& command, std::string& format);

// A template that names a field the items lack is an error naming the fields they have.
base::Result<void> print_listing(std::ostream& out, const std::string& format, const Listing& listing);

}  // namespace stackup::cli
