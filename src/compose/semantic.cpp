#include "compose/semantic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <unordered_set>

#include "base/docker_names.hpp"
#include "compose/model.hpp"
#include "compose/path.hpp"
#include "compose/port_syntax.hpp"
#include "compose/rules.hpp"
#include "compose/suggest.hpp"
#include "compose/units.hpp"

namespace stackup::compose {
namespace {

// --- matching document paths such as "services.*.secrets[*]" --------------------------------------

// Refers into the walk's own state: valid only during the check it is passed to.
struct Match {
  const Node& node;
  const std::string& path;
  const std::vector<std::string>& captures;  // what each * stood for
  const base::Location& key_location;        // the key of the matched value, when it is a mapping value
};

// What the rules share: the caller's context, plus the defined names of each section, hashed once
// (a thousand services referring to a thousand secrets must not be a million comparisons).
struct RuleContext : SemanticContext {
  std::map<std::string_view, std::unordered_set<std::string_view>> defined;
  bool override_file = false;  // no service has an image or a build: a fragment of another file
};

using Check = void (*)(const Match&, const RuleContext&);

// A check and the document paths it runs on (the diagnostics' rules, compose/rules.hpp, are named
// at each report).
struct PathCheck {
  std::string_view pattern;
  Check check;
};

std::vector<std::string_view> split_pattern(std::string_view pattern) {
  std::vector<std::string_view> segments;
  while (!pattern.empty()) {
    if (pattern.starts_with("[*]")) {
      segments.push_back("[*]");
      pattern.remove_prefix(3);
    } else {
      const auto end = pattern.find_first_of(".[");
      segments.push_back(pattern.substr(0, end));
      pattern.remove_prefix(end == std::string_view::npos ? pattern.size() : end);
    }
    if (pattern.starts_with('.')) pattern.remove_prefix(1);
  }
  return segments;
}

template <class OnMatch>
void visit(const Node& node, std::span<const std::string_view> segments, const std::string& path,
           std::vector<std::string>& captures, const base::Location& key_location, const OnMatch& on_match) {
  if (segments.empty()) {
    on_match(Match{node, path, captures, key_location});
    return;
  }
  const auto segment = segments.front();
  const auto rest = segments.subspan(1);
  if (segment == "[*]") {
    if (!node.is_sequence()) return;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      captures.push_back(std::to_string(i));
      visit(node.items[i], rest, item_path(path, i), captures, node.items[i].location, on_match);
      captures.pop_back();
    }
    return;
  }
  if (!node.is_mapping()) return;
  if (segment == "*") {
    for (const auto& entry : node.entries) {
      captures.push_back(entry.key);
      visit(entry.value, rest, child_path(path, entry.key), captures, entry.key_location, on_match);
      captures.pop_back();
    }
    return;
  }
  if (const auto* entry = node.find_entry(segment)) {
    visit(entry->value, rest, child_path(path, entry->key), captures, entry->key_location, on_match);
  }
}

// --- helpers ---------------------------------------------------------------------------------------

const Node* section(const SemanticContext& context, std::string_view name) {
  const Node* node = context.document.find(name);
  return node && node->is_mapping() ? node : nullptr;
}

bool defined_in(const RuleContext& context, std::string_view section_name, std::string_view key) {
  const auto it = context.defined.find(section_name);
  return it != context.defined.end() && it->second.contains(key);
}

// The defined name closest to an undefined reference, when it is a likely typo.
std::optional<std::string> closest_defined(const RuleContext& context, std::string_view section_name, std::string_view key) {
  std::vector<std::string> names;
  if (const auto it = context.defined.find(section_name); it != context.defined.end()) {
    names.assign(it->second.begin(), it->second.end());
    std::sort(names.begin(), names.end());  // the set's order is no order: ties go the same way each time
  }
  return closest_match(key, names);
}

// What an undefined reference is told: the closest defined name ("did you mean \"db_password\"?"),
// else where to define it.
std::string undefined_advice(const RuleContext& context, std::string_view section_name, std::string_view key) {
  if (const auto closest = closest_defined(context, section_name, key)) return fmt::format("did you mean \"{}\"?", *closest);
  return fmt::format("define it under the top-level {}: key", section_name);
}

// "; did you mean \"api\"?" when a defined name is a likely typo of `key`, else "".
std::string suggestion_of(const RuleContext& context, std::string_view section_name, std::string_view key) {
  const auto closest = closest_defined(context, section_name, key);
  return closest ? fmt::format("; did you mean \"{}\"?", *closest) : "";
}

void file_problem(const base::Rule& rule, const SemanticContext& context, const Node& at, const std::string& path,
                  std::string message) {
  if (context.strict) {
    context.diagnostics.error(rule, at.location, path, std::move(message));
  } else {
    context.diagnostics.warning(rule, at.location, path, std::move(message) + " (an error with --strict)");
  }
}

bool is_valid_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += '"' + names[i] + '"';
  }
  return out;
}

// --- top-level secrets and configs -----------------------------------------------------------------

constexpr std::size_t max_secret_size = 512000;

// A path inside the project directory as the user would write it; any other path as is.
std::string display_path(const std::string& path, const SemanticContext& context) {
  const auto relative = std::filesystem::path(path).lexically_relative(context.project_directory).string();
  if (relative.empty() || relative.starts_with("..")) return path;
  return "./" + relative;
}

