#include "deploy/deployer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "compose/filesystem.hpp"
#include "deploy/container_config.hpp"
#include "deploy/parallel.hpp"
#include "store/crypto.hpp"

namespace stackup::deploy {
namespace {

using engine::Json;

std::string label_of(const std::string& stack) { return fmt::format("{}={}", namespace_label, stack); }

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

std::string random_token() { return store::crypto::to_hex(store::crypto::random_bytes(6)); }

// The name of a container's secrets directory under the stack's, from its label. Only a name that
// stackup makes for that very container (STACK-service-N-<hex>) on a container stackup created (it
// has the hash label) counts, so a label set by anyone else can at most pick another of the stack's
// own directories, never a path on the host. Labels of stackup 0.1 held the whole path: accepted
// when it is exactly where that name lies.
std::string secrets_directory_of(const engine::ContainerSummary& container, const std::string& stack, SecretFiles& files) {
  if (!container.labels.contains(std::string(hash_label))) return "";
  const auto label = engine::label_value(container.labels, secrets_label);
  const auto service = engine::label_value(container.labels, "com.docker.compose.service");
  const int number = std::atoi(engine::label_value(container.labels, "com.docker.compose.container-number").c_str());
  auto name = label.substr(label.rfind('/') + 1);  // the whole label when it has no '/'
  if (name != label && files.host_path(stack, name) != label) return "";
  return is_secrets_directory_name(name, container_name(stack, service, number)) ? name : "";
}

// A uid or gid; validation has bounded them already, so a failure here names a value that bypassed it.
base::Result<std::uint32_t> numeric_id(const std::string& text, std::string_view what, const std::string& source) {
  std::uint32_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size() || id == 4294967295u) {
    return base::fail(fmt::format("\"{}\": {} {} is not a number from 0 to 4294967294", source, what, text));
  }
  return id;
}

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
  std::vector<Container> leftovers;       // removed only when the deploy succeeds

  [[nodiscard]] bool empty() const {
    return created_secrets.empty() && created_networks.empty() && created_volumes.empty() && started.empty() &&
           set_aside.empty() && leftovers.empty();
  }
};

// A container set aside during a deploy is renamed STACK-service-N-replaced-<token>.
constexpr std::string_view set_aside_infix = "-replaced-";


class DeployRun {
 public:
  DeployRun(engine::Engine& engine, store::SecretStore& store, SecretFiles& secret_files,
            const compose::Environment& environment, Progress& progress, const compose::Project& project,
            const DeployOptions& options)
      : engine_(engine), store_(store), secret_files_(secret_files), environment_(environment), progress_(progress),
        project_(project), stack_(options.stack), options_(options) {}

  // After a failed run: true when the stack had no container before it, so none is left now.
  [[nodiscard]] bool left_nothing() const { return first_deploy_; }

