#pragma once
// The options every command that reads compose files shares: -c/-f, -p, --env-file, --project-directory,
// --orchestrator, --space, --profile.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "cli/context.hpp"
#include "compose/loader.hpp"

namespace stackup::cli {

struct ComposeOptions {
  std::vector<std::string> files;
  std::string project_name;
  std::string project_directory;
  std::vector<std::string> env_files;
  std::string orchestrator;
  std::string space;
  std::vector<std::string> profiles;

  void add_to(CLI::App& command);
  [[nodiscard]] compose::LoadOptions load_options(const Context& context) const;
  // --orchestrator, else STACKUP_ORCHESTRATOR, else local; an unknown name is a usage error.
  [[nodiscard]] base::Result<compose::Orchestrator> chosen_orchestrator(const Context& context) const;

 private:
  mutable std::optional<std::string> standard_input_;  // `-f -`: standard input, read on first use
};

}  // namespace stackup::cli