void check_source_file(const Node& file, const std::string& path, const SemanticContext& context) {
  const auto status = context.files.status(file.scalar);
  const auto shown = display_path(file.scalar, context);
  if (!status.exists) {
    file_problem(rules::secret_file_missing, context, file, path, fmt::format("secret file {} does not exist", shown));
  } else if (status.is_directory) {
    file_problem(rules::secret_file_unreadable, context, file, path,
                 fmt::format("secret file {} is a directory, not a file", shown));
  } else if (status.is_special) {
    // A FIFO or a device would block deploy or feed it endless bytes; Docker reads regular files only.
    file_problem(rules::secret_file_unreadable, context, file, path,
                 fmt::format("secret file {} is not a regular file", shown));
  } else if (!status.readable) {
    file_problem(rules::secret_file_unreadable, context, file, path,
                 fmt::format("secret file {} cannot be read", shown));
  } else if (status.size == 0) {
    file_problem(rules::secret_size, context, file, path,
                 fmt::format("secret file {} is empty; a secret holds 1 to 511999 bytes", shown));
  } else if (status.size >= max_secret_size) {
    file_problem(rules::secret_size, context, file, path,
                 fmt::format("secret file {} is {} bytes; a secret must be smaller than 512000 bytes", shown,
                             status.size));
  }
}

// A service's env_file: one marked `required: true` must exist (deploy reads it); one marked
// `required: false` may be missing; any other that is missing is a warning, an error with --strict.
// (Paths are absolute by now: canonical.cpp.)
void check_env_files(const Match& match, const RuleContext& context) {
  auto check = [&](const Node& file, const std::string& path, bool required) {
    if (!file.is_scalar() || context.files.status(file.scalar).exists) return;
    const auto message = fmt::format("env file {} does not exist", display_path(file.scalar, context));
    if (required) {
      context.diagnostics.error(rules::env_file_missing, file.location, path, message + " (required: true)");
    } else {
      file_problem(rules::env_file_missing, context, file, path, message);
    }
  };
  if (match.node.is_scalar()) return check(match.node, match.path, false);
  for (std::size_t i = 0; i < match.node.items.size(); ++i) {
    const Node& item = match.node.items[i];
    const auto path = item_path(match.path, i);
    if (!item.is_mapping()) {
      check(item, path, false);
    } else if (const Node* file = item.find("path")) {
      const Node* required = item.find("required");
      const bool optional = required && resolve_scalar(*required).type == ScalarType::boolean && !resolve_scalar(*required).boolean;
      if (!optional) check(*file, child_path(path, "path"), required != nullptr);
    }
  }
}

// The variable an `environment:` secret or config is read from, checked like a secret file: its value
// is looked at here, never shown.
void check_source_variable(const Node& variable, const std::string& path, const SemanticContext& context,
                           std::string_view kind) {
  const auto value = context.environment.get(variable.scalar);
  if (!value) {
    file_problem(rules::source_variable_unset, context, variable, path,
                 fmt::format("environment variable \"{}\" is not set", variable.scalar));
  } else if (kind != "secret") {
    return;  // a config may be empty or large
  } else if (value->empty()) {
    file_problem(rules::secret_size, context, variable, path,
                 fmt::format("environment variable \"{}\" is empty; a secret holds 1 to 511999 bytes", variable.scalar));
  } else if (value->size() >= max_secret_size) {
    file_problem(rules::secret_size, context, variable, path,
                 fmt::format("environment variable \"{}\" is {} bytes; a secret must be smaller than 512000 bytes",
                             variable.scalar, value->size()));
  }
}

void check_object_name(const Match& match, const SemanticContext& context, std::string_view kind) {
  const auto& key = match.captures.back();
  if (!is_valid_key(key)) {
    context.diagnostics.error(rules::key_format, match.key_location, match.path,
                              fmt::format("invalid {} key \"{}\": use only letters, digits, '.', '_' and '-'", kind, key));
    return;
  }
  const Node* name = match.node.find("name");
  const Node* external = match.node.find("external");
  const bool is_external = external && (resolve_scalar(*external).boolean || external->is_mapping());
  std::string object_name;
  if (name && name->is_scalar()) {
    object_name = name->scalar;
  } else if (is_external) {
    object_name = key;
  } else {
    object_name = context.stack_name + "_" + key;
  }
  // A store secret may be named with a path (developer/db-password: DC/OS's spaces).
  const bool valid = kind == "secret" ? base::is_valid_secret_name(object_name) : base::is_valid_object_name(object_name);
  if (!valid) {
    const bool prefixed = !(name && name->is_scalar()) && !is_external;
    context.diagnostics.error(
        rules::object_name, name ? name->location : match.key_location,
        name ? child_path(match.path, "name") : match.path,
        fmt::format("{} \"{}\": {}{}", prefixed ? "the created name" : "name", object_name,
                    base::invalid_object_name_message,
                    prefixed ? fmt::format(" (the \"{}_\" prefix counts)", context.stack_name) : ""));
  }
}

void check_legacy_external(const Match& match, const SemanticContext& context, std::string_view kind) {
  const Node* external = match.node.find("external");
  if (!external || !external->is_mapping()) return;
  const Node* legacy = external->find("name");
  if (!legacy) return;
  const Node* name = match.node.find("name");
  const auto& key = match.captures.back();
  if (name && name->is_scalar() && name->scalar != legacy->scalar) {
    context.diagnostics.error(
        rules::external_name_conflict, legacy->location, child_path(child_path(match.path, "external"), "name"),
        fmt::format("{} {}: {}.external.name and {}.name conflict; only use {}.name", kind, key, kind, kind, kind));
    return;
  }
  context.diagnostics.warning(
      rules::external_name_deprecated, legacy->location, child_path(child_path(match.path, "external"), "name"),
      fmt::format("external.name is deprecated; write `name: {}` and `external: true`", legacy->scalar));
}

