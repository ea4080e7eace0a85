#include "cli/compose_options.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <iterator>

#include "compose/access_rules.hpp"

namespace stackup::cli {

void ComposeOptions::add_to(CLI::App& command) {
  command.add_option("-c,-f,--file", files, "Compose file (repeatable; later files override earlier ones)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  command.add_option("-p,--project-name", project_name, "Project (stack) name")->type_name("NAME");
  command.add_option("--project-directory", project_directory, "Directory of .env and relative paths")->type_name("DIR");
  command.add_option("--env-file", env_files, "Environment file instead of <project directory>/.env (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  command.add_option("--orchestrator", orchestrator, "Where the stack runs, whose rules validation applies: local or swarm")
      ->check(CLI::IsMember({"local", "swarm"}))
      ->type_name("NAME");
  command.add_option("--profile", profiles, "Enable a profile's services (repeatable; COMPOSE_PROFILES adds to them)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  command.add_option("--space", space, "The stack's space: which path-named secrets it may use (over x-stackup-space)")
      ->check([](const std::string& value) {
        return compose::is_valid_space(value)
                   ? std::string()
                   : "a space is a path of names (letters, digits, '.', '_', '-') separated by '/', such as developer/backend";
      })
      ->type_name("PATH");
}

base::Result<compose::Orchestrator> ComposeOptions::chosen_orchestrator(const Context& context) const {
  if (!orchestrator.empty()) return *compose::parse_orchestrator(orchestrator);
  const auto variable = context.environment.get("STACKUP_ORCHESTRATOR");
  if (!variable || variable->empty()) return compose::Orchestrator::local;
  if (auto chosen = compose::parse_orchestrator(*variable)) return *chosen;
  return base::fail(fmt::format("STACKUP_ORCHESTRATOR is \"{}\"; use local or swarm", *variable));
}

compose::LoadOptions ComposeOptions::load_options(const Context& context) const {
  compose::LoadOptions options;
  options.files = files;
  options.project_name = project_name;
  options.project_directory = project_directory;
  options.env_files = env_files;
  options.environment = context.environment;
  options.working_directory = context.working_directory;
  options.orchestrator = chosen_orchestrator(context).value_or(compose::Orchestrator::local);
  options.space = space;
  options.profiles = profiles;
  if (std::find(files.begin(), files.end(), compose::standard_input_name) != files.end()) {
    // Read once, however many times a command loads the project; never from a terminal, where it
    // would wait for a file nobody is piping in (the loader then says nothing was read).
    if (!standard_input_ && !::isatty(STDIN_FILENO)) {
      standard_input_ = std::string(std::istreambuf_iterator<char>(std::cin), {});
    }
    options.standard_input = standard_input_;
  }
  return options;
}

}  // namespace stackup::cli
