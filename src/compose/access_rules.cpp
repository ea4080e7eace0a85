#include "compose/access_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

std::string label_words(const std::optional<std::string>& label, std::string_view whose) {
  return label ? fmt::format("the {} has permission label {}={}", whose, permission_label, *label)
               : fmt::format("the {} has none", whose);
}

}  // namespace

std::optional<std::string> permission_of(const std::map<std::string, std::string>& labels) {
  const auto it = labels.find(std::string(permission_label));
  return it == labels.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::string> permission_of(const Service& service) {
  if (auto label = permission_of(service.labels)) return label;
  return permission_of(service.deployment.labels);
}

std::string space_of_secret(std::string_view name) {
  const auto slash = name.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(name.substr(0, slash));
}

bool is_valid_space(std::string_view space) {
  std::size_t start = 0;
  while (true) {
    const auto end = std::min(space.find('/', start), space.size());
    const auto segment = space.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (const char c : segment) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
    }
    if (end == space.size()) return true;
    start = end + 1;
  }
}

std::optional<std::string> permission_violation(const std::string& service, const std::optional<std::string>& service_label,
                                                const std::string& secret, const std::optional<std::string>& secret_label) {
  if (service_label == secret_label) return std::nullopt;
  const auto fix = secret_label
                       ? fmt::format("give the service the label {}={} (in labels: or deploy.labels:)", permission_label,
                                     *secret_label)
                       : fmt::format("use a secret labelled {}={}, or remove the label from the service", permission_label,
                                     *service_label);
  auto secret_words = label_words(secret_label, "secret");
  if (!secret_label) secret_words = "the secret has no permission label";
  return fmt::format("service \"{}\" may not use secret \"{}\": {}, and {}; a service and a secret must have the same "
                     "permission label (or each none): {}",
                     service, secret, secret_words, label_words(service_label, "service"), fix);
}

std::optional<std::string> space_violation(const std::string& service, const std::string& secret, const std::string& stack,
                                           const std::string& stack_space) {
  const auto space = space_of_secret(secret);
  if (space.empty() || stack_space == space || stack_space.starts_with(space + "/")) return std::nullopt;
  const auto stack_words =
      stack_space.empty() ? std::string("in no space") : fmt::format("in space \"{}\"", stack_space);
  return fmt::format("service \"{}\" may not use secret \"{}\": the secret is in space \"{}\" and stack \"{}\" is {}; "
                     "a secret in a space is usable only by stacks in that space or below it: set {}: {} at the top "
                     "of the file (or --space {})",
                     service, secret, space, stack, stack_words, space_key, space, space);
}

void check_access(const Project& project, base::Diagnostics& diagnostics) {
  for (const auto& service : project.services) {
    const auto service_label = permission_of(service);
    for (std::size_t i = 0; i < service.secrets.size(); ++i) {
      const auto& reference = service.secrets[i];
      const auto definition = project.secrets.find(reference.source);
      if (definition == project.secrets.end()) continue;
      const auto name = definition->second.object_name(project.name);
      const auto path = fmt::format("services.{}.secrets[{}]", service.name, i);
      if (auto violation = space_violation(service.name, name, project.name, project.space)) {
        diagnostics.error(rules::secret_space, reference.location, path, std::move(*violation));
      }
      if (definition->second.source == SecretSource::external) continue;  // its label is in the store
      if (auto violation = permission_violation(service.name, service_label, name, permission_of(definition->second.labels))) {
        diagnostics.error(rules::permission_label, reference.location, path, std::move(*violation));
      }
    }
  }
}

}  // namespace stackup::compose
