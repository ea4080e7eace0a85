#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <ostream>

#include "cli/command.hpp"
#include "cli/context.hpp"
#include "base/log.hpp"
#include "compose/suggest.hpp"

namespace stackup::cli {
namespace {

// "stackup valdiate": the first word that is not an option names no command; suggest the closest.
std::optional<std::string> unknown_command(const CLI::App& app, const std::vector<std::string>& arguments) {
  std::vector<std::string> names;
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const auto& word = arguments[i];
    if (word == "--log-level") {
      ++i;
      continue;
    }
    if (word.starts_with("-")) continue;
    if (std::find(names.begin(), names.end(), word) != names.end()) return std::nullopt;
    const auto closest = compose::closest_match(word, names);
    return closest ? fmt::format("stackup: error: unknown command '{}': did you mean '{}'?", word, *closest)
                   : fmt::format("stackup: error: unknown command '{}': see stackup --help", word);
  }
  return std::nullopt;
}

}  // namespace

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
    if (const auto typo = unknown_command(app, arguments)) {
      io.err << *typo << '\n';
      return exit_usage;
    }
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
