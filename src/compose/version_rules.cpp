#include "compose/version_rules.hpp"

#include <fmt/format.h>

#include <charconv>

#include "compose/path.hpp"
#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

bool parse_int(std::string_view text, int& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size() && !text.empty();
}

struct FieldRule {
  std::string_view field;
  int major;
  int minor;
};

constexpr FieldRule secret_field_rules[] = {
    {"name", 3, 5}, {"driver", 3, 8}, {"driver_opts", 3, 8}, {"template_driver", 3, 8}};

std::string too_old(const FormatVersion& version, std::string_view what, int major, int minor) {
  return fmt::format("compose file format {}.{} or later is needed for {}, but the file declares version \"{}\"", major,
                     minor, what, version.text);
}

void check_extension_keys(const Node& mapping, const std::string& path, const FormatVersion& version,
                          base::Diagnostics& diagnostics) {
  if (version.at_least(3, 7)) return;
  for (const auto& entry : mapping.entries) {
    if (entry.key.starts_with("x-")) {
      diagnostics.error(rules::version_feature, entry.key_location, child_path(path, entry.key),
                        too_old(version, "an x- extension key here", 3, 7));
    }
  }
}

}  // namespace

FormatVersion read_format_version(const Node& root, base::Diagnostics& diagnostics) {
  FormatVersion version;
  const auto* entry = root.is_mapping() ? root.find_entry("version") : nullptr;
  if (entry == nullptr || !entry->value.is_scalar()) return version;
  version.declared = true;
  version.text = entry->value.scalar;
  version.location = entry->value.location;
  const std::string_view text = version.text;
  const auto dot = text.find('.');
  int major = 0;
  int minor = 0;
  const bool ok = parse_int(text.substr(0, dot), major) && (dot == std::string_view::npos || parse_int(text.substr(dot + 1), minor));
  if (!ok) {
    diagnostics.error(rules::version_format, version.location, "version",
                      fmt::format("unsupported compose file format version \"{}\"; use \"3.x\" or leave version out", text));
    return FormatVersion{};
  }
  version.major = major;
  version.minor = dot == std::string_view::npos && major == 3 ? 99 : minor;
  if (major > 3) version.minor = 99;
  return version;
}

void check_version_rules(const Node& root, const FormatVersion& version, base::Diagnostics& diagnostics) {
  if (!root.is_mapping() || !version.declared) return;
  if (const auto* secrets = root.find_entry("secrets"); secrets && !version.at_least(3, 1)) {
    diagnostics.error(rules::version_feature, secrets->key_location, "secrets",
                      too_old(version, "top-level secrets", 3, 1));
  }
  if (const auto* secrets = root.find("secrets"); secrets && secrets->is_mapping()) {
    for (const auto& secret : secrets->entries) {
      if (!secret.value.is_mapping()) continue;
      const auto path = child_path("secrets", secret.key);
      for (const auto& rule : secret_field_rules) {
        const auto* field = secret.value.find_entry(rule.field);
        if (field && !version.at_least(rule.major, rule.minor)) {
          diagnostics.error(rules::version_feature, field->key_location, child_path(path, rule.field),
                            too_old(version, fmt::format("\"{}\"", rule.field), rule.major, rule.minor));
        }
      }
      if (const auto* field = secret.value.find_entry("environment")) {
        diagnostics.error(rules::version_feature, field->key_location, child_path(path, "environment"),
                          fmt::format("the environment source is a compose-spec feature, not part of compose file "
                                      "format {}; remove `version: \"{}\"` to use the compose-spec",
                                      version.text, version.text));
      }
      check_extension_keys(secret.value, path, version, diagnostics);
    }
  }
  if (const auto* services = root.find("services"); services && services->is_mapping()) {
    for (const auto& service : services->entries) {
      if (!service.value.is_mapping()) continue;
      const auto path = child_path("services", service.key);
      if (const auto* secrets = service.value.find_entry("secrets"); secrets && !version.at_least(3, 1)) {
        diagnostics.error(rules::version_feature, secrets->key_location, child_path(path, "secrets"),
                          too_old(version, "service secrets", 3, 1));
      }
      check_extension_keys(service.value, path, version, diagnostics);
    }
  }
}

}  // namespace stackup::compose
