#include "compose/orchestrator_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>

#include "compose/bind_service.hpp"
#include "compose/path.hpp"
#include "compose/rules.hpp"

namespace stackup::compose {
namespace {

// What each orchestrator runs of a service and of its deploy: (resources: by sub-key); the rest is
// named in a warning.
struct Honoured {
  std::string_view orchestrator_name;
  std::set<std::string, std::less<>> service, deploy, resources;
};

const Honoured& honoured_by(Orchestrator orchestrator) {
  static const Honoured local{
      "local",
      {"image", "command", "entrypoint", "environment", "env_file", "user", "working_dir", "labels", "ports", "expose",
       "volumes", "tmpfs", "networks", "depends_on", "restart", "healthcheck", "hostname", "read_only", "init",
       "stop_signal", "stop_grace_period", "deploy", "secrets", "configs", "build", "profiles",
       "extends"},  // extends: is resolved by the loader; it is left only where that failed, reported
      {"replicas", "resources", "labels"},  // deploy.labels: for permission labels (access_rules.hpp)
      {"limits"}};
  static const Honoured swarm{
      "swarm",
      {"image", "command", "entrypoint", "environment", "env_file", "user", "working_dir", "labels", "ports", "volumes",
       "tmpfs", "networks", "restart", "healthcheck", "hostname", "read_only", "init", "stop_signal",
       "stop_grace_period", "deploy", "secrets", "configs", "build", "profiles", "extends"},
      {"replicas", "mode", "labels", "placement", "resources", "restart_policy", "update_config", "rollback_config",
       "endpoint_mode"},
      {"limits", "reservations"}};
  return orchestrator == Orchestrator::swarm ? swarm : local;
}

// A key the schema already refused (a typo such as "enviroment") needs no second word.
bool refused_already(const base::Diagnostics& diagnostics, const base::Location& at) {
  return std::any_of(diagnostics.all().begin(), diagnostics.all().end(), [&](const base::Diagnostic& d) {
    return d.severity == base::Severity::error && d.location.source == at.source && d.location.line == at.line &&
           d.location.column == at.column;
  });
}

void warn_ignored(const Entry& field, const std::string& path, const std::string& name, const Honoured& honoured,
                  base::Diagnostics& diagnostics) {
  if (refused_already(diagnostics, field.key_location)) return;
  diagnostics.warning(rules::orchestrator_ignored, field.key_location, path,
                      fmt::format("\"{}\" is not supported by the {} orchestrator and is ignored", name,
                                  honoured.orchestrator_name));
}

void check_ignored_fields(const Node& service, const std::string& path, const Honoured& honoured,
                          base::Diagnostics& diagnostics) {
  for (const auto& entry : service.entries) {
    if (!honoured.service.contains(entry.key) && !entry.key.starts_with("x-")) {
      warn_ignored(entry, child_path(path, entry.key), entry.key, honoured, diagnostics);
    }
  }
  const Node* extension = service.find(extension_key);
  if (const Node* mode = extension ? extension->find("change_mode") : nullptr;
      mode && honoured.orchestrator_name == "swarm" && text_of(mode) != "restart") {
    diagnostics.warning(rules::orchestrator_ignored, mode->location,
                        child_path(child_path(path, extension_key), "change_mode"),
                        "change_mode is the local orchestrator's: Swarm gives a service a new secret version by a "
                        "rolling update of its tasks");
  }
  const Node* deploy = service.find("deploy");
  if (!deploy || !deploy->is_mapping()) return;
  const auto deploy_path = child_path(path, "deploy");
  for (const auto& entry : deploy->entries) {
    if (entry.key.starts_with("x-")) continue;
    if (!honoured.deploy.contains(entry.key)) {
      warn_ignored(entry, child_path(deploy_path, entry.key), "deploy." + entry.key, honoured, diagnostics);
    } else if (entry.key == "resources" && entry.value.is_mapping()) {
      for (const auto& resource : entry.value.entries) {
        if (honoured.resources.contains(resource.key)) continue;
        warn_ignored(resource, child_path(child_path(deploy_path, "resources"), resource.key),
                     "deploy.resources." + resource.key, honoured, diagnostics);
      }
    }
  }
}

std::int64_t replicas_of(const Node& service) {
  const Node* deploy = service.find("deploy");
  const Node* replicas = deploy ? deploy->find("replicas") : nullptr;
  return replicas && replicas->is_scalar() ? resolve_scalar(*replicas).integer : 1;
}

// Each replica is a container of its own: a fixed host port can be published by one of them only.
void check_fixed_ports(const Node& service, const std::string& path, base::Diagnostics& diagnostics) {
  const auto replicas = replicas_of(service);
  const Node* ports = service.find("ports");
  if (replicas <= 1 || !ports || !ports->is_sequence()) return;
  for (std::size_t i = 0; i < ports->items.size(); ++i) {
    const auto& item = ports->items[i];
    const auto published = item.is_mapping() ? text_of(item.find("published")) : parse_port(item.scalar).published;
    if (published.empty()) continue;
    diagnostics.error(rules::port_replicas, item.location, item_path(child_path(path, "ports"), i),
                      fmt::format("host port {} would be published by each of the {} replicas, and only one can have "
                                  "it; drop the host port (an ephemeral one is chosen) or run one replica",
                                  published, replicas));
  }
}

void check_local_service(const Entry& entry, base::Diagnostics& diagnostics) {
  const auto path = child_path("services", entry.key);
  const Node& service = entry.value;
  if (!service.is_mapping()) return;
  if (const Node* build = service.find("build"); build && !service.find("image")) {
    diagnostics.error(rules::build_unsupported, build->location, child_path(path, "build"),
                      "stackup deploy does not build images: build it first, e.g. docker build -t NAME ., and set "
                      "image: NAME");
  }
  check_fixed_ports(service, path, diagnostics);
  check_ignored_fields(service, path, honoured_by(Orchestrator::local), diagnostics);
}

void check_swarm_service(const Entry& entry, base::Diagnostics& diagnostics) {
  const auto path = child_path("services", entry.key);
  const Node& service = entry.value;
  if (!service.is_mapping()) return;
  // A warning, not an error: a Swarm file is often validated before CI builds and pushes its images;
  // deploy refuses a service without an image.
  if (const Node* build = service.find("build"); build && !service.find("image")) {
    diagnostics.warning(rules::build_unsupported, build->location, child_path(path, "build"),
                        "Swarm does not build images: build and push it first, e.g. docker build -t NAME ., and set "
                        "image: NAME");
  }
  check_ignored_fields(service, path, honoured_by(Orchestrator::swarm), diagnostics);
}

void check_local_definitions(const Node& document, base::Diagnostics& diagnostics) {
  if (const Node* secrets = document.find("secrets"); secrets && secrets->is_mapping()) {
    for (const auto& entry : secrets->entries) {
      for (const char* field : {"driver", "template_driver"}) {
        if (const Node* value = entry.value.find(field)) {
          diagnostics.error(rules::orchestrator_unsupported, value->location,
                            child_path(child_path("secrets", entry.key), field),
                            "driver and template_driver need Docker Swarm; the local orchestrator keeps secrets in "
                            "stackup's store (use file, environment or external)");
        }
      }
    }
  }
  if (const Node* configs = document.find("configs"); configs && configs->is_mapping()) {
    for (const auto& entry : configs->entries) {
      const Node* external = entry.value.find("external");
      if (!external || (external->is_scalar() && !resolve_scalar(*external).boolean)) continue;
      diagnostics.error(rules::orchestrator_unsupported, external->location,
                        child_path(child_path("configs", entry.key), "external"),
                        "external configs live in a Docker Swarm, which the local orchestrator does not read; give it "
                        "a file: instead");
    }
  }
}

}  // namespace

std::optional<Orchestrator> parse_orchestrator(std::string_view name) {
  if (name == "local") return Orchestrator::local;
  if (name == "swarm") return Orchestrator::swarm;
  return std::nullopt;
}

void check_orchestrator_rules(const Node& document, Orchestrator orchestrator, base::Diagnostics& diagnostics) {
  if (orchestrator == Orchestrator::swarm) {
    if (const Node* services = document.find("services"); services && services->is_mapping()) {
      for (const auto& entry : services->entries) check_swarm_service(entry, diagnostics);
    }
    return;
  }
  if (const Node* services = document.find("services"); services && services->is_mapping()) {
    for (const auto& entry : services->entries) check_local_service(entry, diagnostics);
  }
  check_local_definitions(document, diagnostics);
}

}  // namespace stackup::compose
