#include "deploy/swarm_deployer.hpp"

#include <fmt/format.h>

#include "deploy/container_config.hpp"

namespace stackup::deploy {

base::Result<void> SwarmDeployer::check_manager() {
  if (auto ok = engine_.ping(); !ok) return ok;
  auto info = swarm_.info();
  if (!info) return std::unexpected(info.error());
  if (info->state != "active" || !info->manager) {
    return base::fail(
        "this Docker engine is not a swarm manager: run `docker swarm init`, or point DOCKER_HOST at a manager");
  }
  return {};
}

base::Result<std::pair<Inputs, SwarmPlan>> SwarmDeployer::prepare(const compose::Project& project, const DeployOptions& options,
                                                                   const SwarmState& state, bool dry_run) {
  Sources sources{store_, engine_, environment_, files_, dry_run, compose::Orchestrator::swarm};
  auto inputs = gather(project, options.stack, sources);
  if (!inputs) return std::unexpected(inputs.error());
  auto plan = make_swarm_plan(*inputs, state, options.prune);
  if (!plan) return std::unexpected(plan.error());
  return std::pair{std::move(*inputs), std::move(*plan)};
}

base::Result<void> SwarmDeployer::deploy(const compose::Project& project, const DeployOptions& options) {
  stack_is_gone_ = false;
  if (auto ok = check_manager(); !ok) return ok;
  auto state = observe_swarm(engine_, swarm_, options.stack);
  if (!state) return std::unexpected(state.error());
  auto prepared = prepare(project, options, *state, false);
  if (!prepared) {
    stack_is_gone_ = state->services.empty();
    return std::unexpected(prepared.error());
  }
  const auto& [inputs, plan] = *prepared;
  auto applied = apply_swarm_plan(engine_, swarm_, store_, progress_, plan, inputs, options, *state);
  stack_is_gone_ = !applied && plan.stack_was_empty;
  return applied;
}

base::Result<SwarmPlan> SwarmDeployer::plan(const compose::Project& project, const DeployOptions& options) {
  if (auto ok = check_manager(); !ok) return std::unexpected(ok.error());
  auto state = observe_swarm(engine_, swarm_, options.stack);
  if (!state) return std::unexpected(state.error());
  auto prepared = prepare(project, options, *state, true);
  if (!prepared) return std::unexpected(prepared.error());
  return std::move(prepared->second);
}

base::Result<SwarmDownPlan> SwarmDeployer::plan_down(const DownOptions& options) {
  if (auto ok = check_manager(); !ok) return std::unexpected(ok.error());
  auto state = observe_swarm(engine_, swarm_, options.stack);
  if (!state) return std::unexpected(state.error());
  std::vector<std::string> stack_secrets;
  if (options.secrets) {
    auto secrets = store_.list({{std::string(namespace_label), options.stack}});
    if (!secrets) return std::unexpected(secrets.error());
    for (const auto& secret : *secrets) stack_secrets.push_back(secret.name);
  }
  return make_swarm_down_plan(*state, options.stack, stack_secrets);
}

base::Result<void> SwarmDeployer::down(const DownOptions& options) {
  auto plan = plan_down(options);
  if (!plan) return std::unexpected(plan.error());
  auto done = run_swarm_down(engine_, swarm_, store_, progress_, *plan);
  stack_is_gone_ = done.has_value();
  return done;
}

}  // namespace stackup::deploy
