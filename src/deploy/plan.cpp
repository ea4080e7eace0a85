#include "deploy/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "deploy/parallel.hpp"

namespace stackup::deploy {
namespace {

using engine::Json;

std::string label_of(const std::string& stack) { return fmt::format("{}={}", namespace_label, stack); }

// Services in depends_on order: each level only depends on earlier ones (cycles were refused by validation).
std::vector<std::vector<const compose::Service*>> levels_of(const compose::Project& project) {
  std::vector<std::vector<const compose::Service*>> levels;
  std::set<std::string> placed;
  while (placed.size() < project.services.size()) {
    std::vector<const compose::Service*> level;
    for (const auto& service : project.services) {
      if (placed.contains(service.name)) continue;
      const bool ready = std::all_of(service.depends_on.begin(), service.depends_on.end(), [&](const compose::Dependency& d) {
        return placed.contains(d.service) || !project.find_service(d.service);
      });
      if (ready) level.push_back(&service);
    }
    if (level.empty()) break;
    for (const auto* service : level) placed.insert(service->name);
    levels.push_back(std::move(level));
  }
  return levels;
}

ContainerPlan container_for(const Inputs& inputs, const compose::Service& service, int number) {
  std::vector<SecretMount> secrets;
  for (std::size_t i = 0; i < service.secrets.size(); ++i) {
    const auto& reference = service.secrets[i];
    const auto& input = inputs.secrets.at(reference.source);
    secrets.push_back({input.name, input.version(), fmt::format("{}-{}", i, reference.source), reference.mount_path(), "",
                       reference.uid, reference.gid, reference.mode});
  }
  std::vector<SecretMount> configs;
  for (std::size_t i = 0; i < service.configs.size(); ++i) {
    const auto& reference = service.configs[i];
    const auto it = inputs.configs.find(reference.source);
    if (it == inputs.configs.end()) continue;
    configs.push_back({reference.source, 0, fmt::format("config-{}-{}", i, reference.source), config_mount_path(reference),
                       it->second.fingerprint, reference.uid, reference.gid, reference.mode});
  }
  return plan_container(inputs.project, service, inputs.stack, number, std::move(secrets), inputs.environment,
                        inputs.env_files.at(service.name), std::move(configs));
}

}  // namespace

// "a=1,b=2" from the label back into a map.
std::map<std::string, std::string> secret_versions_of(const engine::ContainerSummary& container) {
  std::map<std::string, std::string> versions;
  const auto label = engine::label_value(container.labels, secret_versions_label);
  for (std::size_t start = 0; start < label.size();) {
    const auto end = std::min(label.find(',', start), label.size());
    const auto item = label.substr(start, end - start);
    if (const auto equals = item.rfind('='); equals != std::string::npos) versions[item.substr(0, equals)] = item.substr(equals + 1);
    start = end + 1;
  }
  return versions;
}

std::map<std::string, std::string> held_versions(const engine::ContainerSummary& container, const RecordedVersions& recorded) {
  auto versions = secret_versions_of(container);
  const auto service = engine::label_value(container.labels, "com.docker.compose.service");
  for (auto& [secret, version] : versions) {
    const auto it = recorded.find(secret);
    if (it == recorded.end()) continue;
    if (const auto held = it->second.find(service); held != it->second.end()) version = std::to_string(held->second);
  }
  return versions;
}

namespace {

// A container of a change_mode signal or noop service: the secrets it holds in another version than
// the one wanted.
std::vector<std::size_t> rotations_of(const ContainerPlan& wanted, const std::map<std::string, std::string>& held) {
  std::vector<std::size_t> rotations;
  for (std::size_t i = 0; i < wanted.secrets.size(); ++i) {
    const auto it = held.find(wanted.secrets[i].secret);
    if (it != held.end() && it->second != std::to_string(wanted.secrets[i].version)) rotations.push_back(i);
  }
  return rotations;
}

std::string rotation_reason(const compose::Service& service, const ContainerPlan& wanted, const std::vector<std::size_t>& rotations) {
  std::vector<std::string> secrets;
  for (const auto i : rotations) secrets.push_back(fmt::format("secret {} version {}", wanted.secrets[i].secret, wanted.secrets[i].version));
  const auto how = service.change_mode == compose::ChangeMode::signal ? "signal " + service.change_signal : "no signal";
  return fmt::format("{}; {}", how, fmt::join(secrets, ", "));
}

std::string why_recreate(const ContainerPlan& wanted, const compose::Service& service, const engine::ContainerSummary& existing) {
  if (engine::label_value(existing.labels, hash_label) == wanted.hash) return fmt::format("not running ({})", existing.state);
  if (existing.image != service.image) return fmt::format("image {} instead of {}", service.image, existing.image);
  const auto held = secret_versions_of(existing);
  for (const auto& secret : wanted.secrets) {
    const auto it = held.find(secret.secret);
    if (it != held.end() && it->second != std::to_string(secret.version)) {
      return fmt::format("secret {} version {}", secret.secret, secret.version);
    }
  }
  // A secret the container does not hold at all: a reference switched to another one (a rotation
  // by name, mysql_password to mysql_password_v2) or added.
  for (const auto& secret : wanted.secrets) {
    if (!held.empty() && !held.contains(secret.secret)) return fmt::format("secret {} is new to it", secret.secret);
  }
  return "configuration changed";
}

// Unchanged but for newer secret versions, which its service takes in place (or, where that cannot
// be done, by recreating it).
void rotate_or_keep(ContainerStep& step, const compose::Service& service, const CurrentState& current,
                    const RecordedVersions& recorded) {
  step.kind = ContainerStep::Kind::keep;
  step.reason = "unchanged";
  if (service.change_mode == compose::ChangeMode::restart) return;
  auto rotations = rotations_of(step.container, held_versions(*step.existing, recorded));
  if (rotations.empty()) return;
  step.reason = rotation_reason(service, step.container, rotations);
  if (!current.can_rotate_in_place) {
    step.kind = ContainerStep::Kind::recreate;
    step.reason += "; rotating in place needs root";
    return;
  }
  step.kind = ContainerStep::Kind::rotate;
  step.rotations = std::move(rotations);
}

ContainerStep container_step(const Inputs& inputs, const CurrentState& current, const RecordedVersions& recorded,
                             const compose::Service& service, int number) {
  ContainerStep step;
  step.service = &service;
  step.container = container_for(inputs, service, number);
  step.name = step.container.name;
  const auto it = current.containers.find(step.name);
  if (it == current.containers.end()) {
    step.kind = ContainerStep::Kind::create;
    step.reason = number == 1 ? "new service" : fmt::format("replica {} of {}", number, service.replicas);
    return step;
  }
  step.existing = it->second;
  const bool same = engine::label_value(it->second.labels, hash_label) == step.container.hash;
  if (same && it->second.state == "running") {
    rotate_or_keep(step, service, current, recorded);
  } else {
    step.kind = ContainerStep::Kind::recreate;
    step.reason = why_recreate(step.container, service, it->second);
  }
  return step;
}

// Why an existing container goes, or "" when it stays.
std::string why_remove(const compose::Project& project, const std::string& stack, const std::string& name,
                       const engine::ContainerSummary& container, bool prune) {
  const auto service_name = engine::label_value(container.labels, "com.docker.compose.service");
  const auto* service = project.find_service(service_name);
  const int number = std::atoi(engine::label_value(container.labels, "com.docker.compose.container-number").c_str());
  const bool set_aside = container.labels.contains(std::string(hash_label)) &&
                         name.starts_with(container_name(stack, service_name, number) + std::string(set_aside_infix));
  if (set_aside) return "set aside by an interrupted deploy";
  if (service && number > service->replicas) return fmt::format("service {} has {} replicas", service_name, service->replicas);
  if (!service && prune) return "not in the file (--prune)";
  return "";
}

std::vector<std::string> networks_to_create(const compose::Project& project, const std::string& stack, const CurrentState& current) {
  std::set<std::string> wanted;
  for (const auto& service : project.services) {
    for (const auto& network : service.networks) wanted.insert(network.key);
  }
  std::vector<std::string> names;
  for (const auto& key : wanted) {
    const auto it = project.networks.find(key);
    if (it != project.networks.end() && it->second.external) continue;
    if (const auto name = network_name(project, stack, key); !current.networks.contains(name)) names.push_back(name);
  }
  return names;
}

std::vector<std::string> volumes_to_create(const compose::Project& project, const std::string& stack, const CurrentState& current) {
  std::vector<std::string> names;
  for (const auto& [key, volume] : project.volumes) {
    if (volume.external) continue;
    if (const auto name = volume_name(project, stack, key); !current.volumes.contains(name)) names.push_back(name);
  }
  return names;
}

std::string_view kind_name(SecretStep::Kind kind) {
  switch (kind) {
    case SecretStep::Kind::create: return "create";
    case SecretStep::Kind::rotate: return "rotate";
    case SecretStep::Kind::external: return "external";
    default: return "keep";
  }
}

std::string_view kind_name(ContainerStep::Kind kind) {
  switch (kind) {
    case ContainerStep::Kind::create: return "create";
    case ContainerStep::Kind::recreate: return "recreate";
    case ContainerStep::Kind::rotate: return "rotate in place";
    case ContainerStep::Kind::remove: return "remove";
    default: return "keep";
  }
}

// Every step of the plan, in the order it is applied, as (type, name, action, reason, version).
struct Row {
  std::string type, name, action, reason;
  int version = 0;
};

std::vector<Row> rows_of(const Plan& plan) {
  std::vector<Row> rows;
  for (const auto& image : plan.pulls) rows.push_back({"image", image, "pull", "not present", 0});
  for (const auto& secret : plan.secrets) {
    rows.push_back({"secret", secret.name, std::string(kind_name(secret.kind)), std::string(secret_reason(secret.kind)), secret.version});
  }
  for (const auto& network : plan.networks) rows.push_back({"network", network, "create", "", 0});
  for (const auto& volume : plan.volumes) rows.push_back({"volume", volume, "create", "", 0});
  for (const auto& level : plan.levels) {
    for (const auto& step : level) rows.push_back({"container", step.name, std::string(kind_name(step.kind)), step.reason, 0});
  }
  for (const auto& step : plan.removals) rows.push_back({"container", step.name, "remove", step.reason, 0});
  return rows;
}

}  // namespace

SecretStep::Kind secret_kind(const SecretInput& input) {
  if (input.external) return SecretStep::Kind::external;
  if (input.stored_version == 0) return SecretStep::Kind::create;
  return input.changed ? SecretStep::Kind::rotate : SecretStep::Kind::keep;
}

std::string_view secret_reason(SecretStep::Kind kind) {
  switch (kind) {
    case SecretStep::Kind::create: return "new";
    case SecretStep::Kind::rotate: return "content changed";
    case SecretStep::Kind::external: return "external";
    default: return "unchanged";
  }
}

base::Result<CurrentState> observe(engine::Engine& engine, const std::string& stack) {
  // Three independent questions, asked side by side: a deploy's first answer comes sooner.
  const auto label = label_of(stack);
  std::vector<engine::ContainerSummary> containers;
  std::vector<engine::Resource> networks;
  std::vector<engine::Resource> volumes;
  const auto into = [](auto& out, auto&& listed) -> base::Result<void> {
    if (!listed) return base::fail(listed.error().message);
    out = std::move(*listed);
    return {};
  };
  auto asked = side_by_side({
      [&] { return into(containers, engine.list_containers(label)); },
      [&] { return into(networks, engine.list_networks(label)); },
      [&] { return into(volumes, engine.list_volumes(label)); },
  });
  if (!asked) return std::unexpected(asked.error());
  CurrentState current;
  // A Swarm stack of the same name has the same namespace label: its task containers and overlay
  // networks are Swarm's, never the local orchestrator's to replace or remove.
  for (auto& container : containers) {
    if (!container.labels.contains(std::string(swarm_task_label))) current.containers[container.name] = std::move(container);
  }
  for (auto& network : networks) {
    if (network.driver != "overlay") current.networks[network.name] = std::move(network);
  }
  for (auto& volume : volumes) current.volumes[volume.name] = std::move(volume);
  return current;
}

bool Plan::changes_nothing() const {
  const auto secret_kept = [](const SecretStep& s) { return s.kind == SecretStep::Kind::keep || s.kind == SecretStep::Kind::external; };
  const auto container_kept = [](const ContainerStep& c) { return c.kind == ContainerStep::Kind::keep; };
  return pulls.empty() && networks.empty() && volumes.empty() && removals.empty() &&
         std::all_of(secrets.begin(), secrets.end(), secret_kept) &&
         std::all_of(levels.begin(), levels.end(), [&](const auto& level) {
           return std::all_of(level.begin(), level.end(), container_kept);
         });
}

Plan make_plan(const Inputs& inputs, const CurrentState& current, bool prune) {
  Plan plan;
  plan.stack = inputs.stack;
  plan.stack_was_empty = current.containers.empty();
  for (const auto& [name, container] : current.containers) plan.found.push_back(container);
  plan.pulls = inputs.missing_images;
  for (const auto& [key, input] : inputs.secrets) plan.secrets.push_back({secret_kind(input), key, input.name, input.version()});
  plan.networks = networks_to_create(inputs.project, inputs.stack, current);
  plan.volumes = volumes_to_create(inputs.project, inputs.stack, current);
  const auto& recorded = inputs.recorded;
  for (const auto& level : levels_of(inputs.project)) {
    auto& steps = plan.levels.emplace_back();
    for (const auto* service : level) {
      for (int number = 1; number <= service->replicas; ++number) {
        steps.push_back(container_step(inputs, current, recorded, *service, number));
      }
    }
  }
  for (const auto& [name, container] : current.containers) {
    auto reason = why_remove(inputs.project, inputs.stack, name, container, prune);
    if (!reason.empty()) plan.removals.push_back({ContainerStep::Kind::remove, name, std::move(reason), {}, nullptr, container, {}});
  }
  return plan;
}

std::vector<std::string> describe(const Plan& plan) {
  std::vector<std::string> lines;
  for (const auto& row : rows_of(plan)) {
    auto line = fmt::format("{} {}: ", row.type, row.name);
    if (row.type == "secret") {
      line += fmt::format("version {} ({})", row.version, row.reason);
    } else {
      line += row.reason.empty() ? row.action : fmt::format("{} ({})", row.action, row.reason);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

Json to_json(const Plan& plan) {
  Json actions = Json::array();
  for (const auto& row : rows_of(plan)) {
    Json action{{"type", row.type}, {"name", row.name}, {"action", row.action}, {"reason", row.reason}};
    if (row.type == "secret") action["version"] = row.version;
    actions.push_back(std::move(action));
  }
  return {{"stack", plan.stack}, {"changes", !plan.changes_nothing()}, {"actions", std::move(actions)}};
}

DownPlan make_down_plan(const CurrentState& current, const std::vector<std::string>& stack_secrets,
                        const DownOptions& options) {
  DownPlan plan{options.stack, options.timeout_seconds, {}, {}, {}, options.secrets, {}};
  for (const auto& [name, container] : current.containers) plan.containers.push_back(container);
  for (const auto& [name, network] : current.networks) plan.networks.push_back(network);
  if (options.volumes) {
    for (const auto& [name, volume] : current.volumes) plan.volumes.push_back(volume);
  }
  if (options.secrets) plan.stack_secrets = stack_secrets;
  return plan;
}

std::vector<std::string> describe(const DownPlan& plan) {
  std::vector<std::string> lines;
  for (const auto& container : plan.containers) lines.push_back(fmt::format("container {}: remove, its secrets wiped", container.name));
  for (const auto& network : plan.networks) lines.push_back(fmt::format("network {}: remove", network.name));
  for (const auto& volume : plan.volumes) lines.push_back(fmt::format("volume {}: remove (--volumes)", volume.name));
  for (const auto& secret : plan.stack_secrets) lines.push_back(fmt::format("secret {}: remove from the store (--secrets)", secret));
  return lines;
}

}  // namespace stackup::deploy

