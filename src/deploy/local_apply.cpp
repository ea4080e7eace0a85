// Applying a plan on the local engine: images, secret versions, networks and volumes, then the
// containers level by level (side by side within a level), each change recorded in a Journal so that
// a failure or an interrupt undoes exactly what this deploy did.
#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "deploy/deployer.hpp"
#include "deploy/local_support.hpp"
#include "deploy/parallel.hpp"
#include "deploy/store_versions.hpp"
#include "store/crypto.hpp"

namespace stackup::deploy {
namespace {

std::string random_token() { return store::crypto::to_hex(store::crypto::random_bytes(6)); }

// Everything one deploy changes, so a failure can undo it and a success can finish it.
struct Journal {
  struct Container {
    std::string id;
    std::string name;
    std::string secrets_directory;  // its name under the stack's; "" when it has none
  };
  std::vector<std::string> created_secrets;
  std::vector<engine::Resource> created_networks;
  std::vector<std::string> created_volumes;
  std::vector<std::string> materialized;  // secrets directories' names, recorded as soon as they exist
  std::vector<std::string> started;       // containers this deploy created
  std::vector<Container> set_aside;       // renamed and stopped; a failure puts them back
  std::vector<const ContainerStep*> rotated;  // in place; a failure puts the versions they held back

  [[nodiscard]] bool empty() const {
    return created_secrets.empty() && created_networks.empty() && created_volumes.empty() && started.empty() &&
           set_aside.empty() && rotated.empty();
  }
};

// How a step brings its container's secret `index`, for the audit log; "" when it does not.
std::string how_brought(const ContainerStep& step, std::size_t index) {
  switch (step.kind) {
    case ContainerStep::Kind::create:
    case ContainerStep::Kind::recreate: return "materialized in " + step.name;
    case ContainerStep::Kind::rotate:
      return std::ranges::find(step.rotations, index) == step.rotations.end() ? "" : "rotated in place in " + step.name;
    default: return "";
  }
}

// What each service of the stack holds once the plan is applied: one record per secret and service,
// saying which containers this deploy brought it to and how. A service the file no longer has keeps
// its containers (without --prune), and its record.
std::vector<std::pair<std::string, store::SecretUsage>> usages_of(const Plan& plan, const Inputs& inputs) {
  std::map<std::pair<std::string, std::string>, store::SecretUsage> usages;  // by secret and service
  std::set<std::string> removed;
  for (const auto& step : plan.removals) removed.insert(step.name);
  for (const auto& container : plan.found) {
    const auto service = engine::label_value(container.labels, "com.docker.compose.service");
    if (removed.contains(container.name) || inputs.project.find_service(service)) continue;
    for (const auto& [secret, version] : held_versions(container, inputs.recorded)) {
      usages[{secret, service}] = {plan.stack, service, std::atoi(version.c_str())};
    }
  }
  for (const auto& level : plan.levels) {
    for (const auto& step : level) {
      for (std::size_t i = 0; i < step.container.secrets.size(); ++i) {
        const auto& secret = step.container.secrets[i];
        auto& usage = usages[{secret.secret, step.container.service}];
        usage = {plan.stack, step.container.service, secret.version, usage.how};
        const auto how = how_brought(step, i);
        if (!how.empty()) usage.how += (usage.how.empty() ? "" : ", ") + how;
      }
    }
  }
  std::vector<std::pair<std::string, store::SecretUsage>> out;
  for (auto& [key, usage] : usages) out.emplace_back(key.first, std::move(usage));
  return out;
}

class LocalApply {
 public:
  LocalApply(engine::Engine& engine, store::Vault& store, SecretFiles& secret_files, Progress& progress,
             const Plan& plan, const Inputs& inputs, const DeployOptions& options)
      : engine_(engine), store_(store), secret_files_(secret_files), progress_(progress), plan_(plan), inputs_(inputs),
        stack_(plan.stack), options_(options) {}

  base::Result<void> run() {
    auto applied = apply();
    if (!applied) {
      progress_.update("Stack " + stack_, "failed; rolling back");
      rollback();
      return applied;
    }
    finish();
    return {};
  }

