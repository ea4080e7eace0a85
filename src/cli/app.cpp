#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <exception>
#include <ostream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "base/log.hpp"

namespace stackup::cli {

int run(const std::vector<std::string>& arguments, const std::vector<std::string>& environment,
        const std::string& working_directory, Io io) {
  Context context{io, compose::Environment::from_strings(environment), working_directory};
  CLI::App app{"stackup: deploy Docker Compose files with real secrets handling", "stackup"};
  app.set_version_flag("--version", fmt::format("stackup version {}", STACKUP_VERSION));
  app.require_subcommand(1);
  app.fallthrough(false);

  std::string log_level;
  app.add_option("--log-level", log_level, "Diagnostic logging on stderr: debug, info, warning, error or off")
      ->check(CLI::IsMember({"debug", "info", "warning", "error", "off"}));

  Commands commands;
  commands.push_back(make_validate_command(app));
  commands.push_back(make_config_command(app));
  add_secret_commands(app, commands);
  add_store_commands(app, commands);
  add_deploy_commands(app, commands);
  add_status_commands(app, commands);
  add_audit_commands(app, commands);
  add_check_commands(app, commands);

  try {
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" with exit code 0 in CLI11.
    const int code = app.exit(error, io.out, io.err);
    return code == 0 ? exit_ok : exit_usage;
  }

  if (log_level.empty()) {
    if (const auto variable = context.environment.get("STACKUP_LOG_LEVEL")) log_level = *variable;
  }
  if (!log_level.empty() && !base::log::set_level(log_level)) {
    io.err << "stackup: error: unknown log level \"" << log_level << "\"\n";
    return exit_usage;
  }

  // The one place that catches: anything thrown below is a bug or an environment failure, reported
  // plainly rather than as a crash.
  try {
    for (const auto& command : commands) {
      if (command->selected()) return command->run(context);
    }
  } catch (const std::exception& error) {
    io.err << "stackup: error: " << error.what() << '\n';
    return exit_failed;
  }
  return exit_usage;
}

// A message of several lines is several errors, one per line.
int fail_with(Context& context, const std::string& message) {
  std::string_view rest = message;
  while (true) {
    const auto end = rest.find('\n');
    context.io.err << "stackup: error: " << rest.substr(0, end) << '\n';
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return exit_failed;
}

}  // namespace stackup::cli