  base::Result<void> run() {
    auto existing = engine_.list_containers(label_of(stack_));
    if (!existing) return base::fail(existing.error().message);
    for (auto& container : *existing) existing_[container.name] = container;
    first_deploy_ = existing_.empty();
    if (auto ok = preflight(); !ok) return ok;
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
  // --- before touching anything ----------------------------------------------------------------

  base::Result<void> preflight() {
    for (const auto& service : project_.services) {
      if (service.image.empty()) {
        return base::fail(fmt::format("service \"{}\" has no image; stackup deploy does not build images (build: is "
                                      "refused): build it first, e.g. docker build -t NAME ., and set image: NAME",
                                      service.name));
      }
      for (const auto& field : service.ignored_fields) {
        progress_.warning(fmt::format("service \"{}\": \"{}\" is not supported by the local orchestrator and is ignored",
                                      service.name, field));
      }
      for (const auto& reference : service.secrets) {
        if (auto ok = prepare_secret(reference.source); !ok) return ok;
      }
      for (const auto& reference : service.configs) {
        const auto& config = project_.configs.at(reference.source);
        if (config.source == compose::SecretSource::external) {
          return base::fail(fmt::format("config \"{}\": external configs live in a Docker Swarm, which the local "
                                        "orchestrator does not read; give it a file: instead",
                                        reference.source));
        }
        if (auto ok = prepare_config(reference.source); !ok) return ok;
      }
      if (auto ok = read_env_files(service); !ok) return ok;
    }
    if (auto ok = engine_.ping(); !ok) return ok;
    std::set<std::string> images;
    for (const auto& service : project_.services) images.insert(service.image);
    for (const auto& image : images) {
      auto present = engine_.image_exists(image);
      if (!present) return base::fail(present.error().message);
      if (*present) continue;
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

  // Reads a service's env_files once; a missing file or a bad line stops the deploy, saying where.
  base::Result<void> read_env_files(const compose::Service& service) {
    auto& values = env_file_values_[service.name];
    const compose::DiskFileSystem disk;
    for (const auto& path : service.env_files) {
      auto text = disk.read(path);
      if (!text) return base::fail(fmt::format("service \"{}\": env file {}: {}", service.name, path, text.error().message));
      base::Diagnostics diagnostics;
      compose::load_env_file(std::make_shared<const base::SourceFile>(base::SourceFile{path, std::move(*text)}), values,
                             diagnostics);
      if (diagnostics.has_errors()) return base::fail(base::headline(diagnostics.all().front()));
    }
    return {};
  }

  // Reads the value of a config given by content: or environment:, once per config; those are
  // materialized with the secrets. A file-backed config is bind-mounted as it is.
  base::Result<void> prepare_config(const std::string& key) {
    const auto& definition = project_.configs.at(key);
    if (!definition.file.empty() || config_values_.contains(key)) return {};
    if (definition.source == compose::SecretSource::environment) {
      const auto value = environment_.get(definition.environment);
      if (!value) return base::fail(fmt::format("config \"{}\": environment variable {} is not set", key, definition.environment));
      config_values_.emplace(key, base::SecretBytes(*value));
    } else {
      config_values_.emplace(key, base::SecretBytes(definition.content));
    }
    return {};
  }

  // Reads a secret's value (or checks an external one exists), once per secret.
  base::Result<void> prepare_secret(const std::string& key) {
    if (values_.contains(key) || externals_.contains(key)) return {};
    const auto& definition = project_.secrets.at(key);
    const auto name = definition.object_name(stack_);
    if (!definition.driver.empty() || !definition.template_driver.empty()) {
      return base::fail(fmt::format("secret \"{}\": driver and template_driver need Docker Swarm; the local "
                                    "orchestrator keeps secrets in stackup's store (use file, environment or external)",
                                    key));
    }
    switch (definition.source) {
      case compose::SecretSource::external: {
        auto info = store_.inspect(name);
        if (!info) {
          return base::fail(fmt::format("secret not found: {}; create it first: stackup secret create {} FILE", name, name));
        }
        externals_[key] = *info;
        return {};
      }
      case compose::SecretSource::environment: {
        const auto value = environment_.get(definition.environment);
        if (!value) {
          return base::fail(fmt::format("secret \"{}\": environment variable {} is not set", key, definition.environment));
        }
        values_.emplace(key, base::SecretBytes(*value));
        return {};
      }
      default: {
        auto value = base::read_secret_file(definition.file);
        if (!value) return base::fail(fmt::format("secret \"{}\": {}: {}", key, definition.file, value.error().message));
        values_.emplace(key, std::move(*value));
        return {};
      }
    }
  }

  // --- changing things ---------------------------------------------------------------------------

  base::Result<void> apply() {
    if (auto ok = check_interrupted(); !ok) return ok;
    if (auto ok = store_secrets(); !ok) return ok;
    for (const auto& [key, value] : config_values_) {
      auto fingerprint = store_.fingerprint(value);
      if (!fingerprint) return base::fail(fingerprint.error().message);
      config_fingerprints_[key] = std::move(*fingerprint);
    }
    if (auto ok = ensure_networks(); !ok) return ok;
    if (auto ok = ensure_volumes(); !ok) return ok;
    // Each level's containers are created and started side by side, once what they depend on is ready.
    for (const auto& level : levels_of(project_)) {
      if (auto ok = check_interrupted(); !ok) return ok;
      std::vector<std::pair<const compose::Service*, int>> replicas;
      for (const auto* service : level) {
        if (auto ok = wait_for_dependencies(*service); !ok) return ok;
        for (int number = 1; number <= service->replicas; ++number) replicas.emplace_back(service, number);
      }
      auto deployed = parallel_for_each(replicas, default_parallelism,
                                        [&](const auto& replica) { return deploy_replica(*replica.first, replica.second); });
      if (!deployed) return deployed;
    }
    return remove_leftovers();
  }

  [[nodiscard]] base::Result<void> check_interrupted() const {
    if (options_.interrupted != nullptr && options_.interrupted->load()) {
      return base::fail("interrupted: the deploy was stopped and what it changed was rolled back");
    }
    return {};
  }

  base::Result<void> store_secrets() {
    for (auto& [key, value] : values_) {
      const auto name = project_.secrets.at(key).object_name(stack_);
      auto stored = store_.put(name, value, {{std::string(namespace_label), stack_}});
      if (!stored) return base::fail(stored.error().message);
      const auto& [info, outcome] = *stored;
      versions_[key] = info.version;
      if (outcome == store::PutOutcome::created) {
        journal_.created_secrets.push_back(name);
        progress_.update("Secret " + name, "Created");
      } else if (outcome == store::PutOutcome::rotated) {
        progress_.update("Secret " + name, fmt::format("Rotated to version {}", info.version));
      }
    }
    for (const auto& [key, info] : externals_) {
      versions_[key] = info.version;
      auto value = store_.reveal(info.name);
      if (!value) return base::fail(value.error().message);
      values_.emplace(key, std::move(*value));
    }
    return {};
  }

  base::Result<void> ensure_networks() {
    auto present = engine_.list_networks(label_of(stack_));
    if (!present) return base::fail(present.error().message);
    std::set<std::string> names;
    for (const auto& network : *present) names.insert(network.name);
    std::set<std::string> wanted;
    for (const auto& service : project_.services) {
      for (const auto& network : service.networks) wanted.insert(network.key);
    }
    for (const auto& key : wanted) {
      const auto it = project_.networks.find(key);
      if (it != project_.networks.end() && it->second.external) continue;
      const auto name = network_name(project_, stack_, key);
      if (names.contains(name)) continue;
      auto created = engine_.create_network(
          name, {{"Driver", "bridge"}, {"CheckDuplicate", true}, {"Labels", {{std::string(namespace_label), stack_}}}});
      if (!created) return base::fail(created.error().message);
      journal_.created_networks.push_back({*created, name, {}});
      progress_.update("Network " + name, "Created");
    }
    return {};
  }

  base::Result<void> ensure_volumes() {
    auto present = engine_.list_volumes(label_of(stack_));
    if (!present) return base::fail(present.error().message);
    std::set<std::string> names;
    for (const auto& volume : *present) names.insert(volume.name);
    for (const auto& [key, volume] : project_.volumes) {
      if (volume.external) continue;
      const auto name = volume_name(project_, stack_, key);
      if (names.contains(name)) continue;
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
      if (dependency.condition == "service_started") continue;
      const auto* other = project_.find_service(dependency.service);
      if (!other) continue;
      for (int number = 1; number <= other->replicas; ++number) {
        if (auto ok = wait_for(container_name(stack_, other->name, number), dependency.condition); !ok) return ok;
      }
    }
    return {};
  }

  base::Result<void> wait_for(const std::string& name, const std::string& condition) {
    progress_.update("Container " + name, condition == "service_healthy" ? "Waiting to be healthy" : "Waiting to complete");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto ok = check_interrupted(); !ok) return ok;
      auto state = engine_.inspect_container(name);
      if (!state) return base::fail(state.error().message);
      if (condition == "service_healthy") {
        if (state->health == "healthy") return {};
        if (state->health == "unhealthy") return base::fail(fmt::format("container {} is unhealthy", name));
        if (state->health.empty()) return base::fail(fmt::format("container {} has no healthcheck to wait for", name));
      } else if (state->status == "exited") {
        if (state->exit_code == 0) return {};
        return base::fail(fmt::format("container {} exited with code {}", name, state->exit_code));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return base::fail(fmt::format("timed out waiting for container {} ({})", name, condition));
  }

  // Runs on a worker thread: shared state is touched under lock_ only.
  base::Result<void> deploy_replica(const compose::Service& service, int number) {
    if (auto ok = check_interrupted(); !ok) return ok;
    std::vector<SecretMount> mounts;
    for (std::size_t i = 0; i < service.secrets.size(); ++i) {
      const auto& reference = service.secrets[i];
      mounts.push_back({project_.secrets.at(reference.source).object_name(stack_), versions_.at(reference.source),
                        fmt::format("{}-{}", i, reference.source), reference.mount_path(), ""});
    }
    std::vector<SecretMount> configs;
    for (std::size_t i = 0; i < service.configs.size(); ++i) {
      const auto& reference = service.configs[i];
      if (!config_values_.contains(reference.source)) continue;
      configs.push_back({reference.source, 0, fmt::format("config-{}-{}", i, reference.source), config_mount_path(reference),
                         config_fingerprints_.at(reference.source)});
    }
    auto plan = plan_container(project_, service, stack_, number, std::move(mounts), environment_,
                               env_file_values_.at(service.name), std::move(configs));
    {
      const std::lock_guard lock(lock_);
      usages_.push_back(plan);
    }
    const auto it = existing_.find(plan.name);
    if (it != existing_.end() && it->second.labels.contains(std::string(hash_label)) &&
        it->second.labels.at(std::string(hash_label)) == plan.hash && it->second.state == "running") {
      report("Container " + plan.name, "Running (unchanged)");
      return {};
    }
    return replace_container(service, plan, it == existing_.end() ? nullptr : &it->second);
  }

  Journal::Container journal_entry(const engine::ContainerSummary& container) {
    return {container.id, container.name, secrets_directory_of(container, stack_, secret_files_)};
  }

  void report(const std::string& subject, const std::string& status) {
    const std::lock_guard lock(lock_);
    progress_.update(subject, status);
  }

  base::Result<void> replace_container(const compose::Service& service, const ContainerPlan& plan,
                                       const engine::ContainerSummary* old) {
    const auto directory = new_secrets_directory_name(plan.name);
    std::vector<SecretFile> files;
    auto add = [&](const SecretMount& mount, const compose::FileReference& reference,
                   const base::SecretBytes& value) -> base::Result<void> {
      const auto uid = numeric_id(reference.uid, "uid", reference.source);
      const auto gid = numeric_id(reference.gid, "gid", reference.source);
      if (!uid || !gid) return std::unexpected(uid ? gid.error() : uid.error());
      files.push_back({mount.file_name, &value, *uid, *gid, static_cast<mode_t>(reference.mode)});
      return {};
    };
    for (std::size_t i = 0; i < plan.secrets.size(); ++i) {
      if (auto ok = add(plan.secrets[i], service.secrets[i], values_.at(service.secrets[i].source)); !ok) return ok;
    }
    // plan.configs holds the materialized configs in the service's order, file-backed ones left out.
    auto mount = plan.configs.begin();
    for (const auto& reference : service.configs) {
      if (!config_values_.contains(reference.source)) continue;
      if (auto ok = add(*mount++, reference, config_values_.at(reference.source)); !ok) return ok;
    }
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

  // Replicas beyond the count, with --prune services no longer in the file, and containers that a
  // killed deploy had set aside (stackup's, named STACK-service-N-replaced-*).
  base::Result<void> remove_leftovers() {
    for (const auto& [name, container] : existing_) {
      const auto service_name = engine::label_value(container.labels, "com.docker.compose.service");
      const auto* service = project_.find_service(service_name);
      const int number = std::atoi(engine::label_value(container.labels, "com.docker.compose.container-number").c_str());
      const bool extra_replica = service && number > service->replicas;
      const bool set_aside = container.labels.contains(std::string(hash_label)) &&
                             name.starts_with(container_name(stack_, service_name, number) + std::string(set_aside_infix));
      if (!extra_replica && !set_aside && !(options_.prune && !service)) continue;
      journal_.leftovers.push_back(journal_entry(container));
      progress_.update("Container " + name, "Removing");
    }
    return {};
  }

  // --- the end ------------------------------------------------------------------------------------

  void finish() {
    auto remove = [&](const Journal::Container& old) -> base::Result<void> {
      (void)engine_.stop_container(old.id, 10);
      (void)engine_.remove_container(old.id);
      if (!old.secrets_directory.empty()) (void)secret_files_.destroy(stack_, old.secrets_directory);
      return {};
    };
    (void)parallel_for_each(journal_.set_aside, default_parallelism, remove);
    (void)parallel_for_each(journal_.leftovers, default_parallelism, [&](const Journal::Container& old) {
      auto removed = remove(old);
      report("Container " + old.name, "Removed");
      return removed;
    });
    std::vector<std::pair<std::string, store::SecretUsage>> usages;
    for (const auto& plan : usages_) {
      for (const auto& secret : plan.secrets) usages.push_back({secret.secret, {stack_, plan.service, secret.version}});
    }
    if (auto recorded = store_.set_usages(stack_, usages); !recorded) progress_.warning(recorded.error().message);
    remove_unused_secret_directories();
    if (journal_.empty()) progress_.update("Stack " + stack_, "Up to date: nothing changed");
  }

  // Secrets directories that no container of the stack uses: what a deploy killed before it could
  // clean up left behind. Those in use are the ones this deploy made and those of the containers it
  // found (the ones it replaced are already wiped). Safe because the stack's lock keeps any other
  // deploy of it out.
  void remove_unused_secret_directories() {
    std::set<std::string> in_use(journal_.materialized.begin(), journal_.materialized.end());
    for (const auto& [name, container] : existing_) {
      if (auto directory = secrets_directory_of(container, stack_, secret_files_); !directory.empty()) in_use.insert(directory);
    }
    secret_files_.destroy_stack(stack_, in_use);
  }

  void rollback() {
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
    if (first_deploy_) secret_files_.destroy_stack(stack_, {});
  }

  engine::Engine& engine_;
  store::SecretStore& store_;
  SecretFiles& secret_files_;
  const compose::Environment& environment_;
  Progress& progress_;
  const compose::Project& project_;
  std::string stack_;
  const DeployOptions& options_;
  std::map<std::string, base::SecretBytes> values_;       // by secret key
  std::map<std::string, base::SecretBytes> config_values_;      // by config key: content: and environment: ones
  std::map<std::string, std::string> config_fingerprints_;      // by config key
  std::map<std::string, store::SecretInfo> externals_;    // by secret key
  std::map<std::string, int> versions_;                   // by secret key
  std::map<std::string, compose::Environment> env_file_values_;  // by service
  std::map<std::string, engine::ContainerSummary> existing_;
  bool first_deploy_ = false;  // no container of the stack was there before
  std::vector<ContainerPlan> usages_;
  Journal journal_;
  std::mutex lock_;  // guards usages_, journal_ and progress_ while replicas deploy in parallel
};

}  // namespace

base::Result<void> Deployer::deploy(const compose::Project& project, const DeployOptions& options) {
  DeployRun run(engine_, store_, secret_files_, environment_, progress_, project, options);
  auto deployed = run.run();
  stack_is_gone_ = !deployed && run.left_nothing();
  return deployed;
}

// Removes all it can and reports every failure at once: a container that will not stop keeps its
// secrets and the store's record of them; a network or volume left behind does not.
base::Result<void> Deployer::down(const DownOptions& options) {
  auto containers = engine_.list_containers(label_of(options.stack));
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
  auto networks = engine_.list_networks(label_of(options.stack));
  if (!networks) failures.push_back(networks.error().message);
  for (const auto& network : networks.value_or(std::vector<engine::Resource>{})) {
    if (auto removed = remove_stack_network(engine_, network, options.stack); !removed) {
      failures.push_back(removed.error().message);
    } else {
      progress_.update("Network " + network.name, "Removed");
    }
  }
  if (options.volumes) {
    auto volumes = engine_.list_volumes(label_of(options.stack));
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
  stack_is_gone_ = true;
  return {};
}

}  // namespace stackup::deploy
