#pragma once
// `stackup deploy|down --orchestrator swarm`: the same inputs as the local orchestrator, a plan of
// Swarm objects and services, applied through the Engine API. Swarm schedules; stackup only hands it
// the stack, with a new immutable Swarm secret per store version so that rotation works.
#include <string>

#include "base/error.hpp"
#include "compose/environment.hpp"
#include "compose/filesystem.hpp"
#include "compose/model.hpp"
#include "deploy/deployer.hpp"
#include "deploy/swarm_plan.hpp"
#include "engine/engine.hpp"
#include "engine/swarm.hpp"
#include "store/vault.hpp"

namespace stackup::deploy {

class SwarmDeployer {
 public:
  SwarmDeployer(engine::Engine& engine, engine::Swarm& swarm, store::Vault& store, const compose::FileSystem& files,
                const compose::Environment& environment, Progress& progress)
      : engine_(engine), swarm_(swarm), store_(store), files_(files), environment_(environment), progress_(progress) {}

  // Fails, touching nothing, unless the engine manages a swarm.
  base::Result<void> check_manager();
  // Creates what is new, updates changed services in place and waits until their tasks run; on
  // failure, rolls back what this deploy changed.
  base::Result<void> deploy(const compose::Project& project, const DeployOptions& options);
  base::Result<SwarmPlan> plan(const compose::Project& project, const DeployOptions& options);
  base::Result<SwarmDownPlan> plan_down(const DownOptions& options);
  base::Result<void> down(const DownOptions& options);
  [[nodiscard]] bool stack_is_gone() const { return stack_is_gone_; }

 private:
  base::Result<std::pair<Inputs, SwarmPlan>> prepare(const compose::Project& project, const DeployOptions& options,
                                                             const SwarmState& state, bool dry_run);

  engine::Engine& engine_;
  engine::Swarm& swarm_;
  store::Vault& store_;
  const compose::FileSystem& files_;
  const compose::Environment& environment_;
  Progress& progress_;
  bool stack_is_gone_ = false;
};

// Runs a plan; on failure undoes what it did. Defined in swarm_apply.cpp.
base::Result<void> apply_swarm_plan(engine::Engine& engine, engine::Swarm& swarm, store::Vault& store, Progress& progress,
                                    const SwarmPlan& plan, const Inputs& inputs, const DeployOptions& options,
                                    const SwarmState& state);
// Removes what the plan names and reports every failure at once. Defined in swarm_down.cpp.
base::Result<void> run_swarm_down(engine::Engine& engine, engine::Swarm& swarm, store::Vault& store, Progress& progress,
                                  const SwarmDownPlan& plan);

}  // namespace stackup::deploy