void check_definition(const Match& match, const SemanticContext& context, std::string_view kind,
                      std::initializer_list<std::string_view> value_sources) {
  const Node& definition = match.node;
  if (!definition.is_mapping()) return;
  check_object_name(match, context, kind);
  check_legacy_external(match, context, kind);
  const Node* external = definition.find("external");
  const bool is_external = external && (resolve_scalar(*external).boolean || external->is_mapping());

  std::vector<std::string> sources;
  for (const auto source : value_sources) {
    if (definition.find(source)) sources.emplace_back(source);
  }
  const Node* extension = definition.find(extension_key);
  if (kind == "secret" && extension && extension->is_mapping() && extension->find("command")) {
    sources.emplace_back("x-stackup.command");
  }
  if (is_external) sources.emplace_back("external");
  if (sources.size() > 1) {
    context.diagnostics.error(rules::source_conflict, match.key_location, match.path,
                              fmt::format("{} are mutually exclusive: a {} has exactly one source", quoted_list(sources), kind));
  } else if (sources.empty() && !definition.find("driver")) {
    std::string choices;
    for (const auto source : value_sources) choices += std::string(source) + ", ";
    if (kind == "secret") choices += "x-stackup.command, ";
    context.diagnostics.error(rules::source_required, match.key_location, match.path,
                              fmt::format("a {} needs a source: set one of {}or external", kind, choices));
  }
  if (is_external) {
    for (const auto& entry : definition.entries) {
      if (entry.key != "name" && entry.key != "external" && !entry.key.starts_with("x-")) {
        context.diagnostics.error(rules::external_attributes, entry.key_location, child_path(match.path, entry.key),
                                  fmt::format("an external {} takes no attribute but \"name\"; remove \"{}\"", kind, entry.key));
      }
    }
    return;
  }
  if (sources.size() != 1) return;
  if (const Node* file = definition.find("file"); file && file->is_scalar() && kind == "secret") {
    check_source_file(*file, child_path(match.path, "file"), context);
  }
  if (const Node* variable = definition.find("environment"); variable && variable->is_scalar()) {
    check_source_variable(*variable, child_path(match.path, "environment"), context, kind);
  }
}

// `x-stackup:` on a secret: {command: a list of strings (or one string, split as a shell would, but
// never run by one), timeout: a duration}.
void check_secret_extension(const Match& match, const RuleContext& context) {
  const Node* extension = match.node.find(extension_key);
  if (!extension) return;
  const auto path = child_path(match.path, extension_key);
  if (!extension->is_mapping()) {
    context.diagnostics.error(rules::extension_format, extension->location, path,
                              "x-stackup takes a mapping: {command: [...], timeout: 30s}");
    return;
  }
  for (const auto& entry : extension->entries) {
    const auto field = child_path(path, entry.key);
    if (entry.key == "command") {
      const auto& command = entry.value;
      const bool words = command.is_sequence() && !command.items.empty() &&
                         std::all_of(command.items.begin(), command.items.end(), [](const Node& n) { return n.is_scalar(); });
      const bool line = command.is_scalar() && !command.scalar.empty();
      if (!words && !line) {
        context.diagnostics.error(rules::extension_format, command.location, field,
                                  "command is the program and its arguments, run without a shell: a list such as "
                                  "[pass, show, db] (or one string, split into words)");
      }
    } else if (entry.key == "timeout") {
      const auto timeout = entry.value.is_scalar() ? parse_duration(entry.value.scalar) : std::nullopt;
      if (!timeout || timeout->count() <= 0) {
        context.diagnostics.error(rules::extension_format, entry.value.location, field,
                                  fmt::format("timeout: {}", duration_forms));
      }
    } else {
      context.diagnostics.error(rules::extension_unknown_key, entry.key_location, field,
                                fmt::format("unknown key \"{}\" in x-stackup: a secret's x-stackup takes command "
                                            "and timeout",
                                            entry.key));
    }
  }
}

// `x-stackup:` on a service: {change_mode: restart|signal|noop, change_signal: SIGHUP}, how its
// containers take a new version of a secret.
void check_service_extension(const Match& match, const RuleContext& context) {
  constexpr std::string_view usage = "x-stackup takes a mapping: {change_mode: restart|signal|noop, change_signal: SIGHUP}";
  if (!match.node.is_mapping()) {
    context.diagnostics.error(rules::extension_format, match.node.location, match.path, std::string(usage));
    return;
  }
  for (const auto& entry : match.node.entries) {
    const auto field = child_path(match.path, entry.key);
    const auto& value = entry.value;
    if (entry.key == "change_mode") {
      if (!value.is_scalar() || (value.scalar != "restart" && value.scalar != "signal" && value.scalar != "noop")) {
        context.diagnostics.error(rules::extension_format, value.location, field,
                                  fmt::format("change_mode is restart (recreate the containers), signal (put the new "
                                              "file in place and signal the main process) or noop (put it in place); "
                                              "not \"{}\"",
                                              value.scalar));
      }
    } else if (entry.key == "change_signal") {
      const auto signal = value.is_scalar() ? parse_signal(value.scalar) : std::nullopt;
      if (!signal) {
        context.diagnostics.error(rules::extension_format, value.location, field,
                                  fmt::format("\"{}\" is not a signal; {}", value.scalar, signal_forms));
      } else if (*signal == "SIGKILL" || *signal == "SIGSTOP") {
        context.diagnostics.error(rules::change_signal_uncatchable, value.location, field,
                                  fmt::format("{} cannot be caught: it would {} the container at each rotation; use the "
                                              "signal the program rereads its secrets on, or change_mode: restart",
                                              *signal, *signal == "SIGKILL" ? "end" : "freeze"));
      } else if (text_of(match.node.find("change_mode")) != "signal") {
        context.diagnostics.error(rules::change_signal_unused, entry.key_location, field,
                                  "change_signal is sent only with change_mode: signal; set change_mode: signal, or "
                                  "remove change_signal");
      }
    } else {
      context.diagnostics.error(rules::extension_unknown_key, entry.key_location, field,
                                fmt::format("unknown key \"{}\" in x-stackup: a service's x-stackup takes change_mode "
                                            "and change_signal",
                                            entry.key));
    }
  }
}

