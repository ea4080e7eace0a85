#include "cli/listing.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ostream>

#include "cli/table.hpp"

namespace stackup::cli {
namespace {

using Row = nlohmann::ordered_json;

// One piece of a template: literal text, or an action ({{.Field}}, {{json .Field}}, {{json .}}).
struct Piece {
  std::string text;   // literal text; for an action, the field ("" for the whole item)
  bool action = false;
  bool json = false;
};

// Docker's templates take \t and \n written out, as a shell passes them.
std::string unescape(std::string_view format) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '\\' && i + 1 < format.size() && (format[i + 1] == 't' || format[i + 1] == 'n')) {
      out += format[++i] == 't' ? '\t' : '\n';
    } else {
      out += format[i];
    }
  }
  return out;
}

base::Result<Piece> parse_action(std::string_view inside) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  inside = trim(inside);
  Piece piece{"", true, false};
  if (inside.starts_with("json ")) {
    piece.json = true;
    inside = trim(inside.substr(5));
  }
  const bool field = inside.size() > 1 && inside.front() == '.' && inside.find_first_of(". ", 1) == std::string_view::npos;
  if (inside != "." && !field) {
    return base::fail(fmt::format("template: {{{{{}}}}} is not supported: use {{{{.Field}}}}, {{{{json .Field}}}} or "
                                  "{{{{json .}}}}",
                                  inside));
  }
  piece.text = std::string(inside.substr(1));
  return piece;
}

base::Result<std::vector<Piece>> parse_template(const std::string& format) {
  std::vector<Piece> pieces;
  std::size_t at = 0;
  while (at < format.size()) {
    const auto open = format.find("{{", at);
    if (open == std::string::npos) {
      pieces.push_back({format.substr(at)});
      break;
    }
    if (open > at) pieces.push_back({format.substr(at, open - at)});
    const auto close = format.find("}}", open + 2);
    if (close == std::string::npos) return base::fail("template: an action is not closed with }}");
    auto piece = parse_action(std::string_view(format).substr(open + 2, close - open - 2));
    if (!piece) return std::unexpected(piece.error());
    pieces.push_back(std::move(*piece));
    at = close + 2;
  }
  return pieces;
}

// Invalid UTF-8 (in a label, say) is shown replaced, never an exception.
std::string dump(const Row& value) { return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace); }

std::string text_of(const Row& value, bool json) {
  if (json) return dump(value);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return dump(value);
}

base::Result<std::string> render(const std::vector<Piece>& pieces, const Row& row) {
  std::string out;
  for (const auto& piece : pieces) {
    if (!piece.action) {
      out += piece.text;
    } else if (piece.text.empty()) {
      out += dump(row);
    } else if (const auto it = row.find(piece.text); it != row.end()) {
      out += text_of(*it, piece.json);
    } else {
      std::vector<std::string> fields;
      for (const auto& [key, value] : row.items()) fields.push_back("." + key);
      return base::fail(fmt::format("template: no field .{}; the fields are {}", piece.text, fmt::join(fields, ", ")));
    }
  }
  return out;
}

// A template's table heading: each field's name in capitals, as docker prints them.
std::string heading_of(const std::vector<Piece>& pieces) {
  std::string out;
  for (const auto& piece : pieces) {
    if (!piece.action) {
      out += piece.text;
      continue;
    }
    std::string name = piece.text.empty() ? "ITEM" : piece.text;
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += name;
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  for (auto tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
    cells.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  cells.push_back(line.substr(start));
  return cells;
}

}  // namespace

std::string check_format(const std::string& format) {
  if (format == "table" || format == "json" || format.find("{{") != std::string::npos) return "";
  return fmt::format("\"{}\" is not a format: use table, json or a Go template such as '{{{{.Name}}}}'", format);
}

void add_format_option(CLI::App& command, std::string& format) {
  command.add_option("--format", format, format_help)->check(check_format)->default_str("table")->type_name("FORMAT");
}

base::Result<void> print_listing(std::ostream& out, const std::string& format, const Listing& listing) {
  if (format == "table") {
    print_table(out, listing.headings, listing.cells);
    return {};
  }
  if (format == "json") {
    for (const auto& row : listing.rows) out << dump(row) << '\n';
    return {};
  }
  const bool table = format.starts_with("table ");
  auto pieces = parse_template(unescape(table ? format.substr(6) : format));
  if (!pieces) return std::unexpected(pieces.error());
  std::vector<std::string> lines;
  for (const auto& row : listing.rows) {
    auto line = render(*pieces, row);
    if (!line) return std::unexpected(line.error());
    lines.push_back(std::move(*line));
  }
  if (!table) {
    for (const auto& line : lines) out << line << '\n';
    return {};
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& line : lines) cells.push_back(split_tabs(line));
  print_table(out, split_tabs(heading_of(*pieces)), cells);
  return {};
}

}  // namespace stackup::cli
