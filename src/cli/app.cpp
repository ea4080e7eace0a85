#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <set>
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

const CLI::App* find_command(const CLI::App& app, const std::string& name) {
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->check_name(name)) return command;
  }
  return nullptr;
}

// The options of stackup itself, which stay before the command.
bool is_own_option(const std::string& word) {
  return word == "--log-level" || word.starts_with("--log-level=") || word == "--version" || word == "-h" || word == "--help";
}

// Options that take a value, which may be given before the command (Docker's habit).
bool takes_value(const std::string& word) {
  static const std::set<std::string, std::less<>> options{"-f", "-c", "--file", "-p", "--project-name",
                                                          "--project-directory", "--env-file", "--log-level",
                                                          "--store", "--orchestrator", "--profile", "--space"};
  return options.contains(word);
}

// `stackup -f x.yml validate`, as `docker compose -f x.yml config`: options before the command are
// moved after it (and after its subcommand, `stackup --store D secret ls`), where each command
// declares them. Without a command, the arguments stay as they are, for CLI11 to report.
std::vector<std::string> options_after_command(const CLI::App& app, const std::vector<std::string>& arguments) {
  std::vector<std::string> own, moved;
  std::size_t i = 0;
  for (; i < arguments.size() && arguments[i].starts_with("-") && arguments[i] != "-"; ++i) {
    auto& into = is_own_option(arguments[i]) ? own : moved;
    into.push_back(arguments[i]);
    if (takes_value(arguments[i]) && i + 1 < arguments.size()) into.push_back(arguments[++i]);
  }
  if (i == arguments.size() || moved.empty()) return arguments;
  std::vector<std::string> out = own;
  out.push_back(arguments[i]);
  const auto* command = find_command(app, arguments[i]);
  std::size_t next = i + 1;
  if (command && next < arguments.size() && find_command(*command, arguments[next]) != nullptr) {
    out.push_back(arguments[next++]);
  }
  out.insert(out.end(), moved.begin(), moved.end());
  out.insert(out.end(), arguments.begin() + static_cast<std::ptrdiff_t>(next), arguments.end());
  return out;
}

// CLI11's usage errors, as "stackup: error: ..." lines with the user's words in their order (CLI11
// lists unexpected ones reversed) and where to read more.
std::string usage_error(const CLI::ParseError& error, const std::vector<std::string>& arguments) {
  std::string message = error.what();
  const auto extras = message.find(" not expected: ");
  if (message.starts_with("The following argument") && extras != std::string::npos) {
    std::vector<std::string> words;
    for (const auto& word : arguments) {
      if (message.find(word, extras) != std::string::npos) words.push_back(word);
    }
    message = fmt::format("unexpected argument{} '{}'", words.size() == 1 ? "" : "s", fmt::join(words, "' '"));
  } else if (message == "A subcommand is required") {
    message = "a command is required";
  }
  std::string command;
  for (const auto& word : arguments) {
    if (word.starts_with("-")) break;
    command += " " + word;
  }
  return fmt::format("stackup: error: {}\nSee 'stackup{} --help'.", message, command);
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

  const auto ordered = options_after_command(app, arguments);
  try {
    std::vector<std::string> reversed(ordered.rbegin(), ordered.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    if (const auto typo = unknown_command(app, ordered)) {
      io.err << *typo << '\n';
      return exit_usage;
    }
    // --help and --version are "errors" with exit code 0 in CLI11.
    if (error.get_exit_code() == 0) return app.exit(error, io.out, io.err) == 0 ? exit_ok : exit_usage;
    io.err << usage_error(error, ordered) << '\n';
    return exit_usage;
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
