// `down --orchestrator swarm`: the services first, then (once their tasks are gone) the networks,
// the stack's own Swarm objects and, with --secrets, its secrets in the store. Every failure is
// noted and down goes on, so that all of them are reported at once.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "deploy/container_config.hpp"
#include "deploy/swarm_deployer.hpp"

namespace stackup::deploy {
namespace {

constexpr auto tasks_timeout = std::chrono::seconds(60);
constexpr auto poll_interval = std::chrono::milliseconds(250);

// Waits until no task of these services is left. All tasks are listed: the engine refuses a filter
// naming a service that is gone.
bool wait_for_tasks(engine::Swarm& swarm, const std::vector<std::string>& service_ids) {
  const auto deadline = std::chrono::steady_clock::now() + tasks_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto tasks = swarm.list_tasks({});
    const bool gone = tasks && std::none_of(tasks->begin(), tasks->end(), [&](const engine::Task& task) {
      return std::find(service_ids.begin(), service_ids.end(), task.service_id) != service_ids.end();
    });
    if (gone) return true;
    std::this_thread::sleep_for(poll_interval);
  }
  return false;
}

// A network keeps endpoints a moment after its tasks are gone (longer on another node): retried.
base::Result<void> remove_network(engine::Engine& engine, const engine::Resource& network) {
  const auto deadline = std::chrono::steady_clock::now() + tasks_timeout;
  while (true) {
    auto removed = engine.remove_network(network.id);
    if (!removed) return base::fail(fmt::format("network {} was left: {}", network.name, removed.error().message));
    if (!*removed) return {};
    if (std::chrono::steady_clock::now() > deadline) {
      return base::fail(fmt::format("network {} was left: containers are still attached to it", network.name));
    }
    std::this_thread::sleep_for(poll_interval);
  }
}

}  // namespace

base::Result<void> run_swarm_down(engine::Engine& engine, engine::Swarm& swarm, store::Vault& store, Progress& progress,
                                  const SwarmDownPlan& plan) {
  std::vector<std::string> failures;
  std::vector<std::string> removed_services;
  for (const auto& service : plan.services) {
    if (auto removed = swarm.remove_service(service.id); !removed) {
      failures.push_back(fmt::format("service {} was left: {}", service.name, removed.error().message));
    } else {
      removed_services.push_back(service.id);
      progress.update("Service " + service.name, "Removed");
    }
  }
  if (!removed_services.empty() && !wait_for_tasks(swarm, removed_services)) {
    failures.push_back("the tasks of the removed services were still there after a minute");
  }
  for (const auto& network : plan.networks) {
    if (auto removed = remove_network(engine, network); !removed) {
      failures.push_back(removed.error().message);
    } else {
      progress.update("Network " + network.name, "Removed");
    }
  }
  for (const auto& [kind, object] : plan.objects) {
    const auto* word = kind == engine::ObjectKind::secret ? "Secret" : "Config";
    if (auto removed = swarm.remove_object(kind, object.id); !removed) {
      failures.push_back(removed.error().message);
    } else {
      progress.update(fmt::format("{} {}", word, object.name), "Removed");
    }
  }
  if (failures.empty()) {
    if (auto cleared = store.set_usages(plan.stack, {}); !cleared) failures.push_back(cleared.error().message);
    for (const auto& secret : plan.stack_secrets) {
      if (auto removed = store.remove(secret); !removed) {
        failures.push_back(removed.error().message);
      } else {
        progress.update("Secret " + secret, "Removed from the store");
      }
    }
  }
  if (plan.services.empty() && plan.networks.empty() && plan.objects.empty()) progress.update("Stack " + plan.stack, "Nothing found");
  if (!failures.empty()) return base::fail(fmt::format("{}", fmt::join(failures, "\n")));
  return {};
}

}  // namespace stackup::deploy
