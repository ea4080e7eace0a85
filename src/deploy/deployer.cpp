#include "deploy/deployer.hpp"

namespace stackup::deploy {

base::Result<Inputs> Deployer::gather_inputs(const compose::Project& project, const std::string& stack, bool dry_run) {
  const Sources sources{store_, engine_, environment_, files_, dry_run};
  return gather(project, stack, sources);
}

// Inputs first: a missing external secret or file is reported before anything asks the engine.
base::Result<void> Deployer::deploy(const compose::Project& project, const DeployOptions& options) {
  stack_is_gone_ = false;
  auto inputs = gather_inputs(project, options.stack, false);
  if (!inputs) {
    // A first deploy that fails here leaves nothing at all (its lock file included).
    const auto current = local_.observe(options.stack);
    stack_is_gone_ = current && current->containers.empty();
    return std::unexpected(inputs.error());
  }
  auto current = local_.observe(options.stack);
  if (!current) return std::unexpected(current.error());
  const auto plan = make_plan(*inputs, *current, options.prune);
  bool left_nothing = false;
  auto applied = local_.apply(plan, *inputs, options, left_nothing);
  stack_is_gone_ = left_nothing;
  return applied;
}

base::Result<Plan> Deployer::plan(const compose::Project& project, const DeployOptions& options) {
  auto inputs = gather_inputs(project, options.stack, true);
  if (!inputs) return std::unexpected(inputs.error());
  auto current = local_.observe(options.stack);
  if (!current) return std::unexpected(current.error());
  // The plan points into the inputs' project: keep the project the caller holds, not this copy.
  auto plan = make_plan(*inputs, *current, options.prune);
  for (auto& level : plan.levels) {
    for (auto& step : level) step.service = project.find_service(step.service->name);
  }
  return plan;
}

base::Result<void> Deployer::down(const DownOptions& options) {
  auto plan = local_.plan_down(options);
  if (!plan) return std::unexpected(plan.error());
  auto done = local_.down(*plan);
  stack_is_gone_ = done.has_value();
  return done;
}

}  // namespace stackup::deploy
