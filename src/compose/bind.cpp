#include "compose/bind.hpp"
#include "compose/bind_service.hpp"

#include <charconv>

namespace stackup::compose {
namespace {

bool is_true(const Node* node) { return node && resolve_scalar(*node).boolean; }

std::map<std::string, std::string> labels_of(const Node* node) {
  std::map<std::string, std::string> labels;
  if (!node) return labels;
  const Node mapping = list_or_dict_to_mapping(*node);
  for (const auto& entry : mapping.entries) labels[entry.key] = text_of(&entry.value);
  return labels;
}

std::uint32_t mode_of(const Node* node) {
  if (!node || !node->is_scalar()) return default_secret_mode;
  if (node->style == ScalarStyle::plain) return static_cast<std::uint32_t>(resolve_scalar(*node).integer);
  std::string_view text = node->scalar;
  if (text.starts_with("0o")) text.remove_prefix(2);
  std::uint32_t mode = default_secret_mode;
  std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  return mode;
}

SecretDefinition definition_of(const Entry& entry) {
  const Node& node = entry.value;
  SecretDefinition definition;
  definition.key = entry.key;
  definition.location = entry.key_location;
  definition.name = text_of(node.find("name"));
  definition.labels = labels_of(node.find("labels"));
  definition.driver = text_of(node.find("driver"));
  definition.template_driver = text_of(node.find("template_driver"));
  const Node* external = node.find("external");
  if (external && (is_true(external) || external->is_mapping())) {
    definition.source = SecretSource::external;
    if (definition.name.empty() && external->is_mapping()) definition.name = text_of(external->find("name"));
  } else if (const Node* file = node.find("file")) {
    definition.source = SecretSource::file;
    definition.file = text_of(file);
  } else if (const Node* variable = node.find("environment")) {
    definition.source = SecretSource::environment;
    definition.environment = text_of(variable);
  } else if (const Node* content = node.find("content")) {
    definition.source = SecretSource::file;
    definition.content = text_of(content);
  } else if (const Node* command = node.find(extension_key) ? node.find(extension_key)->find("command") : nullptr) {
    definition.source = SecretSource::command;
    if (command->is_scalar()) {
      definition.command = split_command(command->scalar);
    } else {
      for (const auto& item : command->items) definition.command.push_back(item.scalar);
    }
    if (const Node* timeout = node.find(extension_key)->find("timeout"); timeout && timeout->is_scalar()) {
      definition.command_timeout = parse_duration(timeout->scalar).value_or(definition.command_timeout);
    }
  } else {
    definition.source = SecretSource::driver;
  }
  return definition;
}

std::vector<FileReference> references_of(const Node* list) {
  std::vector<FileReference> references;
  if (!list || !list->is_sequence()) return references;
  for (const auto& item : list->items) {
    FileReference reference;
    reference.location = item.location;
    reference.source = text_of(item.find("source"));
    reference.target = text_of(item.find("target"));
    // Validated already (semantic): an id that does not parse leaves the default, and the project is invalid.
    if (const Node* uid = item.find("uid")) reference.uid = parse_id(text_of(uid)).value_or(0);
    if (const Node* gid = item.find("gid")) reference.gid = parse_id(text_of(gid)).value_or(0);
    reference.mode = mode_of(item.find("mode"));
    references.push_back(std::move(reference));
  }
  return references;
}

DependencyCondition condition_of(std::string_view text) {
  if (text == "service_healthy") return DependencyCondition::healthy;
  if (text == "service_completed_successfully") return DependencyCondition::completed_successfully;
  return DependencyCondition::started;
}

std::vector<Dependency> dependencies_of(const Node* node) {
  std::vector<Dependency> dependencies;
  if (!node) return dependencies;
  const Node mapping = list_or_dict_to_mapping(*node);
  for (const auto& entry : mapping.entries) {
    Dependency dependency{entry.key};
    if (const Node* condition = entry.value.find("condition")) dependency.condition = condition_of(text_of(condition));
    dependency.restart = is_true(entry.value.find("restart"));
    if (const Node* required = entry.value.find("required")) dependency.required = is_true(required);
    dependencies.push_back(std::move(dependency));
  }
  return dependencies;
}

Service service_of(const Entry& entry) {
  const Node& node = entry.value;
  Service service;
  service.name = entry.key;
  service.location = entry.key_location;
  service.image = text_of(node.find("image"));
  service.has_build = node.find("build") != nullptr;
  if (const Node* deploy = node.find("deploy")) {
    if (const Node* replicas = deploy->find("replicas")) {
      const auto resolved = resolve_scalar(*replicas);
      if (resolved.type == ScalarType::integer) service.replicas = static_cast<int>(resolved.integer);
    }
  }
  service.secrets = references_of(node.find("secrets"));
  service.configs = references_of(node.find("configs"));
  service.depends_on = dependencies_of(node.find("depends_on"));
  bind_runtime_fields(node, service);
  return service;
}

NamedResource resource_of(const Entry& entry) {
  NamedResource resource{entry.key, text_of(entry.value.find("name")), false, entry.key_location};
  const Node* external = entry.value.find("external");
  resource.external = external && (is_true(external) || external->is_mapping());
  if (resource.external && resource.name.empty() && external->is_mapping()) resource.name = text_of(external->find("name"));
  return resource;
}

template <class T, class Convert>
void bind_section(const Node& document, std::string_view section, std::map<std::string, T>& out, Convert convert) {
  const Node* node = document.find(section);
  if (!node || !node->is_mapping()) return;
  for (const auto& entry : node->entries) out.emplace(entry.key, convert(entry));
}

}  // namespace

void bind(const Node& document, Project& project) {
  if (const Node* services = document.find("services"); services && services->is_mapping()) {
    for (const auto& entry : services->entries) project.services.push_back(service_of(entry));
  }
  bind_section(document, "secrets", project.secrets, definition_of);
  bind_section(document, "configs", project.configs, definition_of);
  bind_section(document, "networks", project.networks, resource_of);
  bind_section(document, "volumes", project.volumes, resource_of);
}

}  // namespace stackup::compose
