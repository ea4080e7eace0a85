// `stackup deploy` and `stackup down`.
#include <fmt/format.h>

#include <ostream>

#include "base/docker_names.hpp"
#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/deploy_project.hpp"
#include "cli/diagnostic_output.hpp"
#include "cli/engine_options.hpp"
#include "cli/interrupt.hpp"
#include "cli/store_options.hpp"
#include "deploy/deployer.hpp"
#include "deploy/stack_lock.hpp"
#include "deploy/swarm_deployer.hpp"

namespace stackup::cli {
namespace {

// Connects to the engine, opens the store and takes the stack's lock, then runs `work` with a
// Deployer over them, and the store itself.
template <class Work>
int with_deployer(Context& context, const StoreLocation& store_location, const std::string& stack, bool quiet, Work work) {
  auto engine = connect_engine(context);
  if (!engine) return fail_with(context, engine.error().message);
  auto store = open_store_for_writing(store_location, context);
  if (!store) return fail_with(context, store.error().message);
  const auto runtime_directory = secrets_runtime_directory(context);
  ProgressPrinter progress(context, quiet);
  auto lock = deploy::StackLock::acquire(runtime_directory, stack, [&] {
    progress.update("Stack " + stack, "Waiting for another stackup deploy or down of it to finish");
  });
  if (!lock) return fail_with(context, lock.error().message);
  deploy::TmpfsSecretFiles secret_files(runtime_directory);
  const compose::DiskFileSystem disk;
  deploy::Deployer deployer(**engine, *store, secret_files, disk, context.environment, progress);
  auto done = work(deployer, *store);
  if (deployer.stack_is_gone()) lock->remove_on_release();
  if (!done) return fail_with(context, done.error().message);
  return exit_ok;
}

// A dry run's Deployer: no lock is taken, the store is only read, and the secret files are never
// touched, so nothing is left behind. Runs `work(deployer)`.
template <class Work>
int with_read_only_deployer(Context& context, const StoreLocation& store_location, Work work) {
  auto engine = connect_engine(context);
  if (!engine) return fail_with(context, engine.error().message);
  auto store = open_store_for_reading(store_location, context);
  if (!store) return fail_with(context, store.error().message);
  ProgressPrinter progress(context, true);
  deploy::TmpfsSecretFiles secret_files(secrets_runtime_directory(context));
  const compose::DiskFileSystem disk;
  deploy::Deployer deployer(**engine, *store, secret_files, disk, context.environment, progress);
  return work(deployer);
}

// The Swarm counterparts: the same store and lock, a SwarmDeployer over the engine's Swarm API.
template <class Work>
int with_swarm_deployer(Context& context, const StoreLocation& store_location, const std::string& stack, bool quiet,
                        Work work) {
  auto engine = connect_engine(context);
  if (!engine) return fail_with(context, engine.error().message);
  auto swarm = connect_swarm(context);
  if (!swarm) return fail_with(context, swarm.error().message);
  auto store = open_store_for_writing(store_location, context);
  if (!store) return fail_with(context, store.error().message);
  const auto runtime_directory = secrets_runtime_directory(context);
  ProgressPrinter progress(context, quiet);
  auto lock = deploy::StackLock::acquire(runtime_directory, stack, [&] {
    progress.update("Stack " + stack, "Waiting for another stackup deploy or down of it to finish");
  });
  if (!lock) return fail_with(context, lock.error().message);
  const compose::DiskFileSystem disk;
  deploy::SwarmDeployer deployer(**engine, **swarm, *store, disk, context.environment, progress);
  auto done = work(deployer, *store);
  if (deployer.stack_is_gone()) lock->remove_on_release();
  if (!done) return fail_with(context, done.error().message);
  return exit_ok;
}

template <class Work>
int with_read_only_swarm_deployer(Context& context, const StoreLocation& store_location, Work work) {
  auto engine = connect_engine(context);
  if (!engine) return fail_with(context, engine.error().message);
  auto swarm = connect_swarm(context);
  if (!swarm) return fail_with(context, swarm.error().message);
  auto store = open_store_for_reading(store_location, context);
  if (!store) return fail_with(context, store.error().message);
  ProgressPrinter progress(context, true);
  const compose::DiskFileSystem disk;
  deploy::SwarmDeployer deployer(**engine, **swarm, *store, disk, context.environment, progress);
  return work(deployer);
}

void print_lines(Context& context, const std::vector<std::string>& lines, bool changes) {
  for (const auto& line : lines) context.io.out << line << '\n';
  context.io.out << (changes ? "dry run: nothing was changed\n" : "dry run: nothing to change\n");
}

// `deploy --dry-run`: the plan, one line per action with its reason, or JSON for scripts.
int print_plan(Context& context, const StoreLocation& store_location, const compose::Project& project, bool prune,
               const std::string& format) {
  return with_read_only_deployer(context, store_location, [&](deploy::Deployer& deployer) {
    auto plan = deployer.plan(project, {project.name, prune, nullptr});
    if (!plan) return fail_with(context, plan.error().message);
    if (format == "json") {
      context.io.out << deploy::to_json(*plan).dump() << '\n';
    } else {
      print_lines(context, deploy::describe(*plan), !plan->changes_nothing());
    }
    return static_cast<int>(exit_ok);
  });
}

// `deploy --dry-run` on a swarm.
int print_swarm_plan(Context& context, const StoreLocation& store_location, const compose::Project& project, bool prune,
                     const std::string& format) {
  return with_read_only_swarm_deployer(context, store_location, [&](deploy::SwarmDeployer& deployer) {
    auto plan = deployer.plan(project, {project.name, prune, nullptr});
    if (!plan) return fail_with(context, plan.error().message);
    if (format == "json") {
      context.io.out << deploy::to_json(*plan).dump() << '\n';
    } else {
      print_lines(context, deploy::describe(*plan), !plan->changes_nothing());
    }
    return static_cast<int>(exit_ok);
  });
}

}  // namespace

std::optional<compose::Project> load_for_deploy(const ComposeOptions& compose, const std::string& stack,
                                                Context& context, int& exit_code) {
  auto options = compose.load_options(context);
  options.strict = true;
  if (!stack.empty()) options.project_name = stack;
  auto loaded = compose::load_project(options, compose::DiskFileSystem{});
  DiagnosticStyle style;
  style.color = context.color_for(context.io.err_is_terminal);
  print_diagnostics(context.io.err, loaded.diagnostics, style);
  exit_code = loaded.unreadable ? exit_usage : exit_failed;
  return std::move(loaded.project);
}

int deploy_project(Context& context, const StoreLocation& store_location, const compose::Project& project,
                   compose::Orchestrator orchestrator, DeployFlags flags, const BeforeDeploy& before) {
  const auto run = [&](auto& deployer, store::SecretStore& store) -> base::Result<void> {
    if (before) {
      auto ready = before(store);
      if (!ready) return ready;
    }
    // Only once the stack's lock is held: a Ctrl-C while waiting for it, before anything is
    // touched, just ends stackup.
    const InterruptGuard guard;
    return deployer.deploy(project, {project.name, flags.prune, &guard.interrupted()});
  };
  if (orchestrator == compose::Orchestrator::swarm) {
    return with_swarm_deployer(
        context, store_location, project.name, flags.quiet,
        [&](deploy::SwarmDeployer& deployer, store::SecretStore& store) { return run(deployer, store); });
  }
  return with_deployer(context, store_location, project.name, flags.quiet,
                       [&](deploy::Deployer& deployer, store::SecretStore& store) { return run(deployer, store); });
}

namespace {

class DeployCommand final : public Command {
 public:
  explicit DeployCommand(CLI::App& parent)
      : Command(parent.add_subcommand("deploy", "Deploy a stack: on the local Docker engine (secrets on tmpfs), or on Swarm")) {
    compose_.add_to(*app_);
    store_.add_to(*app_);
    app_->add_option("stack", stack_, "Stack name (default: the project name)");
    app_->add_flag("--prune", prune_, "Remove services that are no longer in the files");
    app_->add_flag("-q,--quiet", quiet_, "Print nothing but warnings and errors");
    app_->add_flag("--dry-run", dry_run_, "Print what the deploy would change, and why; change nothing");
    app_->add_flag("-d,--detach", detach_, "Accepted for docker compose up -d habits: deploy is always detached");
    app_->add_option("--format", format_, "With --dry-run: text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->default_str("text");
  }

  int run(Context& context) override {
    auto orchestrator = compose_.chosen_orchestrator(context);
    if (!orchestrator) {
      context.io.err << "stackup: error: " << orchestrator.error().message << '\n';
      return exit_usage;
    }
    int failure = exit_failed;
    const auto project = load_for_deploy(compose_, stack_, context, failure);
    if (!project) return failure;
    if (!dry_run_) return deploy_project(context, store_, *project, *orchestrator, {prune_, quiet_}, nullptr);
    if (*orchestrator == compose::Orchestrator::swarm) {
      return print_swarm_plan(context, store_, *project, prune_, format_);
    }
    return print_plan(context, store_, *project, prune_, format_);
  }

 private:
  ComposeOptions compose_;
  StoreLocation store_;
  std::string stack_;
  bool prune_ = false;
  bool quiet_ = false;
  bool dry_run_ = false;
  bool detach_ = false;
  std::string format_ = "text";
};

class DownCommand final : public Command {
 public:
  explicit DownCommand(CLI::App& parent)
      : Command(parent.add_subcommand("down", "Remove a stack's containers and networks, and wipe its secrets")) {
    compose_.add_to(*app_);
    store_.add_to(*app_);
    app_->add_option("stack", stack_, "Stack name (default: the project name)");
    app_->add_option("-t,--timeout", timeout_, "Seconds to wait for each container to stop (default: its stop_grace_period)");
    app_->add_flag("-v,--volumes", volumes_, "Remove the stack's volumes too");
    app_->add_flag("--secrets", secrets_, "Remove the stack's own secrets from the store (never external ones)");
    app_->add_flag("-q,--quiet", quiet_, "Print nothing but warnings and errors");
    app_->add_flag("--dry-run", dry_run_, "Print what down would remove; change nothing");
  }