 private:
  base::Result<void> apply() {
    if (auto ok = pull_images(); !ok) return ok;
    if (auto ok = check_interrupted(); !ok) return ok;
    if (auto ok = store_secrets(); !ok) return ok;
    if (auto ok = create_networks(); !ok) return ok;
    if (auto ok = create_volumes(); !ok) return ok;
    for (const auto& level : plan_.levels) {
      if (auto ok = check_interrupted(); !ok) return ok;
      for (const auto& step : level) {
        if (step.container.number == 1) {
          if (auto ok = wait_for_dependencies(*step.service); !ok) return ok;
        }
      }
      // Threads only for the steps that ask the engine for work: a level that keeps its containers
      // (every one of a rotation's other services) costs no thread.
      std::vector<const ContainerStep*> changing;
      for (const auto& step : level) {
        if (step.kind == ContainerStep::Kind::keep) {
          report("Container " + step.name, "Running (unchanged)");
        } else {
          changing.push_back(&step);
        }
      }
      auto deployed = parallel_for_each(changing, default_parallelism,
                                        [&](const ContainerStep* step) { return deploy_container(*step); });
      if (!deployed) return deployed;
    }
    for (const auto& step : plan_.removals) progress_.update("Container " + step.name, "Removing");
    return {};
  }

  [[nodiscard]] base::Result<void> check_interrupted() const {
    if (options_.interrupted != nullptr && options_.interrupted->load()) {
      return base::fail("interrupted: the deploy was stopped and what it changed was rolled back");
    }
    return {};
  }

  base::Result<void> pull_images() {
    for (const auto& image : plan_.pulls) {
      if (auto ok = check_interrupted(); !ok) return ok;
      progress_.update("Image " + image, "Pulling");
      auto pulled = engine_.pull_image(image, [&](const std::string& status) {
        progress_.update("Image " + image, status);
        return check_interrupted().has_value();
      });
      if (auto ok = check_interrupted(); !ok) return ok;
      if (!pulled) return base::fail(fmt::format("image {} is not available: {}", image, pulled.error().message));
      progress_.update("Image " + image, "Pulled");
    }
    return {};
  }

  base::Result<void> store_secrets() {
    return store_secret_versions(store_, plan_.secrets, inputs_, progress_, journal_.created_secrets);
  }

  base::Result<void> create_networks() {
    for (const auto& name : plan_.networks) {
      auto created = engine_.create_network(
          name, {{"Driver", "bridge"}, {"CheckDuplicate", true}, {"Labels", {{std::string(namespace_label), stack_}}}});
      if (!created) return base::fail(created.error().message);
      journal_.created_networks.push_back({*created, name, {}, "bridge"});
      progress_.update("Network " + name, "Created");
    }
    return {};
  }

  base::Result<void> create_volumes() {
    for (const auto& name : plan_.volumes) {
      if (auto created = engine_.create_volume(name, {{"Labels", {{std::string(namespace_label), stack_}}}}); !created) {
        return created;
      }
      journal_.created_volumes.push_back(name);
      progress_.update("Volume " + name, "Created");
    }
    return {};
  }

  base::Result<void> wait_for_dependencies(const compose::Service& service) {
    for (const auto& dependency : service.depends_on) {
      if (dependency.condition == compose::DependencyCondition::started) continue;
      const auto* other = inputs_.project.find_service(dependency.service);
      if (!other) continue;
      for (int number = 1; number <= other->replicas; ++number) {
        if (auto ok = wait_for(container_name(stack_, other->name, number), dependency.condition); !ok) return ok;
      }
    }
    return {};
  }

  base::Result<void> wait_for(const std::string& name, compose::DependencyCondition condition) {
    const bool healthy = condition == compose::DependencyCondition::healthy;
    progress_.update("Container " + name, healthy ? "Waiting to be healthy" : "Waiting to complete");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto ok = check_interrupted(); !ok) return ok;
      auto state = engine_.inspect_container(name);
      if (!state) return base::fail(state.error().message);
      if (healthy) {
        if (state->health == "healthy") return {};
        if (state->health == "unhealthy") return base::fail(fmt::format("container {} is unhealthy", name));
        if (state->health.empty()) return base::fail(fmt::format("container {} has no healthcheck to wait for", name));
      } else if (state->status == "exited") {
        if (state->exit_code == 0) return {};
        return base::fail(fmt::format("container {} exited with code {}", name, state->exit_code));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return base::fail(fmt::format("timed out waiting for container {} ({})", name,
                                  healthy ? "service_healthy" : "service_completed_successfully"));
  }

  // Runs on a worker thread: shared state is touched under lock_ only.
  base::Result<void> deploy_container(const ContainerStep& step) {
    if (auto ok = check_interrupted(); !ok) return ok;
    if (step.kind == ContainerStep::Kind::rotate) return rotate_in_place(step);
    return replace_container(step);
  }