void check_secret_definition(const Match& match, const RuleContext& context) {
  check_definition(match, context, "secret", {"file", "environment"});
  check_secret_extension(match, context);
}

void check_config_definition(const Match& match, const RuleContext& context) {
  check_definition(match, context, "config", {"file", "environment", "content"});
}

// An external network or volume is made elsewhere: how to make it (driver, driver_opts, ...) is not
// this file's to say, as for secrets and configs.
void check_network_or_volume(const Match& match, const RuleContext& context) {
  if (!match.node.is_mapping()) return;
  const auto kind = match.path.starts_with("networks") ? "network" : "volume";
  check_legacy_external(match, context, kind);
  const Node* external = match.node.find("external");
  if (!external || !(resolve_scalar(*external).boolean || external->is_mapping())) return;
  for (const auto& entry : match.node.entries) {
    if (entry.key == "name" || entry.key == "external" || entry.key.starts_with("x-")) continue;
    context.diagnostics.error(rules::external_attributes, entry.key_location, child_path(match.path, entry.key),
                              fmt::format("an external {} takes no attribute but \"name\"; remove \"{}\"", kind, entry.key));
  }
}

// network_mode gives the service another's network stack (host, none, service:NAME, container:ID):
// networks: would then name networks it cannot join.
void check_network_mode(const Match& match, const RuleContext& context) {
  const Node* mode = match.node.is_mapping() ? match.node.find("network_mode") : nullptr;
  if (!mode || !mode->is_scalar()) return;
  const auto path = child_path(match.path, "network_mode");
  if (match.node.find("networks")) {
    context.diagnostics.error(rules::network_mode_conflict, mode->location, path,
                              "network_mode and networks cannot both be set: a service with network_mode joins no "
                              "network of its own; remove one of them");
  }
  constexpr std::string_view prefix = "service:";
  if (mode->scalar.starts_with(prefix)) {
    const auto other = mode->scalar.substr(prefix.size());
    if (!defined_in(context, "services", other)) {
      context.diagnostics.error(rules::network_mode_undefined, mode->location, path,
                                fmt::format("network_mode refers to undefined service \"{}\"{}", other,
                                            suggestion_of(context, "services", other)));
    }
  }
}

// ipc: and pid: service:NAME share another service's namespace, and volumes_from: NAME[:ro|rw] its
// volumes: each names a service of the project, as network_mode does (container:NAME names a container).
void check_service_references(const Match& match, const RuleContext& context) {
  if (!match.node.is_mapping()) return;
  const auto report = [&](const Node& value, const std::string& path, std::string_view field, std::string_view other) {
    if (defined_in(context, "services", other)) return;
    context.diagnostics.error(rules::service_reference_undefined, value.location, path,
                              fmt::format("{} refers to undefined service \"{}\"{}", field, other,
                                          suggestion_of(context, "services", other)));
  };
  constexpr std::string_view prefix = "service:";
  for (const std::string_view field : {"ipc", "pid"}) {
    const Node* value = match.node.find(field);
    if (value && value->is_scalar() && value->scalar.starts_with(prefix)) {
      report(*value, child_path(match.path, field), field, std::string_view(value->scalar).substr(prefix.size()));
    }
  }
  const Node* volumes_from = match.node.find("volumes_from");
  if (!volumes_from || !volumes_from->is_sequence()) return;
  for (std::size_t i = 0; i < volumes_from->items.size(); ++i) {
    const Node& item = volumes_from->items[i];
    if (!item.is_scalar() || item.scalar.starts_with("container:")) continue;
    const std::string_view text = item.scalar;
    report(item, item_path(child_path(match.path, "volumes_from"), i), "volumes_from", text.substr(0, text.find(':')));
  }
}

// Counts that cannot be negative (the schema takes them as integers or strings).
void check_not_negative(const Match& match, const RuleContext& context) {
  if (!match.node.is_scalar()) return;
  const auto& text = match.node.scalar;
  if (!text.empty() && text.front() == '-' && text.find_first_not_of("0123456789", 1) == std::string::npos && text.size() > 1) {
    context.diagnostics.error(rules::negative_count, match.node.location, match.path,
                              fmt::format("{} must not be negative", match.path.substr(match.path.rfind('.') + 1)));
  }
}

// --- labels -----------------------------------------------------------------------------------------

// Deploy and down find stackup's objects by these labels and act on what they say: a service that
// set com.stackup.secrets-directory: /etc would have `stackup down` wipe /etc.
constexpr std::string_view stackup_label_prefix = "com.stackup.";
constexpr std::string_view stack_namespace_label = "com.docker.stack.namespace";
constexpr std::string_view reserved_labels[] = {stack_namespace_label, "com.docker.compose.project",
                                                "com.docker.compose.service", "com.docker.compose.container-number"};

bool is_reserved_label(std::string_view key) {
  return key.starts_with(stackup_label_prefix) ||
         std::find(std::begin(reserved_labels), std::end(reserved_labels), key) != std::end(reserved_labels);
}

// A secret's labels go to the store, where only the stack's namespace label means something to
// stackup: `down --secrets` removes the secrets that carry it.
bool is_reserved_secret_label(std::string_view key) { return key == stack_namespace_label; }

struct LabelKey {
  std::string_view key;
  const base::Location& location;
};

// The keys as written: a mapping's keys, or what comes before '=' in each `- key=value` item.
std::vector<LabelKey> label_keys(const Node& labels) {
  std::vector<LabelKey> keys;
  if (labels.is_mapping()) {
    for (const auto& entry : labels.entries) keys.push_back({entry.key, entry.key_location});
  } else if (labels.is_sequence()) {
    for (const auto& item : labels.items) {
      if (item.is_scalar()) keys.push_back({std::string_view(item.scalar).substr(0, item.scalar.find('=')), item.location});
    }
  }
  return keys;
}

