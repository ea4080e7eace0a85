// `down` on the local engine, a plan too: what is there is observed first (plan_down, which changes
// nothing), then removed (down): the containers side by side with their secrets wiped, then the
// networks, and the volumes and store secrets when asked.
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

base::Result<DownPlan> LocalOrchestrator::plan_down(const DownOptions& options) {
  auto current = observe(options.stack);
  if (!current) return std::unexpected(current.error());
  std::vector<std::string> stack_secrets;
  if (options.secrets) {
    auto secrets = store_.list({{std::string(namespace_label), options.stack}});
    if (!secrets) return std::unexpected(secrets.error());
    for (const auto& secret : *secrets) stack_secrets.push_back(secret.name);
  }
  return make_down_plan(*current, stack_secrets, options);
}

// Removes all it can and reports every failure at once: a container that will not stop keeps its
// secrets and the store's record of them; a network or volume left behind does not.
base::Result<void> LocalOrchestrator::down(const DownPlan& plan) {
  std::mutex lock;  // guards the three below and progress_
  std::vector<std::string> failures;
  std::set<std::string> kept_secrets;  // of the containers left running
  int containers_left = 0;
  (void)parallel_for_each(plan.containers, default_parallelism, [&](const engine::ContainerSummary& container) {
    {
      const std::lock_guard guard(lock);
      progress_.update("Container " + container.name, "Stopping");
    }
    const auto secrets = secrets_directory_of(container, plan.stack, secret_files_);
    auto removed = engine_.stop_container(container.id, plan.timeout_seconds);
    if (removed) removed = engine_.remove_container(container.id);
    base::Result<void> wiped;
    if (removed && !secrets.empty()) wiped = secret_files_.destroy(plan.stack, secrets);
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
  secret_files_.destroy_stack(plan.stack, kept_secrets);

  // A failure below is noted and down goes on, so that what was noted before is reported too.
  for (const auto& network : plan.networks) {
    if (auto removed = remove_stack_network(engine_, network, plan.stack); !removed) {
      failures.push_back(removed.error().message);
    } else {
      progress_.update("Network " + network.name, "Removed");
    }
  }
  for (const auto& volume : plan.volumes) {
    if (auto removed = engine_.remove_volume(volume.name); !removed) {
      failures.push_back(fmt::format("volume {} was left: {}", volume.name, removed.error().message));
    } else {
      progress_.update("Volume " + volume.name, "Removed");
    }
  }
  if (containers_gone) {
    if (auto cleared = store_.set_usages(plan.stack, {}); !cleared) failures.push_back(cleared.error().message);
    for (const auto& secret : plan.stack_secrets) {
      if (auto removed = store_.remove(secret); !removed) {
        failures.push_back(removed.error().message);
      } else {
        progress_.update("Secret " + secret, "Removed");
      }
    }
  }
  if (plan.containers.empty() && plan.networks.empty()) progress_.update("Stack " + plan.stack, "Nothing found");
  if (!failures.empty()) return base::fail(fmt::format("{}", fmt::join(failures, "\n")));
  return {};
}

}  // namespace stackup::deploy
