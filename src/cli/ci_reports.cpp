#include "cli/ci_reports.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

namespace stackup::cli {
namespace {

using json = nlohmann::json;

constexpr auto dump_options = json::error_handler_t::replace;  // a file's invalid UTF-8 must not throw

std::string_view file_of(const base::Diagnostic& d) {
  return d.location.source ? std::string_view(d.location.source->name) : std::string_view();
}

std::string full_message(const base::Diagnostic& d) { return d.path.empty() ? d.message : d.path + ": " + d.message; }

// A file as CI systems name it: normalized, without a leading ./ (GitLab asks for that).
std::string report_path(std::string_view path) {
  auto normal = std::filesystem::path(path).lexically_normal().string();
  return normal.starts_with("./") ? normal.substr(2) : normal;
}

// A SARIF artifact URI: a relative path stays relative (GitHub resolves it against the checkout), an
// absolute one is a file:// URI; the characters URIs reserve are percent-encoded.
std::string uri_of(std::string_view file) {
  const auto path = report_path(file);
  std::string out = path.starts_with('/') ? "file://" : "";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("-._~/").find(c) != std::string_view::npos;
    out += plain ? std::string(1, c) : fmt::format("%{:02X}", byte);
  }
  return out;
}

json sarif_rule(const base::Rule& rule) {
  return {{"id", rule.id},
          {"shortDescription", {{"text", rule.summary}}},
          {"fullDescription", {{"text", rule.summary}}},
          {"help", {{"text", rule.help}}}};
}

json sarif_result(const base::Diagnostic& d, std::span<const base::Rule* const> catalogue) {
  json result = {{"level", d.severity == base::Severity::error ? "error" : "warning"},
                 {"message", {{"text", full_message(d)}}}};
  if (d.rule) {
    result["ruleId"] = d.rule->id;
    for (std::size_t i = 0; i < catalogue.size(); ++i) {
      if (catalogue[i] == d.rule) result["ruleIndex"] = i;
    }
  }
  if (d.location.source) {
    json physical = {{"artifactLocation", {{"uri", uri_of(file_of(d))}}}};
    if (d.location.line > 0) physical["region"] = {{"startLine", d.location.line}, {"startColumn", d.location.column}};
    result["locations"] = json::array({{{"physicalLocation", physical}}});
  }
  return result;
}

// Code Climate wants a fingerprint that stays the same for the same issue across runs: FNV-1a of
// what identifies it (not its line, which moves when lines are added above it).
std::string fingerprint(const base::Diagnostic& d) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const std::string_view part : {d.rule ? d.rule->id : std::string_view(), file_of(d),
                                      std::string_view(d.path), std::string_view(d.message)}) {
    for (const char c : part) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    hash ^= 0xff;  // separates the parts
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace

void print_sarif(std::ostream& out, const base::Diagnostics& diagnostics, std::span<const base::Rule* const> catalogue,
                 std::string_view tool_version) {
  json rules = json::array();
  for (const auto* rule : catalogue) rules.push_back(sarif_rule(*rule));
  json results = json::array();
  for (const auto& d : diagnostics.all()) {
    if (d.location.source) results.push_back(sarif_result(d, catalogue));  // viewers need a file
  }
  const json driver = {{"name", "stackup"}, {"version", tool_version}, {"rules", rules}};
  const json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                    {"version", "2.1.0"},
                    {"runs", json::array({{{"tool", {{"driver", driver}}}, {"results", results}}})}};
  out << log.dump(2, ' ', false, dump_options) << '\n';
}

void print_codeclimate(std::ostream& out, const base::Diagnostics& diagnostics) {
  json issues = json::array();
  for (const auto& d : diagnostics.all()) {
    if (!d.location.source) continue;  // Code Quality needs a file
    issues.push_back({{"type", "issue"},
                      {"check_name", d.rule ? d.rule->id : "stackup"},
                      {"description", full_message(d)},
                      {"categories", json::array({"Bug Risk"})},
                      {"severity", d.severity == base::Severity::error ? "major" : "minor"},
                      {"fingerprint", fingerprint(d)},
                      {"location", {{"path", report_path(file_of(d))}, {"lines", {{"begin", std::max(d.location.line, 1)}}}}}});
  }
  out << issues.dump(2, ' ', false, dump_options) << '\n';
}

}  // namespace stackup::cli