  base::Result<void> rotate_in_place(const ContainerStep& step) {
    {
      const std::lock_guard lock(lock_);
      journal_.rotated.push_back(&step);  // before, so that a half-done rotation is put back too
    }
    report("Container " + step.name, "Rotating secrets in place");
    std::vector<const base::SecretBytes*> values;
    for (const auto i : step.rotations) values.push_back(&inputs_.secrets.at(step.service->secrets[i].source).value);
    if (auto ok = put_in_place(step, values); !ok) return ok;
    const auto& service = *step.service;
    report("Container " + step.name, service.change_mode == compose::ChangeMode::signal
                                         ? fmt::format("Rotated in place ({} sent)", service.change_signal)
                                         : "Rotated in place");
    return {};
  }

  // `values` (one per rotation of the step) into the running container, at each secret's target with
  // its owner and mode; then the service's signal, if it has one.
  base::Result<void> put_in_place(const ContainerStep& step, const std::vector<const base::SecretBytes*>& values) {
    const auto& container = *step.existing;
    const auto directory = secrets_directory_of(container, stack_, secret_files_);
    auto state = engine_.inspect_container(container.id);
    if (!state) return base::fail(state.error().message);
    if (directory.empty() || state->pid <= 0) {
      return base::fail(fmt::format("cannot rotate the secrets of container {} in place: it {}; stop it and run "
                                    "stackup deploy, which recreates it",
                                    step.name, directory.empty() ? "has no secrets directory of stackup's" : "is not running"));
    }
    std::vector<Replacement> replacements;
    for (std::size_t i = 0; i < step.rotations.size(); ++i) {
      const auto& mount = step.container.secrets[step.rotations[i]];
      replacements.push_back({{mount.file_name, values[i], mount.uid, mount.gid, static_cast<mode_t>(mount.mode)}, mount.target});
    }
    if (auto replaced = secret_files_.replace(stack_, directory, state->pid, replacements); !replaced) {
      return base::fail(fmt::format("container {}: {}", step.name, replaced.error().message));
    }
    const auto& service = *step.service;
    if (service.change_mode != compose::ChangeMode::signal) return {};
    if (auto sent = engine_.kill_container(container.id, service.change_signal); !sent) {
      return base::fail(fmt::format("container {}: the new secrets are in place, but {} could not be sent: {}", step.name,
                                    service.change_signal, sent.error().message));
    }
    return {};
  }

  // Puts back the versions the containers rotated in place held before, from the store.
  void put_back_rotated() {
    for (const auto* step : journal_.rotated) {
      const auto held = held_versions(*step->existing, inputs_.recorded);
      std::vector<base::SecretBytes> old_values;
      for (const auto i : step->rotations) {
        const auto& secret = step->container.secrets[i].secret;
        auto value = store_.reveal(secret, std::atoi(held.at(secret).c_str()));
        if (!value) {
          progress_.warning(fmt::format("container {} keeps the new version of {}: {}", step->name, secret,
                                        value.error().message));
          break;
        }
        old_values.push_back(std::move(*value));
      }
      if (old_values.size() != step->rotations.size()) continue;
      std::vector<const base::SecretBytes*> values;
      for (const auto& value : old_values) values.push_back(&value);
      if (auto ok = put_in_place(*step, values); !ok) progress_.warning(ok.error().message);
    }
  }

  void report(const std::string& subject, const std::string& status) {
    const std::lock_guard lock(lock_);
    progress_.update(subject, status);
  }

  // The files a container's secrets directory holds: its secrets, then its materialized configs.
  std::vector<SecretFile> files_of(const ContainerStep& step) {
    const auto& service = *step.service;
    const auto& plan = step.container;
    std::vector<SecretFile> files;
    auto add = [&](const SecretMount& mount, const base::SecretBytes& value) {
      files.push_back({mount.file_name, &value, mount.uid, mount.gid, static_cast<mode_t>(mount.mode)});
    };
    for (std::size_t i = 0; i < plan.secrets.size(); ++i) add(plan.secrets[i], inputs_.secrets.at(service.secrets[i].source).value);
    // plan.configs holds the materialized configs in the service's order, file-backed ones left out.
    auto mount = plan.configs.begin();
    for (const auto& reference : service.configs) {
      const auto it = inputs_.configs.find(reference.source);
      if (it != inputs_.configs.end()) add(*mount++, it->second.value);
    }
    return files;
  }

