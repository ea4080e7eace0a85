// Applying a Swarm plan: store versions, Swarm objects, overlay networks, then the services side by
// side, and a wait until their tasks run. Each change is journalled so a failure or an interrupt
// undoes exactly what this deploy did: created services removed, updated ones rolled back by Swarm
// (rollback=previous), pushed objects and new store secrets removed.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "deploy/container_config.hpp"
#include "deploy/parallel.hpp"
#include "deploy/store_versions.hpp"
#include "deploy/swarm_deployer.hpp"
#include "deploy/swarm_spec.hpp"

namespace stackup::deploy {
namespace {

using engine::Json;
using engine::ObjectKind;

constexpr auto convergence_timeout = std::chrono::minutes(5);
constexpr auto poll_interval = std::chrono::milliseconds(250);
// Swarm retries a failing task for ever; stackup gives up after this many exits. A rejected task
// (no such image, a bad mount) is given up at once: retrying does not change its cause.
constexpr int failed_tasks_allowed = 3;

std::string_view word_of(ObjectKind kind) { return kind == ObjectKind::secret ? "Secret" : "Config"; }

struct Journal {
  struct Object {
    ObjectKind kind;
    std::string id, name;
  };
  std::vector<std::string> created_store_secrets;
  std::vector<Object> created_objects;
  std::vector<engine::Resource> created_networks;
  std::vector<std::pair<std::string, std::string>> created_services;  // id, name
  std::vector<std::pair<std::string, std::string>> updated_services;
};

// What a task's failure says: "No such image: x (rejected)".
std::string task_failure(const engine::Task& task) {
  return fmt::format("{} ({})", task.error.empty() ? task.message : task.error, task.state);
}

std::uint64_t wanted_replicas(const Json& spec, bool& global) {
  const auto mode = spec.value("Mode", Json::object());
  global = mode.contains("Global");
  return mode.value("Replicated", Json::object()).value("Replicas", std::uint64_t{1});
}

class SwarmApply {
 public:
  SwarmApply(engine::Engine& engine, engine::Swarm& swarm, store::Vault& store, Progress& progress, const SwarmPlan& plan,
             const Inputs& inputs, const DeployOptions& options, const SwarmState& state)
      : engine_(engine), swarm_(swarm), store_(store), progress_(progress), plan_(plan), inputs_(inputs), options_(options),
        state_(state) {}

  base::Result<void> run() {
    auto applied = apply();
    if (!applied) {
      progress_.update("Stack " + plan_.stack, "failed; rolling back");
      rollback();
      return applied;
    }
    finish();
    return {};
  }

 private:
  base::Result<void> apply() {
    if (auto ok = store_secret_versions(store_, plan_.secrets, inputs_, progress_, journal_.created_store_secrets); !ok) return ok;
    if (auto ok = check_interrupted(); !ok) return ok;
    if (auto ok = push_objects(); !ok) return ok;
    if (auto ok = create_networks(); !ok) return ok;
    if (auto ok = check_interrupted(); !ok) return ok;
    if (auto ok = note_existing_tasks(); !ok) return ok;
    auto deployed = parallel_for_each(plan_.services, default_parallelism, [&](const ServiceStep& step) { return deploy_service(step); });
    if (!deployed) return deployed;
    if (auto ok = wait_until_running(); !ok) return ok;
    for (const auto& step : plan_.removals) {
      if (auto removed = swarm_.remove_service(step.existing->id); !removed) return removed;
      progress_.update("Service " + step.name, "Removed");
    }
    return {};
  }

  [[nodiscard]] base::Result<void> check_interrupted() const {
    if (options_.interrupted != nullptr && options_.interrupted->load()) {
      return base::fail("interrupted: the deploy was stopped and what it changed was rolled back");
    }
    return {};
  }

  const base::SecretBytes& value_of(const ObjectStep& step) const {
    static const base::SecretBytes none;
    if (step.kind == ObjectKind::secret) return step.driver.empty() ? inputs_.secrets.at(step.key).value : none;
    return inputs_.configs.at(step.key).value;
  }

  base::Result<void> push_objects() {
    for (const auto& [name, object] : state_.secrets) object_ids_[name] = object.id;
    for (const auto& [name, object] : state_.configs) object_ids_[name] = object.id;
    for (const auto& step : plan_.objects) {
      if (!step.create) continue;
      auto id = swarm_.create_object(step.kind, {step.name, step.labels, step.driver, step.template_driver}, value_of(step));
      if (!id) return std::unexpected(id.error());
      object_ids_[step.name] = *id;
      journal_.created_objects.push_back({step.kind, *id, step.name});
      progress_.update(fmt::format("{} {}", word_of(step.kind), step.name), "Created");
    }
    return {};
  }

  base::Result<void> create_networks() {
    for (const auto& name : plan_.networks) {
      auto created = engine_.create_network(name, {{"Driver", "overlay"},
                                                   {"Attachable", true},
                                                   {"CheckDuplicate", true},
                                                   {"Labels", {{std::string(namespace_label), plan_.stack}}}});
      if (!created) return std::unexpected(created.error());
      journal_.created_networks.push_back({*created, name, {}, "overlay"});
      progress_.update("Network " + name, "Created");
    }
    return {};
  }

