#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <map>
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

// The options that may come before the command (Docker's habit), by the long name the command
// declares them with: `-f` before `secret ls` is no --file, so it is not moved there.
std::optional<std::string_view> movable_option(std::string_view word) {
  static const std::map<std::string_view, std::string_view> options{
      {"-f", "file"}, {"-c", "file"}, {"--file", "file"}, {"-p", "project-name"}, {"--project-name", "project-name"},
      {"--project-directory", "project-directory"}, {"--env-file", "env-file"}, {"--store", "store"},
      {"--orchestrator", "orchestrator"}, {"--profile", "profile"}, {"--space", "space"}};
  const auto it = options.find(word.substr(0, word.find('=')));
  return it == options.end() ? std::nullopt : std::optional(it->second);
}

// "stackup valdiate": the first word that is not an option names no command; suggest the closest.
std::optional<std::string> unknown_command(const CLI::App& app, const std::vector<std::string>& arguments) {
  std::vector<std::string> names;
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const auto& word = arguments[i];
    if ((word == "--log-level" || movable_option(word)) && word.find('=') == std::string::npos) {
      ++i;  // its value
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

// `stackup -f x.yml validate`, as `docker compose -f x.yml config`: options before the command are
// moved after it (and after its subcommand, `stackup --store D secret ls`), when that command
// declares them with the same meaning. Otherwise the arguments stay as they are, for CLI11 to report.
std::vector<std::string> options_after_command(const CLI::App& app, const std::vector<std::string>& arguments) {
  std::vector<std::string> own, moved;
  std::size_t i = 0;
  for (; i < arguments.size() && arguments[i].starts_with("-") && arguments[i] != "-"; ++i) {
    const auto& word = arguments[i];
    if (is_own_option(word)) {
      own.push_back(word);
      if (word == "--log-level" && i + 1 < arguments.size()) own.push_back(arguments[++i]);
      continue;
    }
    if (!movable_option(word)) return arguments;
    moved.push_back(word);
    if (word.find('=') == std::string::npos && i + 1 < arguments.size()) moved.push_back(arguments[++i]);
  }
  if (i == arguments.size() || moved.empty()) return arguments;
  const CLI::App* command = find_command(app, arguments[i]);
  if (!command) return arguments;
  std::vector<std::string> out = own;
  out.push_back(arguments[i]);
  std::size_t next = i + 1;
  if (next < arguments.size()) {
    if (const auto* sub = find_command(*command, arguments[next])) {
      command = sub;
      out.push_back(arguments[next++]);
    }
  }
  for (std::size_t m = 0; m < moved.size(); m += 1) {
    const auto& word = moved[m];
    const auto* option = command->get_option_no_throw(std::string(word.substr(0, word.find('='))));
    if (!option || !option->check_lname(std::string(*movable_option(word)))) return arguments;
    if (word.find('=') == std::string::npos) ++m;  // its value
  }
  out.insert(out.end(), moved.begin(), moved.end());
  out.insert(out.end(), arguments.begin() + static_cast<std::ptrdiff_t>(next), arguments.end());
  return out;
}

// CLI11's usage errors, as "stackup: error: ..." lines with the user's words in their order (CLI11
// lists unexpected ones reversed) and the command's help to read.
std::string usage_error(const CLI::App& app, const CLI::ParseError& error, const std::vector<std::string>& arguments) {
  std::string message = error.what();
  const auto extras = message.find(" not expected: ");
  if (message.starts_with("The following argument") && extras != std::string::npos) {
    std::set<std::string, std::less<>> listed;
    std::string_view rest = std::string_view(message).substr(extras + 15);
    while (!rest.empty()) {
      const auto space = rest.find(' ');
      listed.emplace(rest.substr(0, space));
      rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
    }
    std::vector<std::string> words;
    for (const auto& word : arguments) {
      if (listed.contains(word)) words.push_back(word);
    }
    message = fmt::format("unexpected argument{} '{}'", words.size() == 1 ? "" : "s", fmt::join(words, "' '"));
  } else if (message == "A subcommand is required") {
    message = "a command is required";
  }
  std::string command;
  const CLI::App* at = &app;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const auto& word = arguments[i];
    if (word.starts_with("-")) {
      if ((word == "--log-level" || movable_option(word)) && word.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    at = find_command(*at, word);
    if (!at) break;
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
    io.err << usage_error(app, error, ordered) << '\n';
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
