#include "deploy/swarm_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "deploy/container_config.hpp"
#include "deploy/swarm_spec.hpp"

namespace stackup::deploy {
namespace {

using engine::Json;
using engine::ObjectKind;

std::string label_of(const std::string& stack) { return fmt::format("{}={}", namespace_label, stack); }

std::string_view word_of(ObjectKind kind) { return kind == ObjectKind::secret ? "secret" : "config"; }

bool of_stack(const engine::Labels& labels, const std::string& stack) {
  return engine::label_value(labels, namespace_label) == stack;
}

// The Swarm secret stackup pushed from the store for this name and version, if the swarm has it.
const engine::SwarmObject* pushed_version(const SwarmState& state, const std::string& store_name, int version) {
  for (const auto& [name, object] : state.secrets) {
    if (engine::label_value(object.labels, store_secret_label) == store_name &&
        engine::label_value(object.labels, store_version_label) == std::to_string(version)) {
      return &object;
    }
  }
  return nullptr;
}

// An external secret: the swarm's own by that name as it is; else the store's current version,
// pushed under the secret's own name the first time and as name-vN once a version is rotated in.
// Never labelled with a stack: down leaves it, and other stacks may use it.
base::Result<ObjectStep> external_secret_object(ObjectStep step, const SecretInput& input, const SwarmState& state) {
  if (input.in_store) {
    if (const auto* pushed = pushed_version(state, input.name, input.version())) {
      step.name = pushed->name;
      step.reason = fmt::format("external, version {}, unchanged", input.version());
      return step;
    }
  }
  step.name = swarm_safe_name(input.name);
  const auto it = state.secrets.find(step.name);
  if (it != state.secrets.end() && (!input.in_store || !it->second.labels.contains(std::string(store_secret_label)))) {
    step.reason = "external, in the swarm";
    return step;
  }
  if (!input.in_store) {
    return base::fail(fmt::format("external secret {} is in neither the swarm nor stackup's store; create it: "
                                  "stackup secret create {} FILE",
                                  input.name, input.name));
  }
  if (it != state.secrets.end()) step.name = swarm_object_name(input.name, fmt::format("v{}", input.version()));
  step.labels = {{std::string(store_secret_label), input.name}, {std::string(store_version_label), std::to_string(input.version())}};
  step.create = true;
  step.reason = fmt::format("external, version {} pushed from the store", input.version());
  return step;
}

// The Swarm object that holds a secret's value: one per store version (name-vN), an external one
// (above), or one a secret driver fills.
base::Result<ObjectStep> secret_object(const std::string& key, const SecretInput& input, const compose::SecretDefinition& definition,
                                       const SwarmState& state, const std::string& stack) {
  ObjectStep step{ObjectKind::secret, key, swarm_safe_name(input.name), false, "", {}, input.driver, definition.template_driver};
  if (input.external) return external_secret_object(std::move(step), input, state);
  if (!input.driver.empty()) {
    step.create = !state.secrets.contains(step.name);
    step.reason = step.create ? "driver " + input.driver : "driver secret, in the swarm";
    step.labels = {{std::string(namespace_label), stack}, {std::string(store_secret_label), input.name}};
    return step;
  }
  step.name = swarm_object_name(input.name, fmt::format("v{}", input.version()));
  step.labels = {{std::string(namespace_label), stack},
                 {std::string(store_secret_label), input.name},
                 {std::string(store_version_label), std::to_string(input.version())}};
  step.create = !state.secrets.contains(step.name);
  step.reason = step.create ? fmt::format("version {}", input.version()) : "unchanged";
  return step;
}

base::Result<ObjectStep> config_object(const std::string& key, const ConfigInput& input, const compose::SecretDefinition& definition,
                                       const SwarmState& state, const std::string& stack) {
  ObjectStep step{ObjectKind::config, key, definition.object_name(stack), false, "", {}, "", definition.template_driver};
  if (input.external) {
    if (!state.configs.contains(step.name)) {
      return base::fail(fmt::format("external config {} is not in the swarm; create it: docker config create {} FILE",
                                    step.name, step.name));
    }
    step.reason = "external, in the swarm";
    return step;
  }
  // A keyed digest of the content names the version: a changed content is a new config.
  const auto suffix = input.fingerprint.empty() ? std::string("new") : input.fingerprint.substr(0, 12);
  step.name = swarm_object_name(step.name, suffix);
  step.labels[std::string(namespace_label)] = stack;
  step.create = !state.configs.contains(step.name);
  step.reason = step.create ? "content changed or new" : "unchanged";
  return step;
}

ServiceSpecInputs spec_inputs(const Inputs& inputs, const compose::Service& service,
                              const std::map<std::string, std::string>& secret_names,
                              const std::map<std::string, std::string>& config_names) {
  ServiceSpecInputs spec{{}, {}, &inputs.environment, &inputs.env_files.at(service.name)};
  for (const auto& reference : service.secrets) {
    spec.secrets.push_back({secret_names.at(reference.source), &reference, reference.mount_path()});
  }
  for (const auto& reference : service.configs) {
    spec.configs.push_back({config_names.at(reference.source), &reference, config_mount_path(reference)});
  }
  return spec;
}

// Why a service is updated: the first object it gets anew, else its configuration.
std::string why_update(const Json& wanted, const engine::ServiceSummary& existing, const SwarmPlan& plan) {
  const auto held = referenced_objects(existing.spec);
  for (const auto& name : referenced_objects(wanted)) {
    if (std::find(held.begin(), held.end(), name) != held.end()) continue;
    for (const auto& object : plan.objects) {
      if (object.name == name) return fmt::format("{} {}", word_of(object.kind), name);
    }
  }
  return "configuration changed";
}

ServiceStep service_step(const Json& spec, const SwarmState& state, const SwarmPlan& plan) {
  ServiceStep step{ServiceStep::Kind::create, spec.value("Name", ""), "new service", spec, std::nullopt};
  const auto it = state.services.find(step.name);
  if (it == state.services.end()) return step;
  step.existing = it->second;
  const auto hash = spec["Labels"].value(std::string(hash_label), "");
  const auto existing_hash = it->second.spec.value("Labels", Json::object()).value(std::string(hash_label), "");
  if (hash == existing_hash) {
    step.kind = ServiceStep::Kind::keep;
    step.reason = "unchanged";
  } else {
    step.kind = ServiceStep::Kind::update;
    step.reason = why_update(spec, it->second, plan);
    const auto labels = it->second.spec.value("Labels", Json::object());
    step.new_tasks = labels.value(std::string(task_hash_label), "") != spec["Labels"].value(std::string(task_hash_label), "");
  }
  return step;
}

std::vector<std::string> networks_to_create(const compose::Project& project, const std::string& stack, const SwarmState& state) {
  std::set<std::string> names;
  for (const auto& service : project.services) {
    for (const auto& network : service.networks) {
      const auto it = project.networks.find(network.key);
      if (it != project.networks.end() && it->second.external) continue;
      if (const auto name = network_name(project, stack, network.key); !state.networks.contains(name)) names.insert(name);
    }
  }
  return {names.begin(), names.end()};
}

// The stack's objects that neither a wanted service nor a service left in place refers to.
void find_obsolete(SwarmPlan& plan, const SwarmState& state) {
  std::set<std::string> used;
  for (const auto& step : plan.services) {
    for (auto& name : referenced_objects(step.spec)) used.insert(std::move(name));
  }
  for (const auto& [name, service] : state.services) {
    const bool planned = std::any_of(plan.services.begin(), plan.services.end(), [&](const auto& s) { return s.name == name; });
    const bool removed = std::any_of(plan.removals.begin(), plan.removals.end(), [&](const auto& s) { return s.name == name; });
    if (planned || removed) continue;
    for (auto& object : referenced_objects(service.spec)) used.insert(std::move(object));
  }
  // The stack's own objects, and the earlier versions stackup pushed of the external secrets it uses
  // (no stack's label: other stacks may use them, so only when none does).
  std::set<std::string> externals;
  for (const auto& object : plan.objects) {
    if (object.kind == ObjectKind::secret && !of_stack(object.labels, plan.stack)) externals.insert(object.key);
  }
  for (const auto& [kind, objects] : {std::pair{ObjectKind::secret, &state.secrets}, std::pair{ObjectKind::config, &state.configs}}) {
    for (const auto& [name, object] : *objects) {
      if (used.contains(name) || state.used_by_other_stacks.contains(name)) continue;
      const auto pushed_from = engine::label_value(object.labels, store_secret_label);
      const bool earlier_external = kind == ObjectKind::secret && !pushed_from.empty() &&
                                    engine::label_value(object.labels, namespace_label).empty() &&
                                    std::any_of(plan.objects.begin(), plan.objects.end(), [&](const ObjectStep& step) {
                                      return step.kind == ObjectKind::secret && externals.contains(step.key) &&
                                             engine::label_value(step.labels, store_secret_label) == pushed_from;
                                    });
      if (of_stack(object.labels, plan.stack) || earlier_external) plan.obsolete.emplace_back(kind, object);
    }
  }
}

struct Row {
  std::string type, name, action, reason;
};

std::string_view kind_name(ServiceStep::Kind kind) {
  switch (kind) {
    case ServiceStep::Kind::create: return "create";
    case ServiceStep::Kind::update: return "update";
    case ServiceStep::Kind::remove: return "remove";
    default: return "keep";
  }
}

std::vector<Row> rows_of(const SwarmPlan& plan) {
  std::vector<Row> rows;
  for (const auto& secret : plan.secrets) {
    rows.push_back({"secret", secret.name, fmt::format("version {}", secret.version), std::string(secret_reason(secret.kind))});
  }
  for (const auto& object : plan.objects) {
    rows.push_back({fmt::format("swarm {}", word_of(object.kind)), object.name, object.create ? "create" : "keep", object.reason});
  }
  for (const auto& network : plan.networks) rows.push_back({"network", network, "create", "overlay"});
  for (const auto& step : plan.services) rows.push_back({"service", step.name, std::string(kind_name(step.kind)), step.reason});
  for (const auto& step : plan.removals) rows.push_back({"service", step.name, "remove", step.reason});
  for (const auto& [kind, object] : plan.obsolete) {
    rows.push_back({fmt::format("swarm {}", word_of(kind)), object.name, "remove", "no service uses it"});
  }
  return rows;
}

}  // namespace

base::Result<SwarmState> observe_swarm(engine::Engine& engine, engine::Swarm& swarm, const std::string& stack) {
  SwarmState state;
  auto services = swarm.list_services("");  // every service, to know what the others use
  if (!services) return std::unexpected(services.error());
  for (auto& service : *services) {
    const auto labels = service.spec.value("Labels", Json::object());
    if (labels.value(std::string(namespace_label), "") == stack) {
      state.services[service.name] = std::move(service);
    } else {
      for (auto& object : referenced_objects(service.spec)) state.used_by_other_stacks.insert(std::move(object));
    }
  }
  for (const auto& [kind, objects] : {std::pair{ObjectKind::secret, &state.secrets}, std::pair{ObjectKind::config, &state.configs}}) {
    auto listed = swarm.list_objects(kind, "");
    if (!listed) return std::unexpected(listed.error());
    for (auto& object : *listed) (*objects)[object.name] = std::move(object);
  }
  auto networks = engine.list_networks(label_of(stack));
  if (!networks) return std::unexpected(networks.error());
  for (auto& network : *networks) {
    if (network.driver == "overlay") state.networks[network.name] = std::move(network);  // a local stack's are bridges
  }
  return state;
}

bool SwarmPlan::changes_nothing() const {
  return std::all_of(secrets.begin(), secrets.end(),
                     [](const SecretStep& s) { return s.kind == SecretStep::Kind::keep || s.kind == SecretStep::Kind::external; }) &&
         std::none_of(objects.begin(), objects.end(), [](const ObjectStep& o) { return o.create; }) && networks.empty() &&
         std::all_of(services.begin(), services.end(), [](const ServiceStep& s) { return s.kind == ServiceStep::Kind::keep; }) &&
         removals.empty() && obsolete.empty();
}

base::Result<SwarmPlan> make_swarm_plan(const Inputs& inputs, const SwarmState& state, bool prune) {
  SwarmPlan plan;
  plan.stack = inputs.stack;
  plan.stack_was_empty = state.services.empty();
  std::map<std::string, std::string> secret_names;
  std::map<std::string, std::string> config_names;
  for (const auto& [key, input] : inputs.secrets) {
    if (input.in_store) plan.secrets.push_back({secret_kind(input), key, input.name, input.version()});
    auto object = secret_object(key, input, inputs.project.secrets.at(key), state, inputs.stack);
    if (!object) return std::unexpected(object.error());
    secret_names[key] = object->name;
    plan.objects.push_back(std::move(*object));
  }
  for (const auto& [key, input] : inputs.configs) {
    auto object = config_object(key, input, inputs.project.configs.at(key), state, inputs.stack);
    if (!object) return std::unexpected(object.error());
    config_names[key] = object->name;
    plan.objects.push_back(std::move(*object));
  }
  plan.networks = networks_to_create(inputs.project, inputs.stack, state);
  for (const auto& service : inputs.project.services) {
    const auto spec = service_spec(inputs.project, service, inputs.stack, spec_inputs(inputs, service, secret_names, config_names));
    plan.services.push_back(service_step(spec, state, plan));
  }
  for (const auto& [name, service] : state.services) {
    const bool wanted = std::any_of(plan.services.begin(), plan.services.end(), [&](const auto& s) { return s.name == name; });
    if (!wanted && prune) plan.removals.push_back({ServiceStep::Kind::remove, name, "not in the file (--prune)", {}, service});
  }
  find_obsolete(plan, state);
  return plan;
}

std::vector<std::string> describe(const SwarmPlan& plan) {
  std::vector<std::string> lines;
  for (const auto& row : rows_of(plan)) {
    lines.push_back(fmt::format("{} {}: {}{}", row.type, row.name, row.action, row.reason.empty() ? "" : " (" + row.reason + ")"));
  }
  return lines;
}

Json to_json(const SwarmPlan& plan) {
  Json actions = Json::array();
  for (const auto& row : rows_of(plan)) {
    actions.push_back({{"type", row.type}, {"name", row.name}, {"action", row.action}, {"reason", row.reason}});
  }
  return {{"stack", plan.stack}, {"orchestrator", "swarm"}, {"changes", !plan.changes_nothing()}, {"actions", std::move(actions)}};
}

SwarmDownPlan make_swarm_down_plan(const SwarmState& state, const std::string& stack, const std::vector<std::string>& stack_secrets) {
  SwarmDownPlan plan{stack, {}, {}, {}, stack_secrets};
  for (const auto& [name, service] : state.services) plan.services.push_back(service);
  for (const auto& [name, network] : state.networks) plan.networks.push_back(network);
  for (const auto& [kind, objects] : {std::pair{ObjectKind::secret, &state.secrets}, std::pair{ObjectKind::config, &state.configs}}) {
    for (const auto& [name, object] : *objects) {
      if (of_stack(object.labels, stack)) plan.objects.emplace_back(kind, object);
    }
  }
  return plan;
}

std::vector<std::string> describe(const SwarmDownPlan& plan) {
  std::vector<std::string> lines;
  for (const auto& service : plan.services) lines.push_back(fmt::format("service {}: remove", service.name));
  for (const auto& network : plan.networks) lines.push_back(fmt::format("network {}: remove", network.name));
  for (const auto& [kind, object] : plan.objects) lines.push_back(fmt::format("swarm {} {}: remove", word_of(kind), object.name));
  for (const auto& secret : plan.stack_secrets) lines.push_back(fmt::format("secret {}: remove from the store (--secrets)", secret));
  return lines;
}

}  // namespace stackup::deploy
