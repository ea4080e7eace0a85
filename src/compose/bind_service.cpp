#include "compose/bind_service.hpp"

#include <algorithm>
#include <set>

namespace stackup::compose {
namespace {

std::vector<std::string> strings_of(const Node& node) {
  std::vector<std::string> out;
  if (node.is_scalar()) out.push_back(node.scalar);
  for (const auto& item : node.items) {
    if (item.is_scalar()) out.push_back(item.scalar);
  }
  return out;
}

std::optional<std::vector<std::string>> command_of(const Node* node) {
  if (!node || node->is_null()) return std::nullopt;
  if (node->is_scalar()) return split_command(node->scalar);
  return strings_of(*node);
}

// The schema allows only these names.
MountType mount_type_of(std::string_view name) {
  for (const auto type : {MountType::bind, MountType::tmpfs, MountType::npipe, MountType::cluster, MountType::image}) {
    if (mount_type_name(type) == name) return type;
  }
  return MountType::volume;
}

VolumeMount volume_of(const Node& item) {
  VolumeMount mount;
  if (item.is_mapping()) {
    mount.type = mount_type_of(text_of(item.find("type")));
    mount.source = text_of(item.find("source"));
    mount.target = text_of(item.find("target"));
    mount.read_only = item.find("read_only") && resolve_scalar(*item.find("read_only")).boolean;
    return mount;
  }
  // source:target[:mode], or a lone container path (an anonymous volume)
  const auto& text = item.scalar;
  const auto first = text.find(':');
  if (first == std::string::npos) {
    mount.type = MountType::volume;
    mount.target = text;
    return mount;
  }
  const auto second = text.find(':', first + 1);
  mount.source = text.substr(0, first);
  mount.target = text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  const auto options = second == std::string::npos ? std::string() : text.substr(second + 1);
  mount.read_only = options.find("ro") != std::string::npos;
  mount.type = mount.source.starts_with('/') ? MountType::bind : MountType::volume;
  return mount;
}

// The typed values: semantic has reported any that does not parse, so none reaches a valid project.
std::optional<std::chrono::nanoseconds> duration_of(const Node* node) {
  return node && !node->is_null() ? parse_duration(text_of(node)) : std::nullopt;
}

std::optional<std::int64_t> bytes_of(const Node* node) {
  return node && !node->is_null() ? parse_bytes(text_of(node)) : std::nullopt;
}

Healthcheck healthcheck_of(const Node& node) {
  Healthcheck check;
  if (const Node* test = node.find("test")) {
    check.test = test->is_scalar() ? std::vector<std::string>{"CMD-SHELL", test->scalar} : strings_of(*test);
  }
  if (const Node* disable = node.find("disable"); disable && resolve_scalar(*disable).boolean) check.test = {"NONE"};
  check.interval = duration_of(node.find("interval"));
  check.timeout = duration_of(node.find("timeout"));
  check.start_period = duration_of(node.find("start_period"));
  if (const Node* retries = node.find("retries")) check.retries = static_cast<int>(resolve_scalar(*retries).integer);
  return check;
}

std::optional<std::int64_t> integer_of(const Node* node) {
  if (!node || !node->is_scalar()) return std::nullopt;
  const auto resolved = resolve_scalar(*node);
  return resolved.type == ScalarType::integer ? std::optional(resolved.integer) : std::nullopt;
}

UpdatePolicy update_policy_of(const Node& node) {
  UpdatePolicy policy;
  policy.parallelism = integer_of(node.find("parallelism"));
  policy.delay = duration_of(node.find("delay"));
  policy.monitor = duration_of(node.find("monitor"));
  policy.failure_action = text_of(node.find("failure_action"));
  policy.order = text_of(node.find("order"));
  if (const Node* ratio = node.find("max_failure_ratio"); ratio && ratio->is_scalar()) {
    policy.max_failure_ratio = std::strtod(ratio->scalar.c_str(), nullptr);
  }
  return policy;
}

SwarmRestartPolicy restart_policy_of(const Node& node) {
  return {text_of(node.find("condition")), duration_of(node.find("delay")), duration_of(node.find("window")),
          integer_of(node.find("max_attempts"))};
}

void bind_placement(const Node& placement, Deployment& deployment) {
  if (const Node* constraints = placement.find("constraints")) deployment.constraints = strings_of(*constraints);
  if (const Node* preferences = placement.find("preferences")) {
    for (const auto& item : preferences->items) {
      if (const Node* spread = item.find("spread")) deployment.spread_preferences.push_back(text_of(spread));
    }
  }
  deployment.max_replicas_per_node = integer_of(placement.find("max_replicas_per_node"));
}

Deployment deployment_of(const Node& deploy) {
  Deployment deployment;
  deployment.mode = text_of(deploy.find("mode"));
  deployment.endpoint_mode = text_of(deploy.find("endpoint_mode"));
  if (const Node* labels = deploy.find("labels")) {
    for (const auto& entry : list_or_dict_to_mapping(*labels).entries) deployment.labels[entry.key] = text_of(&entry.value);
  }
  if (const Node* placement = deploy.find("placement"); placement && placement->is_mapping()) bind_placement(*placement, deployment);
  if (const Node* resources = deploy.find("resources")) {
    if (const Node* reservations = resources->find("reservations")) {
      if (const Node* cpus = reservations->find("cpus")) deployment.nano_cpus_reservation = parse_nano_cpus(text_of(cpus));
      deployment.memory_reservation = bytes_of(reservations->find("memory"));
    }
  }
  if (const Node* restart = deploy.find("restart_policy"); restart && restart->is_mapping()) {
    deployment.restart_policy = restart_policy_of(*restart);
  }
  if (const Node* update = deploy.find("update_config"); update && update->is_mapping()) {
    deployment.update_config = update_policy_of(*update);
  }
  if (const Node* rollback = deploy.find("rollback_config"); rollback && rollback->is_mapping()) {
    deployment.rollback_config = update_policy_of(*rollback);
  }
  return deployment;
}

}  // namespace

std::vector<std::string> split_command(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

PortMapping parse_port(std::string_view text) {
  PortMapping port;
  if (const auto slash = text.rfind('/'); slash != std::string_view::npos) {
    port.protocol = text.substr(slash + 1);
    text = text.substr(0, slash);
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    parts.emplace_back(text.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  port.target = parts.back();
  if (parts.size() >= 2) port.published = parts[parts.size() - 2];
  if (parts.size() >= 3) port.host_ip = parts[0];
  return port;
}

void bind_runtime_fields(const Node& node, Service& service) {
  service.command = command_of(node.find("command"));
  service.entrypoint = command_of(node.find("entrypoint"));
  if (const Node* environment = node.find("environment")) {
    for (const auto& entry : list_or_dict_to_mapping(*environment).entries) {
      service.environment[entry.key] = entry.value.is_null() ? std::nullopt : std::optional<std::string>(entry.value.scalar);
    }
  }
  if (const Node* env_file = node.find("env_file")) {
    if (env_file->is_scalar()) service.env_files.push_back(env_file->scalar);
    for (const auto& item : env_file->items) {
      service.env_files.push_back(item.is_mapping() ? text_of(item.find("path")) : item.scalar);
      const Node* required = item.is_mapping() ? item.find("required") : nullptr;
      if (required && resolve_scalar(*required).type == ScalarType::boolean && !resolve_scalar(*required).boolean) {
        service.optional_env_files.insert(service.env_files.back());
      }
    }
  }
  if (const Node* labels = node.find("labels")) {
    for (const auto& entry : list_or_dict_to_mapping(*labels).entries) service.labels[entry.key] = text_of(&entry.value);
  }
  service.user = text_of(node.find("user"));
  service.working_dir = text_of(node.find("working_dir"));
  service.hostname = text_of(node.find("hostname"));
  if (const Node* restart = node.find("restart")) service.restart = parse_restart(text_of(restart));
  service.stop_signal = text_of(node.find("stop_signal"));
  if (const Node* extension = node.find(extension_key)) {
    const auto mode = text_of(extension->find("change_mode"));
    if (mode == "signal") service.change_mode = ChangeMode::signal;
    if (mode == "noop") service.change_mode = ChangeMode::noop;
    service.change_signal = parse_signal(text_of(extension->find("change_signal"))).value_or(service.change_signal);
  }
  service.stop_grace_period = duration_of(node.find("stop_grace_period"));
  service.read_only = node.find("read_only") && resolve_scalar(*node.find("read_only")).boolean;
  service.init = node.find("init") && resolve_scalar(*node.find("init")).boolean;
  if (const Node* ports = node.find("ports")) {
    for (const auto& item : ports->items) {
      if (item.is_mapping()) {
        service.ports.push_back({text_of(item.find("host_ip")), text_of(item.find("published")), text_of(item.find("target")),
                                 item.find("protocol") ? text_of(item.find("protocol")) : "tcp", text_of(item.find("mode"))});
      } else {
        service.ports.push_back(parse_port(item.scalar));
      }
    }
  }
  if (const Node* expose = node.find("expose")) service.expose = strings_of(*expose);
  if (const Node* volumes = node.find("volumes")) {
    for (const auto& item : volumes->items) service.volumes.push_back(volume_of(item));
  }
  if (const Node* tmpfs = node.find("tmpfs")) service.tmpfs = strings_of(*tmpfs);
  if (const Node* healthcheck = node.find("healthcheck")) service.healthcheck = healthcheck_of(*healthcheck);
  if (const Node* networks = node.find("networks")) {
    for (const auto& entry : list_or_dict_to_mapping(*networks).entries) {
      ServiceNetwork network{entry.key, {}};
      if (const Node* aliases = entry.value.find("aliases")) network.aliases = strings_of(*aliases);
      service.networks.push_back(std::move(network));
    }
  }
  if (service.networks.empty()) service.networks.push_back({"default", {}});
  if (const Node* limits = node.find("deploy") ? node.find("deploy")->find("resources") : nullptr) {
    if (const Node* limit = limits->find("limits")) {
      if (const Node* cpus = limit->find("cpus")) service.nano_cpus_limit = parse_nano_cpus(text_of(cpus));
      service.memory_limit = bytes_of(limit->find("memory"));
    }
  }
  if (const Node* deploy = node.find("deploy"); deploy && deploy->is_mapping()) service.deployment = deployment_of(*deploy);
}

std::string_view mount_type_name(MountType type) {
  switch (type) {
    case MountType::bind: return "bind";
    case MountType::tmpfs: return "tmpfs";
    case MountType::npipe: return "npipe";
    case MountType::cluster: return "cluster";
    case MountType::image: return "image";
    default: return "volume";
  }
}

}  // namespace stackup::compose