  base::Result<void> replace_container(const ContainerStep& step) {
    const auto& plan = step.container;
    const auto* old = step.existing ? &*step.existing : nullptr;
    const auto directory = new_secrets_directory_name(plan.name);
    const auto files = files_of(step);
    if (!files.empty()) {
      if (auto ok = secret_files_.materialize(stack_, directory, files); !ok) return ok;
      const std::lock_guard lock(lock_);
      journal_.materialized.push_back(directory);
    }
    if (old != nullptr) {
      // Kept aside, stopped, until its successor runs: a failure puts it back.
      const auto aside = fmt::format("{}{}{}", old->name, set_aside_infix, random_token());
      if (auto ok = engine_.rename_container(old->id, aside); !ok) return ok;
      {
        const std::lock_guard lock(lock_);
        journal_.set_aside.push_back(journal_entry(*old));
      }
      if (auto ok = engine_.stop_container(old->id, 10); !ok) return ok;
    }
    report("Container " + plan.name, old ? "Recreating" : "Creating");
    auto id = engine_.create_container(plan.name,
                                       config_with_secrets(plan, secret_files_.host_path(stack_, directory), directory));
    if (!id) return base::fail(id.error().message);
    {
      const std::lock_guard lock(lock_);
      journal_.started.push_back(*id);
    }
    for (const auto& [network, endpoint] : plan.extra_networks) {
      if (auto ok = engine_.connect_network(network, *id, endpoint); !ok) return ok;
    }
    if (auto ok = engine_.start_container(*id); !ok) return ok;
    report("Container " + plan.name, old ? "Recreated" : "Started");
    return {};
  }

  Journal::Container journal_entry(const engine::ContainerSummary& container) {
    return {container.id, container.name, secrets_directory_of(container, stack_, secret_files_)};
  }

  void finish() {
    // A container that could not be removed may still run: it keeps its secrets.
    auto remove = [&](const Journal::Container& old) -> base::Result<void> {
      (void)engine_.stop_container(old.id, 10);
      auto removed = engine_.remove_container(old.id);
      if (removed && !old.secrets_directory.empty()) (void)secret_files_.destroy(stack_, old.secrets_directory);
      return {};
    };
    (void)parallel_for_each(journal_.set_aside, default_parallelism, remove);
    std::vector<Journal::Container> removals;
    for (const auto& step : plan_.removals) removals.push_back(journal_entry(*step.existing));
    (void)parallel_for_each(removals, default_parallelism, [&](const Journal::Container& old) {
      auto removed = remove(old);
      report("Container " + old.name, "Removed");
      return removed;
    });
    if (auto recorded = store_.set_usages(stack_, usages_of(plan_, inputs_)); !recorded) progress_.warning(recorded.error().message);
    remove_unused_secret_directories();
    if (journal_.empty() && plan_.removals.empty()) progress_.update("Stack " + stack_, "Up to date: nothing changed");
  }

  // Secrets directories that no container of the stack uses: what a deploy killed before it could
  // clean up left behind. Those in use are the ones this deploy made and those of the containers it
  // found (the ones it replaced are already wiped). Safe because the stack's lock keeps any other
  // deploy of it out.
  void remove_unused_secret_directories() {
    std::set<std::string> in_use(journal_.materialized.begin(), journal_.materialized.end());
    for (const auto& container : plan_.found) {
      if (auto directory = secrets_directory_of(container, stack_, secret_files_); !directory.empty()) in_use.insert(directory);
    }
    secret_files_.destroy_stack(stack_, in_use);
  }

  void rollback() {
    put_back_rotated();
    for (auto it = journal_.started.rbegin(); it != journal_.started.rend(); ++it) (void)engine_.remove_container(*it);
    for (const auto& directory : journal_.materialized) (void)secret_files_.destroy(stack_, directory);
    for (const auto& old : journal_.set_aside) {
      (void)engine_.rename_container(old.id, old.name);
      (void)engine_.start_container(old.id);
    }
    for (const auto& network : journal_.created_networks) {
      if (auto removed = remove_stack_network(engine_, network, stack_); !removed) progress_.warning(removed.error().message);
    }
    for (const auto& name : journal_.created_volumes) (void)engine_.remove_volume(name);
    for (const auto& name : journal_.created_secrets) (void)store_.remove(name);
  }

  engine::Engine& engine_;
  store::Vault& store_;
  SecretFiles& secret_files_;
  Progress& progress_;
  const Plan& plan_;
  const Inputs& inputs_;
  std::string stack_;
  const DeployOptions& options_;
  Journal journal_;
  std::mutex lock_;  // guards journal_ and progress_ while containers deploy in parallel
};

}  // namespace

base::Result<void> LocalOrchestrator::apply(const Plan& plan, const Inputs& inputs, const DeployOptions& options,
                                            bool& left_nothing) {
  LocalApply run(engine_, store_, secret_files_, progress_, plan, inputs, options);
  auto applied = run.run();
  // A failed first deploy is rolled back entirely: with no container left, no secrets directory is.
  left_nothing = !applied && plan.stack_was_empty;
  if (left_nothing) secret_files_.destroy_stack(plan.stack, {});
  return applied;
}

}  // namespace stackup::deploy