  // Tasks that exist before the deploy do not count as its failures.
  base::Result<void> note_existing_tasks() {
    std::vector<std::string> ids;
    for (const auto& step : plan_.services) {
      if (step.existing) ids.push_back(step.existing->id);
    }
    if (ids.empty()) return {};
    auto tasks = swarm_.list_tasks(ids);
    if (!tasks) return std::unexpected(tasks.error());
    for (const auto& task : *tasks) old_tasks_.insert(task.id);
    return {};
  }

  // Runs on a worker thread: shared state is touched under lock_ only.
  base::Result<void> deploy_service(const ServiceStep& step) {
    if (auto ok = check_interrupted(); !ok) return ok;
    if (step.kind == ServiceStep::Kind::keep) {
      report("Service " + step.name, "Running (unchanged)");
      return {};
    }
    const auto spec = with_object_ids(step.spec, object_ids_);
    if (step.kind == ServiceStep::Kind::create) {
      report("Service " + step.name, "Creating");
      auto id = swarm_.create_service(spec);
      if (!id) return std::unexpected(id.error());
      const std::lock_guard lock(lock_);
      journal_.created_services.emplace_back(*id, step.name);
      waiting_.push_back({*id, step.name, true});
      progress_.update("Service " + step.name, "Created");
      return {};
    }
    report("Service " + step.name, fmt::format("Updating ({})", step.reason));
    auto updated = swarm_.update_service(step.existing->id, step.existing->version, spec);
    if (!updated) return updated;
    const std::lock_guard lock(lock_);
    journal_.updated_services.emplace_back(step.existing->id, step.name);
    waiting_.push_back({step.existing->id, step.name, step.new_tasks});
    return {};
  }

  void report(const std::string& subject, const std::string& status) {
    const std::lock_guard lock(lock_);
    progress_.update(subject, status);
  }

  // Until every created or updated service has its tasks running, its update completed.
  base::Result<void> wait_until_running() {
    if (waiting_.empty()) return {};
    std::vector<std::string> ids;
    for (const auto& service : waiting_) ids.push_back(service.id);
    const auto deadline = std::chrono::steady_clock::now() + convergence_timeout;
    std::set<std::string> done;
    while (done.size() < waiting_.size()) {
      if (auto ok = check_interrupted(); !ok) return ok;
      if (std::chrono::steady_clock::now() > deadline) {
        std::vector<std::string> names;
        for (const auto& service : waiting_) {
          if (!done.contains(service.id)) names.push_back(service.name);
        }
        return base::fail(fmt::format("timed out after {} minutes waiting for the tasks of {} to run: see stackup ps "
                                      "--orchestrator swarm",
                                      std::chrono::duration_cast<std::chrono::minutes>(convergence_timeout).count(),
                                      fmt::join(names, ", ")));
      }
      auto tasks = swarm_.list_tasks(ids);
      if (!tasks) return std::unexpected(tasks.error());
      for (const auto& [id, name, new_tasks] : waiting_) {
        if (done.contains(id)) continue;
        auto converged = service_converged(id, name, new_tasks, *tasks);
        if (!converged) return std::unexpected(converged.error());
        if (*converged) {
          done.insert(id);
          progress_.update("Service " + name, "Running");
        }
      }
      if (done.size() < waiting_.size()) std::this_thread::sleep_for(poll_interval);
    }
    return {};
  }

  // With `new_tasks`, only the tasks this deploy made count; without (replicas or labels changed),
  // every task does.
  base::Result<bool> service_converged(const std::string& id, const std::string& name, bool new_tasks,
                                       const std::vector<engine::Task>& tasks) {
    auto service = swarm_.inspect_service(id);
    if (!service) return std::unexpected(service.error());
    const auto& state = service->update_state;
    if (state == "paused" || state.starts_with("rollback")) {
      return base::fail(fmt::format("service {}: the update was {} by Swarm: {}; {}", name,
                                    state == "paused" ? "paused" : "rolled back", service->update_message, failures_of(id, tasks)));
    }
    bool global = false;
    const auto replicas = wanted_replicas(service->spec, global);
    std::uint64_t running = 0;
    std::uint64_t desired = 0;
    int failed = 0;
    for (const auto& task : tasks) {
      if (task.service_id != id || (new_tasks && old_tasks_.contains(task.id))) continue;
      if (task.state == "failed" && !old_tasks_.contains(task.id)) ++failed;
      if (task.state == "rejected" && !old_tasks_.contains(task.id)) failed = failed_tasks_allowed;
      // Swarm would wait for a node that fits for ever; a deploy says so instead.
      if (task.state == "pending" && task.error.starts_with("no suitable node")) {
        return base::fail(fmt::format("service {} cannot be placed: {}; check its deploy.placement", name, task.error));
      }
      if (task.desired_state != "running") continue;
      ++desired;
      if (task.state == "running") ++running;
    }
    if (failed >= failed_tasks_allowed) {
      return base::fail(fmt::format("service {} did not start: {}", name, failures_of(id, tasks)));
    }
    const bool updated = state.empty() || state == "completed";
    return updated && (global ? desired > 0 && running == desired : running >= replicas);
  }

