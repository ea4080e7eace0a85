#pragma once
// Loads a compose project through the named phases, each in its own unit:
//   per file: parse (yaml_parse) -> version rules -> interpolate -> type_cast -> schema -> extends;
//   then merge -> include (each included application loaded the same way) -> canonicalize -> semantic
//   -> profiles -> bind.
// Every phase reports into one Diagnostics, so a user sees all problems at once.
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "compose/environment.hpp"
#include "compose/orchestrator_rules.hpp"
#include "compose/filesystem.hpp"
#include "compose/model.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

struct LoadOptions {
  std::vector<std::string> files;      // -c/-f; empty: COMPOSE_FILE, then the usual names in the working directory
  std::string working_directory;       // absolute
  std::string project_name;            // -p; empty: COMPOSE_PROJECT_NAME, `name:`, the directory's name
  std::string project_directory;       // empty: the first file's directory
  std::vector<std::string> env_files;  // --env-file; replaces <project directory>/.env
  Environment environment;             // the process environment; it wins over env files
  bool interpolate = true;
  bool strict = false;  // problems with secret files are errors
  Orchestrator orchestrator = Orchestrator::local;  // whose rules say what deploys
  std::string space;  // --space: wins over x-stackup-space
  std::vector<std::string> profiles;  // --profile; COMPOSE_PROFILES adds to them
  // What `-f -` names: the caller reads standard input (the loader reads no stream). Relative paths
  // in it are resolved against the working directory, as Compose does.
  std::optional<std::string> standard_input;
};

// The file name `-f -` is given, and its name in messages.
inline constexpr std::string_view standard_input_name = "-";
inline constexpr std::string_view standard_input_shown = "<stdin>";

struct LoadedProject {
  std::optional<Project> project;  // set when no error was found
  Node document;                   // the merged, canonical document (what `stackup config` prints)
  std::vector<std::string> files;  // the compose files, as named by the user or found
  base::Diagnostics diagnostics;
  bool unreadable = false;         // a compose file could not be found or read (exit 2, not 1)
};

LoadedProject load_project(const LoadOptions& options, const FileSystem& files);

// Compose's project name normalization: lowercase, keeping only [a-z0-9_-].
std::string normalize_project_name(std::string_view name);

}  // namespace stackup::compose
