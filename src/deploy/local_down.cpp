// `down` on the local engine: stop and remove the stack's containers side by side, wipe their
// secrets, then remove its networks (and volumes and store secrets when asked).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "deploy/container_config.hpp"
#include "deploy/deployer.hpp"
#include "deploy/local_support.hpp"
#include "deploy/parallel.hpp"

namespace stackup::deploy {

// Removes all it can and reports every failure at once: a container that will not stop keeps its
// secrets and the store's record of them; a network or volume left behind does not.
base::Result<void> LocalOrchestrator::down(const DownOptions& options) {
  auto containers = engine_.list_containers(stack_filter(options.stack));
  if (!containers) return base::fail(containers.error().message);
  std::mutex lock;  // guards the three below and progress_
  std::vector<std::string> failures;
  std::set<std::string> kept_secrets;  // of the containers left running
  int containers_left = 0;
  (void)parallel_for_each(*containers, default_parallelism, [&](const engine::ContainerSummary& container) {
    {
      const std::lock_guard guard(lock);
      progress_.update("Container " + container.name, "Stopping");
    }
    const auto secrets = secrets_directory_of(container, options.stack, secret_files_);
    auto removed = engine_.stop_container(container.id, options.timeout_seconds);
    if (removed) removed = engine_.remove_container(container.id);
    base::Result<void> wiped;
    if (removed && !secrets.empty()) wiped = secret_files_.destroy(options.stack, secrets);
    const std::lock_guard guard(lock);
    if (!removed) {
      failures.push_back(fmt::format("container {} was left: {}", container.name, removed.error().message));
      ++containers_left;
      if (!secrets.empty()) kept_secrets.insert(secrets);
    } else if (!wiped) {  // destroy_stack below tries once more
      failures.push_back(fmt::format("the secrets of container {} were left: {}", container.name, wiped.error().message));
    } else {
      progress_.update("Container " + container.name, "Removed");
    }
    return base::Result<void>{};
  });
  const bool containers_gone = containers_left == 0;
  std::ranges::sort(failures);  // the threads finish in any order
  secret_files_.destroy_stack(options.stack, kept_secrets);

  // A failure below is noted and down goes on, so that what was noted before is reported too.
  auto networks = engine_.list_networks(stack_filter(options.stack));
  if (!networks) failures.push_back(networks.error().message);
  for (const auto& network : networks.value_or(std::vector<engine::Resource>{})) {
    if (auto removed = remove_stack_network(engine_, network, options.stack); !removed) {
      failures.push_back(removed.error().message);
    } else {
      progress_.update("Network " + network.name, "Removed");
    }
  }
  if (options.volumes) {
    auto volumes = engine_.list_volumes(stack_filter(options.stack));
    if (!volumes) failures.push_back(volumes.error().message);
    for (const auto& volume : volumes.value_or(std::vector<engine::Resource>{})) {
      if (auto removed = engine_.remove_volume(volume.name); !removed) {
        failures.push_back(fmt::format("volume {} was left: {}", volume.name, removed.error().message));
      } else {
        progress_.update("Volume " + volume.name, "Removed");
      }
    }
  }
  if (containers_gone) {
    if (auto cleared = store_.set_usages(options.stack, {}); !cleared) failures.push_back(cleared.error().message);
    auto secrets = options.secrets ? store_.list({{std::string(namespace_label), options.stack}})
                                   : base::Result<std::vector<store::SecretInfo>>{};
    if (!secrets) failures.push_back(secrets.error().message);
    for (const auto& secret : secrets.value_or(std::vector<store::SecretInfo>{})) {
      if (auto removed = store_.remove(secret.name); !removed) {
        failures.push_back(removed.error().message);
      } else {
        progress_.update("Secret " + secret.name, "Removed");
      }
    }
  }
  if (containers->empty() && networks && networks->empty()) progress_.update("Stack " + options.stack, "Nothing found");
  if (!failures.empty()) return base::fail(fmt::format("{}", fmt::join(failures, "\n")));
  return {};
}

}  // namespace stackup::deploy
