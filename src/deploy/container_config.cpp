#include "deploy/container_config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>


namespace stackup::deploy {

using engine::Json;

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

Json environment_of(const compose::Service& service, const compose::Environment& environment,
                    const compose::Environment& env_file_values) {
  // `environment` wins over env_file; a name without a value comes from stackup's environment.
  std::map<std::string, std::optional<std::string>> all = service.environment;
  for (const auto& name : env_file_values.names()) all.try_emplace(name, std::string(*env_file_values.get(name)));
  Json list = Json::array();
  for (auto& [name, value] : all) {
    if (!value) {
      if (const auto from_environment = environment.get(name)) value = std::string(*from_environment);
    }
    if (value) list.push_back(name + "=" + *value);
  }
  return list;
}

Json healthcheck_of(const compose::Healthcheck& check) {
  Json json{{"Test", check.test}};
  if (check.interval) json["Interval"] = check.interval->count();
  if (check.timeout) json["Timeout"] = check.timeout->count();
  if (check.start_period) json["StartPeriod"] = check.start_period->count();
  if (check.retries > 0) json["Retries"] = check.retries;
  return json;
}

std::string container_name(const std::string& stack, const std::string& service, int number) {
  return fmt::format("{}-{}-{}", stack, service, number);
}

std::string network_name(const compose::Project& project, const std::string& stack, const std::string& key) {
  if (const auto it = project.networks.find(key); it != project.networks.end() && !it->second.name.empty()) {
    return it->second.name;
  }
  if (const auto it = project.networks.find(key); it != project.networks.end() && it->second.external) return key;
  return stack + "_" + key;
}

std::string volume_name(const compose::Project& project, const std::string& stack, const std::string& key) {
  if (const auto it = project.volumes.find(key); it != project.volumes.end() && !it->second.name.empty()) {
    return it->second.name;
  }
  if (const auto it = project.volumes.find(key); it != project.volumes.end() && it->second.external) return key;
  return stack + "_" + key;
}

std::string config_mount_path(const compose::FileReference& reference) {
  return reference.target.starts_with('/') ? reference.target : "/" + reference.target;
}

// A file's owner and mode join its entry in the hash only when they are not Docker's defaults
// (root, 0444), so that the hashes of containers made before they counted stay as they were.
namespace {
void with_ownership(Json& entry, const SecretMount& file) {
  if (file.uid != 0 || file.gid != 0 || file.mode != compose::default_secret_mode) {
    entry.push_back(Json{file.uid, file.gid, file.mode});
  }
}
}  // namespace

ContainerPlan plan_container(const compose::Project& project, const compose::Service& service, const std::string& stack,
                             int number, std::vector<SecretMount> secrets, const compose::Environment& environment,
                             const compose::Environment& env_file_values, std::vector<SecretMount> configs) {
  ContainerPlan plan;
  plan.name = container_name(stack, service.name, number);
  plan.service = service.name;
  plan.number = number;
  plan.secrets = std::move(secrets);

  Json labels = Json::object();
  for (const auto& [key, value] : service.labels) labels[key] = value;
  labels[std::string(namespace_label)] = stack;
  labels["com.docker.compose.project"] = stack;
  labels["com.docker.compose.service"] = service.name;
  labels["com.docker.compose.container-number"] = std::to_string(number);

  Json config{{"Image", service.image}, {"Env", environment_of(service, environment, env_file_values)}, {"Labels", labels}};
  if (service.command) config["Cmd"] = *service.command;
  if (service.entrypoint) config["Entrypoint"] = *service.entrypoint;
  if (!service.user.empty()) config["User"] = service.user;
  if (!service.working_dir.empty()) config["WorkingDir"] = service.working_dir;
  if (!service.hostname.empty()) config["Hostname"] = service.hostname;
  if (!service.stop_signal.empty()) config["StopSignal"] = service.stop_signal;
  if (service.stop_grace_period) {
    config["StopTimeout"] = std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(*service.stop_grace_period).count());
  }
  if (service.healthcheck) config["Healthcheck"] = healthcheck_of(*service.healthcheck);

