#pragma once
// `stackup deploy` and `stackup down`: gather the inputs, observe the engine, make a plan, apply it.
// Each phase hands the next a value; the orchestrator (here the local engine; Swarm in
// swarm_deployer.hpp) observes and applies.
#include <atomic>
#include <string>

#include "base/error.hpp"
#include "compose/environment.hpp"
#include "compose/model.hpp"
#include "deploy/inputs.hpp"
#include "deploy/plan.hpp"
#include "deploy/secret_files.hpp"
#include "engine/engine.hpp"
#include "store/vault.hpp"

namespace stackup::deploy {

// Where deploy tells what it does: one subject (a container, a network, a secret) and its status.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void update(const std::string& subject, const std::string& status) = 0;
  virtual void warning(const std::string& message) = 0;
};

struct DeployOptions {
  std::string stack;
  bool prune = false;
  // Set (by a signal handler) to stop the deploy at its next step and roll back.
  const std::atomic<bool>* interrupted = nullptr;
};

// What runs a plan of containers: the local engine. Swarm schedules services, not containers, so it
// has a plan and a deployer of its own (swarm_plan.hpp, swarm_deployer.hpp); the inputs and the
// store's side of a deploy (store_versions.hpp) are the same for both.
class Orchestrator {
 public:
  virtual ~Orchestrator() = default;
  virtual base::Result<CurrentState> observe(const std::string& stack) = 0;
  // Applies a plan made from `inputs`. On failure, what it created is removed and what it replaced is
  // put back; `left_nothing` then says whether the stack had nothing before either.
  virtual base::Result<void> apply(const Plan& plan, const Inputs& inputs, const DeployOptions& options,
                                   bool& left_nothing) = 0;
  // What `down` would remove, changing nothing.
  virtual base::Result<DownPlan> plan_down(const DownOptions& options) = 0;
  // Removes all the plan names that it can, and reports every failure at once.
  virtual base::Result<void> down(const DownPlan& plan) = 0;
};

// The local Docker engine: containers with their secrets on tmpfs.
class LocalOrchestrator final : public Orchestrator {
 public:
  LocalOrchestrator(engine::Engine& engine, store::Vault& store, SecretFiles& secret_files, Progress& progress)
      : engine_(engine), store_(store), secret_files_(secret_files), progress_(progress) {}
  base::Result<CurrentState> observe(const std::string& stack) override;
  base::Result<void> apply(const Plan& plan, const Inputs& inputs, const DeployOptions& options, bool& left_nothing) override;
  base::Result<DownPlan> plan_down(const DownOptions& options) override;
  base::Result<void> down(const DownPlan& plan) override;

 private:
  engine::Engine& engine_;
  store::Vault& store_;
  SecretFiles& secret_files_;
  Progress& progress_;
};

class Deployer {
 public:
  // `files` is where secret files and env files are read (the disk, or memory in tests).
  Deployer(engine::Engine& engine, store::Vault& store, SecretFiles& secret_files, const compose::FileSystem& files,
           const compose::Environment& environment, Progress& progress)
      : engine_(engine), store_(store), files_(files), environment_(environment),
        local_(engine, store, secret_files, progress) {}

  // Brings the stack to what the project describes, touching only what changed. On failure, what this
  // deploy created is removed and replaced containers are put back.
  base::Result<void> deploy(const compose::Project& project, const DeployOptions& options);
  // The plan a deploy would apply; changes nothing (no store or engine write, nothing on disk).
  base::Result<Plan> plan(const compose::Project& project, const DeployOptions& options);
  base::Result<void> down(const DownOptions& options);
  base::Result<DownPlan> plan_down(const DownOptions& options) { return local_.plan_down(options); }
  // After a successful down, or a failed first deploy: nothing of the stack is left on this host.
  [[nodiscard]] bool stack_is_gone() const { return stack_is_gone_; }

 private:
  base::Result<Inputs> gather_inputs(const compose::Project& project, const std::string& stack, bool dry_run);

  engine::Engine& engine_;
  store::Vault& store_;
  const compose::FileSystem& files_;
  const compose::Environment& environment_;
  LocalOrchestrator local_;
  bool stack_is_gone_ = false;
};

// The name of a container's secrets directory under the stack's, from its label; "" unless stackup
// made it for that very container (see secret_files.hpp).
std::string secrets_directory_of(const engine::ContainerSummary& container, const std::string& stack, SecretFiles& files);

}  // namespace stackup::deploy