  int run(Context& context) override {
    std::string stack = stack_;
    if (stack.empty()) {
      int failure = exit_failed;
      const auto project = load_for_deploy(compose_, "", context, failure);
      if (!project) return failure;
      stack = project->name;
    }
    if (!base::is_valid_stack_name(stack)) return fail_with(context, fmt::format("invalid stack name \"{}\"", stack));
    auto orchestrator = compose_.chosen_orchestrator(context);
    if (!orchestrator) {
      context.io.err << "stackup: error: " << orchestrator.error().message << '\n';
      return exit_usage;
    }
    if (*orchestrator == compose::Orchestrator::swarm) return down_on_swarm(context, stack);
    if (dry_run_) {
      return with_read_only_deployer(context, store_, [&](deploy::Deployer& deployer) {
        auto plan = deployer.plan_down({stack, timeout_, volumes_, secrets_});
        if (!plan) return fail_with(context, plan.error().message);
        const auto lines = deploy::describe(*plan);
        print_lines(context, lines, !lines.empty());
        return static_cast<int>(exit_ok);
      });
    }
    return with_deployer(context, store_, stack, quiet_, [&](deploy::Deployer& deployer, store::SecretStore&) {
      return deployer.down({stack, timeout_, volumes_, secrets_});
    });
  }

