#include "deploy/swarm_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "deploy/container_config.hpp"

namespace stackup::deploy {
namespace {

using engine::Json;

constexpr std::size_t max_object_name = 64;  // Docker's limit for secret and config names

Json labels_json(const std::map<std::string, std::string>& labels) {
  Json json = Json::object();
  for (const auto& [key, value] : labels) json[key] = value;
  return json;
}

Json update_policy_of(const compose::UpdatePolicy& policy) {
  Json json = Json::object();
  if (policy.parallelism) json["Parallelism"] = *policy.parallelism;
  if (policy.delay) json["Delay"] = policy.delay->count();
  if (policy.monitor) json["Monitor"] = policy.monitor->count();
  if (!policy.failure_action.empty()) json["FailureAction"] = policy.failure_action;
  if (!policy.order.empty()) json["Order"] = policy.order;
  if (policy.max_failure_ratio) json["MaxFailureRatio"] = *policy.max_failure_ratio;
  return json;
}

// deploy.restart_policy, else what `restart:` means to Swarm (as docker stack deploy maps it).
std::optional<Json> restart_policy_of(const compose::Service& service) {
  if (const auto& policy = service.deployment.restart_policy) {
    Json json = Json::object();
    if (!policy->condition.empty()) json["Condition"] = policy->condition;
    if (policy->delay) json["Delay"] = policy->delay->count();
    if (policy->window) json["Window"] = policy->window->count();
    if (policy->max_attempts) json["MaxAttempts"] = *policy->max_attempts;
    return json;
  }
  if (!service.restart) return std::nullopt;
  const auto& name = service.restart->name;
  if (name == "no") return Json{{"Condition", "none"}};
  if (name == "on-failure") {
    Json json{{"Condition", "on-failure"}};
    if (service.restart->maximum_retries > 0) json["MaxAttempts"] = service.restart->maximum_retries;
    return json;
  }
  return Json{{"Condition", "any"}};
}

Json resources_of(const compose::Service& service) {
  Json json = Json::object();
  if (service.nano_cpus_limit) json["Limits"]["NanoCPUs"] = *service.nano_cpus_limit;
  if (service.memory_limit) json["Limits"]["MemoryBytes"] = *service.memory_limit;
  if (service.deployment.nano_cpus_reservation) json["Reservations"]["NanoCPUs"] = *service.deployment.nano_cpus_reservation;
  if (service.deployment.memory_reservation) json["Reservations"]["MemoryBytes"] = *service.deployment.memory_reservation;
  return json;
}

Json placement_of(const compose::Deployment& deployment) {
  Json json = Json::object();
  if (!deployment.constraints.empty()) json["Constraints"] = deployment.constraints;
  for (const auto& spread : deployment.spread_preferences) {
    json["Preferences"].push_back({{"Spread", {{"SpreadDescriptor", spread}}}});
  }
  if (deployment.max_replicas_per_node) json["MaxReplicas"] = *deployment.max_replicas_per_node;
  return json;
}

Json mounts_of(const compose::Project& project, const compose::Service& service, const std::string& stack) {
  Json mounts = Json::array();
  for (const auto& volume : service.volumes) {
    Json mount{{"Type", compose::mount_type_name(volume.type)}, {"Target", volume.target}};
    if (volume.read_only) mount["ReadOnly"] = true;
    if (volume.type == compose::MountType::volume) {
      if (!volume.source.empty()) mount["Source"] = volume_name(project, stack, volume.source);
      mount["VolumeOptions"] = {{"Labels", {{std::string(namespace_label), stack}}}};
    } else if (!volume.source.empty()) {
      mount["Source"] = volume.source;
    }
    mounts.push_back(std::move(mount));
  }
  for (const auto& path : service.tmpfs) mounts.push_back({{"Type", "tmpfs"}, {"Target", path}});
  return mounts;
}

// "8000" or "8000-8005", as a first port and a count.
std::pair<int, int> port_range(std::string_view text) {
  const auto dash = text.find('-');
  int first = 0;
  int last = 0;
  std::from_chars(text.data(), text.data() + std::min(dash, text.size()), first);
  if (dash == std::string_view::npos) return {first, 1};
  std::from_chars(text.data() + dash + 1, text.data() + text.size(), last);
  return {first, std::max(1, last - first + 1)};
}

Json endpoint_of(const compose::Service& service) {
  Json json = Json::object();
  if (!service.deployment.endpoint_mode.empty()) json["Mode"] = service.deployment.endpoint_mode;
  for (const auto& port : service.ports) {
    const auto [target, count] = port_range(port.target);
    const auto [published, published_count] = port.published.empty() ? std::pair{0, 0} : port_range(port.published);
    for (int i = 0; i < count; ++i) {
      Json entry{{"Protocol", port.protocol}, {"TargetPort", target + i}, {"PublishMode", port.mode.empty() ? "ingress" : port.mode}};
      if (published_count > 0) entry["PublishedPort"] = published + (published_count == count ? i : 0);
      json["Ports"].push_back(std::move(entry));
    }
  }
  return json;
}

Json file_references(const std::vector<ObjectMount>& mounts, const char* kind) {
  Json list = Json::array();
  for (const auto& mount : mounts) {
    const auto& reference = *mount.reference;
    list.push_back({{"File",
                     {{"Name", mount.path},
                      {"UID", std::to_string(reference.uid)},
                      {"GID", std::to_string(reference.gid)},
                      {"Mode", reference.mode}}},
                    {fmt::format("{}Name", kind), mount.object}});
  }
  return list;
}

Json container_spec_of(const compose::Project& project, const compose::Service& service, const std::string& stack,
                       const ServiceSpecInputs& inputs) {
  auto labels = service.labels;
  labels[std::string(namespace_label)] = stack;
  Json spec{{"Image", service.image},
            {"Labels", labels_json(labels)},
            {"Env", environment_of(service, *inputs.environment, *inputs.env_file_values)}};
  // Swarm's Command is the entrypoint and its Args the command, as docker stack deploy maps them.
  if (service.entrypoint) spec["Command"] = *service.entrypoint;
  if (service.command) spec["Args"] = *service.command;
  if (!service.user.empty()) spec["User"] = service.user;
  if (!service.working_dir.empty()) spec["Dir"] = service.working_dir;
  if (!service.hostname.empty()) spec["Hostname"] = service.hostname;
  if (!service.stop_signal.empty()) spec["StopSignal"] = service.stop_signal;
  if (service.stop_grace_period) spec["StopGracePeriod"] = service.stop_grace_period->count();
  if (service.read_only) spec["ReadOnly"] = true;
  if (service.init) spec["Init"] = true;
  if (service.healthcheck) spec["Healthcheck"] = healthcheck_of(*service.healthcheck);
  if (auto mounts = mounts_of(project, service, stack); !mounts.empty()) spec["Mounts"] = std::move(mounts);
  if (!inputs.secrets.empty()) spec["Secrets"] = file_references(inputs.secrets, "Secret");
  if (!inputs.configs.empty()) spec["Configs"] = file_references(inputs.configs, "Config");
  return spec;
}

Json task_template_of(const compose::Project& project, const compose::Service& service, const std::string& stack,
                      const ServiceSpecInputs& inputs) {
  Json task{{"ContainerSpec", container_spec_of(project, service, stack, inputs)}};
  if (auto resources = resources_of(service); !resources.empty()) task["Resources"] = std::move(resources);
  if (auto restart = restart_policy_of(service)) task["RestartPolicy"] = std::move(*restart);
  if (auto placement = placement_of(service.deployment); !placement.empty()) task["Placement"] = std::move(placement);
  for (const auto& network : service.networks) {
    Json aliases = Json::array({service.name});
    for (const auto& alias : network.aliases) aliases.push_back(alias);
    task["Networks"].push_back({{"Target", network_name(project, stack, network.key)}, {"Aliases", aliases}});
  }
  return task;
}

}  // namespace

std::string swarm_service_name(const std::string& stack, const std::string& service) { return stack + "_" + service; }

std::string swarm_safe_name(std::string name) {
  std::replace(name.begin(), name.end(), '/', '.');
  return name;
}

std::string swarm_object_name(const std::string& store_name, const std::string& suffix) {
  const auto base = swarm_safe_name(store_name);
  auto name = fmt::format("{}-{}", base, suffix);
  if (name.size() <= max_object_name) return name;
  // base[cut] + "-" + 8 hex of the whole base + "-" + suffix
  const auto keep = max_object_name - suffix.size() - 10;
  return fmt::format("{}-{}-{}", base.substr(0, keep), fnv1a_hex(base).substr(0, 8), suffix);
}

Json service_spec(const compose::Project& project, const compose::Service& service, const std::string& stack,
                  const ServiceSpecInputs& inputs) {
  auto labels = service.deployment.labels;
  labels[std::string(namespace_label)] = stack;
  labels[std::string(stack_image_label)] = service.image;
  Json spec{{"Name", swarm_service_name(stack, service.name)},
            {"Labels", labels_json(labels)},
            {"TaskTemplate", task_template_of(project, service, stack, inputs)}};
  if (service.deployment.mode == "global") {
    spec["Mode"] = {{"Global", Json::object()}};
  } else {
    spec["Mode"] = {{"Replicated", {{"Replicas", service.replicas}}}};
  }
  if (const auto& update = service.deployment.update_config) spec["UpdateConfig"] = update_policy_of(*update);
  if (const auto& rollback = service.deployment.rollback_config) spec["RollbackConfig"] = update_policy_of(*rollback);
  if (auto endpoint = endpoint_of(service); !endpoint.empty()) spec["EndpointSpec"] = std::move(endpoint);
  spec["Labels"][std::string(task_hash_label)] = fnv1a_hex(spec["TaskTemplate"].dump());
  spec["Labels"][std::string(hash_label)] = fnv1a_hex(spec.dump());
  return spec;
}

std::vector<std::string> referenced_objects(const Json& spec) {
  std::vector<std::string> names;
  const auto container = spec.value("TaskTemplate", Json::object()).value("ContainerSpec", Json::object());
  for (const auto* field : {"Secrets", "Configs"}) {
    const std::string name_field = field == std::string_view("Secrets") ? "SecretName" : "ConfigName";
    for (const auto& reference : container.value(field, Json::array())) names.push_back(reference.value(name_field, ""));
  }
  return names;
}

Json with_object_ids(Json spec, const std::map<std::string, std::string>& ids) {
  auto& container = spec["TaskTemplate"]["ContainerSpec"];
  for (const auto& [field, kind] : {std::pair{"Secrets", "Secret"}, std::pair{"Configs", "Config"}}) {
    if (!container.contains(field)) continue;
    for (auto& reference : container[field]) {
      const auto name = reference.value(fmt::format("{}Name", kind), "");
      if (const auto it = ids.find(name); it != ids.end()) reference[fmt::format("{}ID", kind)] = it->second;
    }
  }
  return spec;
}

}  // namespace stackup::deploy