void refuse_labels(const Match& match, const RuleContext& context, bool (*reserved)(std::string_view)) {
  for (const auto& [key, location] : label_keys(match.node)) {
    if (!reserved(key)) continue;
    context.diagnostics.error(rules::label_reserved, location, match.path,
                              fmt::format("label {} is reserved: stackup sets it to find and manage its own objects; "
                                          "remove it",
                                          key));
  }
}

void check_labels(const Match& match, const RuleContext& context) { refuse_labels(match, context, is_reserved_label); }

void check_secret_labels(const Match& match, const RuleContext& context) {
  refuse_labels(match, context, is_reserved_secret_label);
}

// --- services ---------------------------------------------------------------------------------------

// No service names an image or a build: a file meant to go on top of another one.
bool is_override(const Node& document) {
  const Node* services = document.find("services");
  if (!services || !services->is_mapping()) return true;
  return std::none_of(services->entries.begin(), services->entries.end(), [](const Entry& entry) {
    return entry.value.is_mapping() && (entry.value.find("image") || entry.value.find("build"));
  });
}

void check_service(const Match& match, const RuleContext& context) {
  const auto& name = match.captures.front();
  if (!is_valid_key(name)) {
    context.diagnostics.error(rules::key_format, match.key_location, match.path,
                              fmt::format("invalid service name \"{}\": use only letters, digits, '.', '_' and '-'", name));
  }
  const Node& service = match.node;
  // A service keeps `extends:` only when it could not be resolved, which is reported already.
  if (service.is_mapping() && (service.find("image") || service.find("build") || service.find("extends"))) return;
  // In a file where other services have an image, the local orchestrator cannot deploy this one:
  // an error, as deploy would say. An override file gets one hint instead (hint_override_file).
  if (context.override_file) return;
  if (context.orchestrator == Orchestrator::local) {
    context.diagnostics.error(rules::image_missing, match.key_location, match.path,
                              fmt::format("service \"{}\" has no image; stackup deploy does not build images: build "
                                          "one and set image: NAME",
                                          name));
    return;
  }
  context.diagnostics.warning(rules::image_missing, match.key_location, match.path,
                              fmt::format("service \"{}\" has neither an image nor a build context specified; it "
                                          "cannot be deployed without one",
                                          name));
}

// An override file rarely repeats the image: one hint for the whole file, not one warning per
// service, since a fragment is checked with its base.
void hint_override_file(const RuleContext& context) {
  const Entry* services = context.document.find_entry("services");
  if (!context.override_file || !services || !services->value.is_mapping()) return;
  // A service that keeps `extends:` has a base that failed to resolve, which is reported already.
  const auto lacks_image = [](const Entry& entry) { return !entry.value.is_mapping() || !entry.value.find("extends"); };
  if (std::none_of(services->value.entries.begin(), services->value.entries.end(), lacks_image)) return;
  const auto file = services->key_location.source ? services->key_location.source->name : std::string("FILE");
  context.diagnostics.warning(rules::override_file, services->key_location, "services",
                              fmt::format("no service has an image or a build: if this is an override file, "
                                          "validate it with the file it overrides: -c BASE -c {}",
                                          file));
}

bool is_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Docker's range for a secret's uid and gid: 2^32-1 is (uid_t)-1, which chown takes as "leave it".
constexpr std::uint64_t max_id = 4294967294;

bool is_id_in_range(std::string_view digits) {
  std::uint64_t id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  return error == std::errc{} && end == digits.data() + digits.size() && id <= max_id;
}

// After this check deploy can parse every uid and gid: decimal digits, within range.
void check_id(const Node& item, const std::string& path, std::string_view field, const SemanticContext& context) {
  const Node* value = item.find(field);
  if (!value || !value->is_scalar()) return;
  if (!is_number(value->scalar)) {
    context.diagnostics.error(rules::uid_gid_value, value->location, child_path(path, field),
                              fmt::format("{} must be a number, got \"{}\"", field, value->scalar));
  } else if (!is_id_in_range(value->scalar)) {
    context.diagnostics.error(rules::uid_gid_value, value->location, child_path(path, field),
                              fmt::format("{} {} is out of range; use a number from 0 to {}", field, value->scalar, max_id));
  }
}

void check_mode(const Node& item, const std::string& path, const SemanticContext& context) {
  const Node* mode = item.find("mode");
  if (!mode || !mode->is_scalar()) return;
  const auto field_path = child_path(path, "mode");
  std::int64_t value = 0;
  bool octal = false;
  if (mode->style == ScalarStyle::plain) {
    const auto resolved = resolve_scalar(*mode);
    if (resolved.type != ScalarType::integer) {
      context.diagnostics.error(rules::mode_format, mode->location, field_path,
                                fmt::format("mode must be an octal file mode such as 0440, got \"{}\"", mode->scalar));
      return;
    }
    value = resolved.integer;
    octal = resolved.octal;
  } else {
    // compose-go reads a quoted mode as octal: "0440", "440" and "0o440" alike.
    std::string_view text = mode->scalar;
    if (text.starts_with("0o")) text.remove_prefix(2);
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
    if (!digits || text.size() > 5) {
      context.diagnostics.error(rules::mode_format, mode->location, field_path,
                                fmt::format("mode must be an octal file mode such as 0440, got \"{}\"", mode->scalar));
      return;
    }
    value = std::stoll(std::string(text), nullptr, 8);
    octal = true;
  }
  if (value < 0 || value > 0777) {
    context.diagnostics.error(rules::mode_format, mode->location, field_path,
                              fmt::format("mode {} is out of range; use a file mode from 0000 to 0777", mode->scalar));
    return;
  }
  // `mode: 440` is the classic mistake: YAML reads it as decimal 440, which is 0670.
  const bool looks_octal = std::all_of(mode->scalar.begin(), mode->scalar.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal && value >= 8 && looks_octal) {
    context.diagnostics.warning(rules::mode_decimal, mode->location, field_path,
                                fmt::format("mode {} is decimal, which is 0{:o} in octal; write 0{} if you meant octal",
                                            mode->scalar, value, mode->scalar));
  }
}