 private:
  int down_on_swarm(Context& context, const std::string& stack) {
    if (timeout_ >= 0 || volumes_) {
      context.io.err << "stackup: error: -t and --volumes are for the local orchestrator: Swarm stops tasks with each "
                        "service's stop_grace_period, and its volumes live on the nodes\n";
      return exit_usage;
    }
    const deploy::DownOptions options{stack, timeout_, volumes_, secrets_};
    if (dry_run_) {
      return with_read_only_swarm_deployer(context, store_, [&](deploy::SwarmDeployer& deployer) {
        auto plan = deployer.plan_down(options);
        if (!plan) return fail_with(context, plan.error().message);
        const auto lines = deploy::describe(*plan);
        print_lines(context, lines, !lines.empty());
        return static_cast<int>(exit_ok);
      });
    }
    return with_swarm_deployer(
        context, store_, stack, quiet_,
        [&](deploy::SwarmDeployer& deployer, store::SecretStore&) { return deployer.down(options); });
  }

  ComposeOptions compose_;
  StoreLocation store_;
  std::string stack_;
  int timeout_ = -1;
  bool volumes_ = false;
  bool secrets_ = false;
  bool quiet_ = false;
  bool dry_run_ = false;
};

}  // namespace

void add_deploy_commands(CLI::App& parent, Commands& commands) {
  commands.push_back(std::make_unique<DeployCommand>(parent));
  commands.push_back(std::make_unique<DownCommand>(parent));
}

}  // namespace stackup::cli
