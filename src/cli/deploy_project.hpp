#pragma once
// A deploy as `stackup deploy` runs it, shared with `stackup secret rotate --deploy`, which stores a
// new version and deploys it in one process.
#include <functional>
#include <optional>
#include <string>

#include "cli/compose_options.hpp"
#include "cli/context.hpp"
#include "cli/store_options.hpp"
#include "compose/model.hpp"

namespace stackup::cli {

// Loads the project for a deploy: secret files must exist (strict), and a STACK argument is the
// project name, so names are checked with the right prefix. Prints the diagnostics; on failure,
// sets `exit_code` (usage when no file could be read).
std::optional<compose::Project> load_for_deploy(const ComposeOptions& compose, const std::string& stack,
                                                Context& context, int& exit_code);

struct DeployFlags {
  bool prune = false;
  bool quiet = false;
};

// Runs once the store is open for writing and the stack's lock is held, before the deploy reads
// anything; an error stops the deploy before it changes anything.
using BeforeDeploy = std::function<base::Result<void>(store::SecretStore& store)>;

// Deploys `project` on `orchestrator`; `before` may be empty. Returns the exit code.
int deploy_project(Context& context, const StoreLocation& store_location, const compose::Project& project,
                   compose::Orchestrator orchestrator, DeployFlags flags, const BeforeDeploy& before);

}  // namespace stackup::cli