void check_target(const Node& item, const std::string& path, const SemanticContext& context) {
  const Node* target = item.find("target");
  if (!target || !target->is_scalar()) return;
  const auto field_path = child_path(path, "target");
  const std::string& text = target->scalar;
  if (text.empty()) {
    context.diagnostics.error(rules::target_path, target->location, field_path, "target must not be empty");
  } else if (text.ends_with('/')) {
    context.diagnostics.error(rules::target_path, target->location, field_path,
                              fmt::format("target \"{}\" names a directory; give the path of a file", text));
  } else if (text == ".." || text.starts_with("../") || text.ends_with("/..") || text.find("/../") != std::string::npos) {
    context.diagnostics.error(rules::target_path, target->location, field_path,
                              fmt::format("target \"{}\" must not contain \"..\"", text));
  }
}

void check_file_reference(const Match& match, const RuleContext& context, std::string_view kind,
                          std::string_view section_name, const base::Rule& undefined_rule) {
  const Node& item = match.node;
  if (!item.is_mapping()) return;
  const auto& service = match.captures.front();
  const Node* source = item.find("source");
  if (!source) {
    context.diagnostics.error(rules::schema_required_key, item.location, match.path, "missing required key \"source\"");
  } else if (source->is_scalar() && !defined_in(context, section_name, source->scalar)) {
    context.diagnostics.error(undefined_rule, source->location, child_path(match.path, "source"),
                              fmt::format("service \"{}\" refers to undefined {} {}; {}", service, kind, source->scalar,
                                          undefined_advice(context, section_name, source->scalar)));
  }
  check_id(item, match.path, "uid", context);
  check_id(item, match.path, "gid", context);
  check_mode(item, match.path, context);
  check_target(item, match.path, context);
}

void check_service_secret(const Match& match, const RuleContext& context) {
  check_file_reference(match, context, "secret", "secrets", rules::secret_undefined);
}

void check_service_config(const Match& match, const RuleContext& context) {
  check_file_reference(match, context, "config", "configs", rules::config_undefined);
}

void check_duplicate_targets(const Match& match, const RuleContext& context) {
  if (!match.node.is_sequence()) return;
  std::map<std::string, std::string> seen;  // mount path -> source
  for (std::size_t i = 0; i < match.node.items.size(); ++i) {
    const Node& item = match.node.items[i];
    const Node* source = item.find("source");
    const Node* target = item.find("target");
    if (!source || !target || !source->is_scalar() || !target->is_scalar()) continue;
    FileReference reference;
    reference.source = source->scalar;
    reference.target = target->scalar;
    const auto [it, inserted] = seen.emplace(reference.mount_path(), source->scalar);
    if (!inserted) {
      const auto kind = match.path.ends_with("configs") ? "config" : "secret";
      context.diagnostics.error(rules::target_conflict, target->location,
                                child_path(item_path(match.path, i), "target"),
                                fmt::format("{} references '{}' and '{}' have a conflicting target: '{}'", kind,
                                            it->second, source->scalar, it->first));
    }
  }
}

std::vector<std::pair<std::string, const Node*>> named_references(const Node& node) {
  std::vector<std::pair<std::string, const Node*>> out;
  if (node.is_sequence()) {
    for (const auto& item : node.items) {
      if (item.is_scalar()) out.emplace_back(item.scalar, &item);
    }
  } else if (node.is_mapping()) {
    for (const auto& entry : node.entries) out.emplace_back(entry.key, &entry.value);
  }
  return out;
}

base::Location reference_location(const Node& container, const std::string& name, const Node* value) {
  if (const auto* entry = container.find_entry(name)) return entry->key_location;
  return value->location;
}

void check_service_networks(const Match& match, const RuleContext& context) {
  for (const auto& [name, value] : named_references(match.node)) {
    if (name == "default" || defined_in(context, "networks", name)) continue;
    context.diagnostics.error(rules::network_undefined, reference_location(match.node, name, value),
                              child_path(match.path, name),
                              fmt::format("service \"{}\" refers to undefined network {}; {}", match.captures.front(),
                                          name, undefined_advice(context, "networks", name)));
  }
}

void check_service_volume(const Match& match, const RuleContext& context) {
  std::string source;
  const Node* at = &match.node;
  if (match.node.is_scalar()) {
    const auto colon = match.node.scalar.find(':');
    if (colon == std::string::npos) return;  // an anonymous volume
    source = match.node.scalar.substr(0, colon);
  } else if (match.node.is_mapping()) {
    const Node* type = match.node.find("type");
    const Node* node = match.node.find("source");
    if (!type || type->scalar != "volume" || !node || !node->is_scalar()) return;
    source = node->scalar;
    at = node;
  }
  if (source.empty() || source.starts_with('/') || source.starts_with('.') || source.starts_with('~') ||
      source.starts_with('$')) {
    return;  // a host path
  }
  if (!defined_in(context, "volumes", source)) {
    context.diagnostics.error(rules::volume_undefined, at->location, match.path,
                              fmt::format("service \"{}\" refers to undefined volume {}; {}", match.captures.front(), source,
                                          undefined_advice(context, "volumes", source)));
  }
}

void check_bind_source(const Match& match, const RuleContext& context) {
  if (!match.node.is_mapping() || text_of(match.node.find("type")) != "bind" || match.node.find("source")) return;
  context.diagnostics.error(rules::bind_source, match.node.location, match.path,
                            "a bind mount needs a source: the host path to mount (source: ./data)");
}