  // "task 940j7ymq18og: No such image: x (rejected); task ..." for the failed tasks of the deploy.
  std::string failures_of(const std::string& id, const std::vector<engine::Task>& tasks) const {
    std::vector<std::string> failures;
    for (const auto& task : tasks) {
      if (task.service_id != id || old_tasks_.contains(task.id)) continue;
      if (task.state != "failed" && task.state != "rejected") continue;
      failures.push_back(fmt::format("task {}: {}", task.id.substr(0, 12), task_failure(task)));
    }
    return failures.empty() ? std::string("no task failed") : fmt::format("{}", fmt::join(failures, "; "));
  }

  // Objects no service of any stack refers to any more: the versions this deploy replaced (Swarm
  // refuses to remove one in use; this check keeps that from being a warning).
  void finish() {
    auto services = swarm_.list_services("");
    if (!services) {
      progress_.warning(services.error().message);
      return;
    }
    std::set<std::string> used;
    for (const auto& service : *services) {
      for (auto& name : referenced_objects(service.spec)) used.insert(std::move(name));
    }
    for (const auto& [kind, object] : plan_.obsolete) {
      if (used.contains(object.name)) continue;
      if (auto removed = swarm_.remove_object(kind, object.id); !removed) {
        progress_.warning(removed.error().message);
      } else {
        progress_.update(fmt::format("{} {}", word_of(kind), object.name), "Removed (no service uses it)");
      }
    }
    record_usages();
    if (plan_.changes_nothing()) progress_.update("Stack " + plan_.stack, "Up to date: nothing changed");
  }

  // Which service holds which version, so `secret rm` refuses while the stack uses a secret.
  void record_usages() {
    std::vector<std::pair<std::string, store::SecretUsage>> usages;
    for (const auto& service : inputs_.project.services) {
      for (const auto& reference : service.secrets) {
        const auto& input = inputs_.secrets.at(reference.source);
        if (input.in_store) usages.push_back({input.name, {plan_.stack, service.name, input.version()}});
      }
    }
    if (auto recorded = store_.set_usages(plan_.stack, usages); !recorded) progress_.warning(recorded.error().message);
  }

  // Best effort, in reverse: each failure is a warning, and the rest still goes.
  void rollback() {
    for (const auto& [id, name] : journal_.updated_services) {
      auto service = swarm_.inspect_service(id);
      if (service && service->update_state.starts_with("rollback")) continue;  // Swarm rolls it back already
      auto rolled = service ? swarm_.update_service(id, service->version, service->spec, true)
                            : base::Result<void>(std::unexpected(service.error()));
      if (!rolled) progress_.warning(fmt::format("service {} was not rolled back: {}", name, rolled.error().message));
      if (rolled) progress_.update("Service " + name, "Rolled back");
    }
    for (const auto& [id, name] : journal_.created_services) {
      if (auto removed = swarm_.remove_service(id); !removed) progress_.warning(removed.error().message);
    }
    for (const auto& network : journal_.created_networks) remove_network(network);
    for (const auto& object : journal_.created_objects) {
      if (auto removed = swarm_.remove_object(object.kind, object.id); !removed) progress_.warning(removed.error().message);
    }
    for (const auto& name : journal_.created_store_secrets) {
      if (auto removed = store_.remove(name); !removed) progress_.warning(removed.error().message);
    }
  }

  // A network is busy until the tasks of the removed services are gone: retried for a while.
  void remove_network(const engine::Resource& network) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (true) {
      auto removed = engine_.remove_network(network.id);
      if (removed && !*removed) return;
      if (!removed || std::chrono::steady_clock::now() > deadline) {
        progress_.warning(fmt::format("network {} was left: {}", network.name,
                                      removed ? std::string("containers are still attached") : removed.error().message));
        return;
      }
      std::this_thread::sleep_for(poll_interval);
    }
  }

  engine::Engine& engine_;
  engine::Swarm& swarm_;
  store::Vault& store_;
  Progress& progress_;
  const SwarmPlan& plan_;
  const Inputs& inputs_;
  const DeployOptions& options_;
  const SwarmState& state_;
  Journal journal_;
  std::map<std::string, std::string> object_ids_;  // by object name
  std::set<std::string> old_tasks_;
  struct Waiting {
    std::string id, name;
    bool new_tasks = true;
  };
  std::vector<Waiting> waiting_;
  std::mutex lock_;
};

}  // namespace

base::Result<void> apply_swarm_plan(engine::Engine& engine, engine::Swarm& swarm, store::Vault& store, Progress& progress,
                                    const SwarmPlan& plan, const Inputs& inputs, const DeployOptions& options,
                                    const SwarmState& state) {
  return SwarmApply(engine, swarm, store, progress, plan, inputs, options, state).run();
}

}  // namespace stackup::deploy
