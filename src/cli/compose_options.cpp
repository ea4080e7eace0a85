#include "cli/compose_options.hpp"

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
}

compose::LoadOptions ComposeOptions::load_options(const Context& context) const {
  compose::LoadOptions options;
  options.files = files;
  options.project_name = project_name;
  options.project_directory = project_directory;
  options.env_files = env_files;
  options.environment = context.environment;
  options.working_directory = context.working_directory;
  return options;
}

}  // namespace stackup::cli