void check_port(const Match& match, const RuleContext& context) {
  if (match.node.is_scalar()) {
    if (auto problem = short_port_problem(match.node.scalar)) {
      context.diagnostics.error(rules::port_format, match.node.location, match.path, std::move(*problem));
    }
    return;
  }
  if (!match.node.is_mapping()) return;
  for (const auto& [field, container] : {std::pair{"target", true}, std::pair{"published", false}}) {
    const Node* value = match.node.find(field);
    if (!value || !value->is_scalar()) continue;
    if (auto problem = port_range_problem(value->scalar, container)) {
      context.diagnostics.error(rules::port_format, value->location, child_path(match.path, field), std::move(*problem));
    }
  }
  if (const Node* ip = match.node.find("host_ip"); ip && ip->is_scalar()) {
    if (auto problem = host_ip_problem(ip->scalar)) {
      context.diagnostics.error(rules::port_format, ip->location, child_path(match.path, "host_ip"), std::move(*problem));
    }
  }
  if (const Node* protocol = match.node.find("protocol"); protocol && protocol->is_scalar()) {
    if (auto problem = protocol_problem(protocol->scalar)) {
      context.diagnostics.error(rules::port_format, protocol->location, child_path(match.path, "protocol"),
                                std::move(*problem));
    }
  }
}

// A GPU or other device request (deploy.resources.reservations.devices), as the Engine takes it.
void check_device_request(const Match& match, const RuleContext& context) {
  if (!match.node.is_mapping()) return;
  if (match.node.find("count") && match.node.find("device_ids")) {
    context.diagnostics.error(rules::device_request, match.node.find("device_ids")->location,
                              child_path(match.path, "device_ids"),
                              "count and device_ids are mutually exclusive: ask for a number of devices or for "
                              "these devices");
  }
  if (!match.node.find("capabilities")) {
    context.diagnostics.error(rules::device_request, match.node.location, match.path,
                              "a device request needs capabilities, such as capabilities: [gpu]");
  }
  // The Engine takes a number of devices, or -1 for all of them, which compose writes "all".
  if (const Node* count = match.node.find("count"); count && count->is_scalar()) {
    std::string_view digits = count->scalar;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
    const bool number = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
    std::string lower = count->scalar;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto& text = count->scalar;
    if (!number && lower != "all") {
      context.diagnostics.error(rules::device_request, count->location, child_path(match.path, "count"),
                                fmt::format("invalid count \"{}\": write a number of devices, or all", text));
    }
  }
}

// develop.watch: what `docker compose watch` does when files change.
void check_watch(const Match& match, const RuleContext& context) {
  if (!match.node.is_mapping()) return;
  for (const char* key : {"path", "action"}) {
    if (!match.node.find(key)) {
      context.diagnostics.error(rules::schema_required_key, match.node.location, match.path,
                                fmt::format("missing required key \"{}\"", key));
    }
  }
  const auto action = text_of(match.node.find("action"));
  constexpr std::string_view actions[] = {"rebuild", "sync", "restart", "sync+restart", "sync+exec"};
  if (const Node* node = match.node.find("action");
      node && std::find(std::begin(actions), std::end(actions), action) == std::end(actions)) {
    context.diagnostics.error(rules::schema_enum, node->location, child_path(match.path, "action"),
                              fmt::format("\"{}\" is not allowed here; use one of: {}", action, fmt::join(actions, ", ")));
  }
  if (action.starts_with("sync") && !match.node.find("target")) {
    context.diagnostics.error(rules::watch_target, match.node.location, match.path,
                              fmt::format("action {} needs a target: the path in the container to copy the files to",
                                          action));
  }
}

void check_dependencies(const Match& match, const RuleContext& context) {
  for (const auto& [name, value] : named_references(match.node)) {
    if (defined_in(context, "services", name)) continue;
    context.diagnostics.error(rules::depends_on_undefined, reference_location(match.node, name, value),
                              child_path(match.path, name),
                              fmt::format("service \"{}\" depends on undefined service \"{}\"{}",
                                          match.captures.front(), name, suggestion_of(context, "services", name)));
  }
}

// A cycle is reported once, at the depends_on of the first service on it.
void check_dependency_cycles(const SemanticContext& context) {
  const Node* services = section(context, "services");
  if (!services) return;
  std::map<std::string, std::vector<std::string>> edges;
  for (const auto& entry : services->entries) {
    if (const Node* depends = entry.value.find("depends_on")) {
      for (const auto& [name, value] : named_references(*depends)) edges[entry.key].push_back(name);
    }
  }
  enum class Mark { none, active, done };
  std::map<std::string, Mark> marks;
  std::vector<std::string> stack;
  std::function<bool(const std::string&)> walk = [&](const std::string& service) {
    marks[service] = Mark::active;
    stack.push_back(service);
    for (const auto& next : edges[service]) {
      if (marks[next] == Mark::active) {
        std::string chain;
        for (auto it = std::find(stack.begin(), stack.end(), next); it != stack.end(); ++it) chain += *it + " -> ";
        chain += next;
        const auto& first = *services->find_entry(next);
        const auto* depends = first.value.find_entry("depends_on");
        context.diagnostics.error(rules::depends_on_cycle, depends ? depends->key_location : first.key_location,
                                  child_path(child_path("services", next), "depends_on"),
                                  fmt::format("dependency cycle detected: {}", chain));
        return true;
      }
      if (marks[next] == Mark::none && edges.contains(next) && walk(next)) return true;
    }
    stack.pop_back();
    marks[service] = Mark::done;
    return false;
  };
  for (const auto& entry : services->entries) {
    if (marks[entry.key] == Mark::none && walk(entry.key)) return;
  }
}

