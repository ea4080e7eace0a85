#include "deploy/local_support.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "deploy/container_config.hpp"
#include "deploy/deployer.hpp"

namespace stackup::deploy {

std::string stack_filter(const std::string& stack) { return fmt::format("{}={}", namespace_label, stack); }

// The engine will not remove a network while it counts endpoints on it. Either containers that are
// not the stack's use it, or none is attached and the count is wrong: Docker 20.10's network library
// does not serialize endpoint deletions, so containers stopping at the same moment can leave it
// counting one that is gone, until the engine restarts (seen in about 1 of 50 downs of 30 services).
base::Result<void> remove_stack_network(engine::Engine& engine, const engine::Resource& network, const std::string& stack) {
  auto in_use = engine.remove_network(network.id);
  if (!in_use) return base::fail(fmt::format("network {} was left: {}", network.name, in_use.error().message));
  if (!*in_use) return {};
  const auto& containers = (*in_use)->containers;
  if (containers.empty()) {
    return base::fail(fmt::format(
        "network {} was left: the Docker engine counts an endpoint on it that no container has (its network "
        "library miscounts when containers stop at the same moment); restart the engine (systemctl restart "
        "docker) and run `stackup down {}` again to remove it",
        network.name, stack));
  }
  return base::fail(fmt::format(
      "network {} was left: containers that are not part of the stack use it ({}); disconnect them "
      "(docker network disconnect {} CONTAINER) and run `stackup down {}` again",
      network.name, fmt::join(containers, ", "), network.name, stack));
}

// Only a name that stackup makes for that very container (STACK-service-N-<hex>) on a container
// stackup created (it has the hash label) counts, so a label set by anyone else can at most pick
// another of the stack's own directories, never a path on the host. Labels of stackup 0.1 held the
// whole path: accepted when it is exactly where that name lies.
std::string secrets_directory_of(const engine::ContainerSummary& container, const std::string& stack, SecretFiles& files) {
  if (!container.labels.contains(std::string(hash_label))) return "";
  const auto label = engine::label_value(container.labels, secrets_label);
  const auto service = engine::label_value(container.labels, "com.docker.compose.service");
  const int number = std::atoi(engine::label_value(container.labels, "com.docker.compose.container-number").c_str());
  auto name = label.substr(label.rfind('/') + 1);  // the whole label when it has no '/'
  if (name != label && files.host_path(stack, name) != label) return "";
  return is_secrets_directory_name(name, container_name(stack, service, number)) ? name : "";
}

base::Result<CurrentState> LocalOrchestrator::observe(const std::string& stack) {
  auto current = deploy::observe(engine_, stack);
  if (current) current->can_rotate_in_place = secret_files_.replaces_in_place();
  return current;
}

}  // namespace stackup::deploy