  Json host{{"Mounts", Json::array()}, {"Tmpfs", Json::object()}, {"PortBindings", Json::object()}};
  Json exposed = Json::object();
  for (const auto& port : service.ports) {
    const auto key = port.target + "/" + port.protocol;
    exposed[key] = Json::object();
    host["PortBindings"][key].push_back({{"HostIp", port.host_ip}, {"HostPort", port.published}});
  }
  for (const auto& port : service.expose) exposed[port.find('/') == std::string::npos ? port + "/tcp" : port] = Json::object();
  if (!exposed.empty()) config["ExposedPorts"] = exposed;
  for (const auto& volume : service.volumes) {
    if (volume.type == compose::MountType::tmpfs) {
      host["Tmpfs"][volume.target] = "";
      continue;
    }
    Json mount{{"Type", compose::mount_type_name(volume.type)}, {"Target", volume.target}, {"ReadOnly", volume.read_only}};
    if (!volume.source.empty()) {
      mount["Source"] = volume.type == compose::MountType::volume ? volume_name(project, stack, volume.source) : volume.source;
    }
    host["Mounts"].push_back(mount);
  }
  for (const auto& path : service.tmpfs) host["Tmpfs"][path] = "";
  // A file-backed config is not secret: a read-only bind of the file itself.
  for (const auto& reference : service.configs) {
    const auto definition = project.configs.find(reference.source);
    if (definition == project.configs.end() || definition->second.file.empty()) continue;
    host["Mounts"].push_back(
        {{"Type", "bind"}, {"Source", definition->second.file}, {"Target", config_mount_path(reference)}, {"ReadOnly", true}});
  }
  if (service.restart) {
    Json policy{{"Name", service.restart->name}};
    if (service.restart->maximum_retries > 0) policy["MaximumRetryCount"] = service.restart->maximum_retries;
    host["RestartPolicy"] = policy;
  }
  if (service.read_only) host["ReadonlyRootfs"] = true;
  if (service.init) host["Init"] = true;
  if (service.nano_cpus_limit) host["NanoCpus"] = *service.nano_cpus_limit;
  if (service.memory_limit) host["Memory"] = *service.memory_limit;

  // The first network at create time; the others are connected before the container starts.
  const auto& first = service.networks.front();
  const auto first_name = network_name(project, stack, first.key);
  host["NetworkMode"] = first_name;
  auto endpoint = [&](const compose::ServiceNetwork& network) {
    Json aliases = Json::array({service.name});
    for (const auto& alias : network.aliases) aliases.push_back(alias);
    return Json{{"Aliases", aliases}};
  };
  config["NetworkingConfig"] = {{"EndpointsConfig", {{first_name, endpoint(first)}}}};
  for (std::size_t i = 1; i < service.networks.size(); ++i) {
    plan.extra_networks.emplace_back(network_name(project, stack, service.networks[i].key), endpoint(service.networks[i]));
  }
  config["HostConfig"] = host;

  // The hash covers the configuration, the other networks and each secret's version, target, owner
  // and mode; a service that takes new versions in place (change_mode signal or noop) keeps its
  // containers across versions, so there the version is left out, and the plan compares versions itself.
  Json identity{{"config", config}, {"networks", Json::array()}, {"secrets", Json::array()}};
  for (const auto& [name, network_endpoint] : plan.extra_networks) identity["networks"].push_back({name, network_endpoint});
  const bool in_place = service.change_mode != compose::ChangeMode::restart;
  for (const auto& secret : plan.secrets) {
    Json entry = in_place ? Json{secret.secret, secret.target} : Json{secret.secret, secret.version, secret.target};
    with_ownership(entry, secret);
    identity["secrets"].push_back(std::move(entry));
  }
  // Only when there are some, so the hashes of existing containers stay as they were.
  for (const auto& file : configs) {
    Json entry{file.secret, file.fingerprint, file.target};
    with_ownership(entry, file);
    identity["configs"].push_back(std::move(entry));
  }
  plan.configs = std::move(configs);
  plan.hash = fnv1a_hex(identity.dump());
  plan.config = std::move(config);
  return plan;
}

Json config_with_secrets(const ContainerPlan& plan, const std::string& directory, const std::string& directory_name) {
  Json config = plan.config;
  config["Labels"][std::string(hash_label)] = plan.hash;
  if (!plan.secrets.empty() || !plan.configs.empty()) config["Labels"][std::string(secrets_label)] = directory_name;
  std::vector<std::string> versions;
  for (const auto& secret : plan.secrets) versions.push_back(fmt::format("{}={}", secret.secret, secret.version));
  if (!versions.empty()) config["Labels"][std::string(secret_versions_label)] = fmt::format("{}", fmt::join(versions, ","));
  for (const auto* mounts : {&plan.secrets, &plan.configs}) {
    for (const auto& file : *mounts) {
      config["HostConfig"]["Mounts"].push_back(
          {{"Type", "bind"}, {"Source", directory + "/" + file.file_name}, {"Target", file.target}, {"ReadOnly", true}});
    }
  }
  return config;
}

}  // namespace stackup::deploy