// --- values with a syntax of their own: parsed by units.hpp, as binding will ---------------------

void refuse_value(const base::Rule& rule, const Match& match, const RuleContext& context, std::string_view kind,
                  std::string_view forms) {
  context.diagnostics.error(rule, match.node.location, match.path,
                            fmt::format("\"{}\" is not {}; {}", match.node.scalar, kind, forms));
}

// `environment: ["DEBUG = true"]` sets a variable named "DEBUG " (with its space), which no
// program looks up: refused, as compose-go does, with the spelling that was meant. (Lists are
// mappings by now: canonical.cpp.)
void check_environment(const Match& match, const RuleContext& context) {
  if (!match.node.is_mapping()) return;
  constexpr std::string_view blanks = " \t";
  for (const auto& entry : match.node.entries) {
    const std::string_view name = entry.key;
    const auto first = name.find_first_not_of(blanks);
    const auto last = name.find_last_not_of(blanks);
    if (first == std::string_view::npos || (first == 0 && last == name.size() - 1)) continue;
    std::string_view value = entry.value.is_scalar() ? std::string_view(entry.value.scalar) : std::string_view();
    value.remove_prefix(std::min(value.size(), value.find_first_not_of(blanks)));
    context.diagnostics.error(rules::environment_name_spaces, entry.key_location, child_path(match.path, entry.key),
                              fmt::format("environment variable name \"{}\" has spaces around it; write {}={}", name,
                                          name.substr(first, last - first + 1), value));
  }
}

void check_duration(const Match& match, const RuleContext& context) {
  // A bare number is the schema's to report: durations are strings there.
  if (match.node.is_scalar() && resolve_scalar(match.node).type == ScalarType::string && !parse_duration(match.node.scalar)) {
    refuse_value(rules::duration_format, match, context, "a duration", duration_forms);
  }
}

void check_bytes(const Match& match, const RuleContext& context) {
  if (match.node.is_scalar() && !match.node.is_null() && !parse_bytes(match.node.scalar)) {
    refuse_value(rules::size_format, match, context, "a size", bytes_forms);
  }
}

void check_cpus(const Match& match, const RuleContext& context) {
  if (match.node.is_scalar() && !match.node.is_null() && !parse_nano_cpus(match.node.scalar)) {
    refuse_value(rules::cpus_format, match, context, "a number of CPUs", cpus_forms);
  }
}

void check_restart(const Match& match, const RuleContext& context) {
  if (match.node.is_scalar() && !match.node.is_null() && !parse_restart(match.node.scalar)) {
    refuse_value(rules::restart_format, match, context, "a restart policy", restart_forms);
  }
}

constexpr PathCheck path_checks[] = {
    {"services.*.stop_grace_period", check_duration},
    {"services.*.healthcheck.interval", check_duration},
    {"services.*.healthcheck.timeout", check_duration},
    {"services.*.healthcheck.start_period", check_duration},
    {"services.*.healthcheck.start_interval", check_duration},
    {"services.*.deploy.restart_policy.delay", check_duration},
    {"services.*.deploy.restart_policy.window", check_duration},
    {"services.*.deploy.update_config.delay", check_duration},
    {"services.*.deploy.update_config.monitor", check_duration},
    {"services.*.deploy.rollback_config.delay", check_duration},
    {"services.*.deploy.rollback_config.monitor", check_duration},
    {"services.*.deploy.resources.limits.memory", check_bytes},
    {"services.*.deploy.resources.reservations.memory", check_bytes},
    {"services.*.deploy.resources.limits.cpus", check_cpus},
    {"services.*.deploy.resources.reservations.cpus", check_cpus},
    {"services.*.restart", check_restart},
    {"services.*.environment", check_environment},
    {"services.*.env_file", check_env_files},
    {"secrets.*", check_secret_definition},
    {"configs.*", check_config_definition},
    {"networks.*", check_network_or_volume},
    {"volumes.*", check_network_or_volume},
    {"services.*", check_service},
    {"services.*.x-stackup", check_service_extension},
    {"services.*", check_network_mode},
    {"services.*", check_service_references},
    {"services.*.scale", check_not_negative},
    {"services.*.deploy.replicas", check_not_negative},
    {"services.*.volumes[*].tmpfs.size", check_not_negative},
    {"services.*.secrets[*]", check_service_secret},
    {"services.*.configs[*]", check_service_config},
    {"services.*.secrets", check_duplicate_targets},
    {"services.*.configs", check_duplicate_targets},
    {"services.*.networks", check_service_networks},
    {"services.*.volumes[*]", check_service_volume},
    {"services.*.volumes[*]", check_bind_source},
    {"services.*.ports[*]", check_port},
    {"services.*.deploy.resources.reservations.devices[*]", check_device_request},
    {"services.*.develop.watch[*]", check_watch},
    {"services.*.depends_on", check_dependencies},
    {"services.*.labels", check_labels},
    {"services.*.deploy.labels", check_labels},
    {"networks.*.labels", check_labels},
    {"volumes.*.labels", check_labels},
    {"secrets.*.labels", check_secret_labels},
};

}  // namespace

void check_semantics(const SemanticContext& semantic_context) {
  RuleContext context{semantic_context, {}, is_override(semantic_context.document)};
  hint_override_file(context);
  for (const char* name : {"services", "secrets", "configs", "networks", "volumes"}) {
    auto& names = context.defined[name];
    if (const Node* node = section(context, name)) {
      for (const auto& entry : node->entries) names.insert(entry.key);
    }
  }
  for (const auto& rule : path_checks) {
    const auto segments = split_pattern(rule.pattern);
    std::vector<std::string> captures;
    visit(context.document, segments, "", captures, context.document.location,
          [&](const Match& match) { rule.check(match, context); });
  }
  check_dependency_cycles(context);
}

}  // namespace stackup::compose
