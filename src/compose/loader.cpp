#include "compose/loader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "base/log.hpp"

#include "base/docker_names.hpp"
#include "compose/access_rules.hpp"
#include "compose/bind.hpp"
#include "compose/profiles.hpp"
#include "compose/rules.hpp"
#include "compose/canonical.hpp"
#include "compose/extends.hpp"
#include "compose/include.hpp"
#include "compose/interpolate.hpp"
#include "compose/merge.hpp"
#include "compose/schema.hpp"
#include "compose/type_cast.hpp"
#include "compose/semantic.hpp"
#include "compose/version_rules.hpp"
#include "compose/yaml_parse.hpp"

namespace stackup::compose {
namespace {

constexpr std::string_view default_file_names[] = {"compose.yaml", "compose.yml", "docker-compose.yml",
                                                   "docker-compose.yaml"};
constexpr std::string_view override_file_names[] = {"compose.override.yaml", "compose.override.yml",
                                                    "docker-compose.override.yml", "docker-compose.override.yaml"};

std::string absolute(const std::string& directory, const std::string& path) {
  if (path.starts_with('/')) return std::filesystem::path(path).lexically_normal().string();
  return (std::filesystem::path(directory) / path).lexically_normal().string();
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (true) {
    const auto at = text.find(separator);
    if (!text.substr(0, at).empty()) parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// The files to load, as the user would name them in messages.
std::vector<std::string> compose_files(const LoadOptions& options, const FileSystem& files) {
  if (!options.files.empty()) return options.files;
  if (const auto variable = options.environment.get("COMPOSE_FILE"); variable && !variable->empty()) {
    const auto separator = options.environment.get("COMPOSE_PATH_SEPARATOR");
    return split(*variable, separator && separator->size() == 1 ? (*separator)[0] : ':');
  }
  std::vector<std::string> found;
  auto first_present = [&](const auto& names) {
    for (const auto name : names) {
      if (files.status(absolute(options.working_directory, std::string(name))).exists) {
        found.emplace_back(name);
        return;
      }
    }
  };
  first_present(default_file_names);
  if (!found.empty()) first_present(override_file_names);
  return found;
}

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "/" : parent;
}

// Logs how long each phase took, at debug level.
class PhaseTimer {
 public:
  explicit PhaseTimer(std::string subject) : subject_(std::move(subject)) {}
  void done(std::string_view phase) {
    const auto now = std::chrono::steady_clock::now();
    base::log::debug("{}: {} took {:.1f} ms", subject_, phase,
                     std::chrono::duration<double, std::milli>(now - start_).count());
    start_ = now;
  }

 private:
  std::string subject_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ProjectLoader {
 public:
  ProjectLoader(const LoadOptions& options, const FileSystem& files) : options_(options), files_(files) {}

  LoadedProject run() {
    const auto names = compose_files(options_, files_);
    result_.files = names;
    std::replace(result_.files.begin(), result_.files.end(), std::string(standard_input_name), std::string(standard_input_shown));
    if (names.empty()) {
      result_.diagnostics.error(rules::file_not_found, {}, "",
                                fmt::format("no configuration file provided: none of compose.yaml, compose.yml, "
                                            "docker-compose.yml or docker-compose.yaml in {}; use -c FILE",
                                            options_.working_directory));
      result_.unreadable = true;
      return std::move(result_);
    }
    std::vector<std::shared_ptr<const base::SourceFile>> sources;
    for (const auto& name : names) {
      if (name == standard_input_name) {
        if (!options_.standard_input) {
          result_.diagnostics.error(rules::file_unreadable, {}, "",
                                    "cannot read compose file - (standard input): it is a terminal; pipe the file in, "
                                    "as in: cat compose.yaml | stackup validate -f -");
          result_.unreadable = true;
          continue;
        }
        sources.push_back(std::make_shared<const base::SourceFile>(
            base::SourceFile{std::string(standard_input_shown), *options_.standard_input}));
        continue;
      }
      auto text = files_.read(absolute(options_.working_directory, name));
      if (!text) {
        result_.diagnostics.error(rules::file_unreadable, {}, "",
                                  fmt::format("cannot read compose file {}: {}", name, text.error().message));
        result_.unreadable = true;
        continue;
      }
      sources.push_back(std::make_shared<const base::SourceFile>(base::SourceFile{name, std::move(*text)}));
    }
    if (result_.unreadable) return std::move(result_);

    // `-f -` has no directory of its own: the working directory stands in for it.
    const auto first_path = names.front() == standard_input_name ? absolute(options_.working_directory, "compose.yaml")
                                                                 : absolute(options_.working_directory, names.front());
    project_directory_ = options_.project_directory.empty() ? directory_of(first_path)
                                                            : absolute(options_.working_directory, options_.project_directory);
    load_environment();

    std::vector<std::string> top_files;
    for (const auto& name : names) top_files.push_back(absolute(options_.working_directory, name));
    auto document = load_model(sources, Scope{project_directory_, environment_, top_files, true});
    if (!document) return finish();
    result_.document = std::move(*document);

    Project project;
    project.name = resolve_project_name();
    project.working_directory = project_directory_;
    for (const auto& name : names) {
      if (name != standard_input_name) project.files.push_back(absolute(options_.working_directory, name));
    }

    PhaseTimer timer("project");
    canonicalize(result_.document, PathContext{project_directory_, home()});
    timer.done("canonicalize");
    check_semantics(SemanticContext{result_.document, project.name, project_directory_, options_.strict, files_,
                                    environment_, result_.diagnostics, options_.orchestrator});
    const auto compose_profiles = environment_.get("COMPOSE_PROFILES");
    apply_profiles(result_.document, active_profiles(options_.profiles, compose_profiles ? *compose_profiles : ""),
                   result_.diagnostics);
    check_orchestrator_rules(result_.document, options_.orchestrator, result_.diagnostics);
    timer.done("semantic checks");
    if (!result_.diagnostics.has_errors()) {
      bind(result_.document, project);
      project.space = space_of_project();
      check_access(project, result_.diagnostics);
      result_.project = std::move(project);
    }
    timer.done("bind");
    return finish();
  }

 private:
  // --space, else x-stackup-space; a malformed one is an error at its place.
  std::string space_of_project() {
    if (!options_.space.empty()) return options_.space;
    const Node* space = result_.document.find(space_key);
    if (!space) return {};
    const auto text = space->is_scalar() ? space->scalar : std::string();
    if (!is_valid_space(text)) {
      result_.diagnostics.error(rules::space_path, space->location, std::string(space_key),
                                "a space is a path of names (letters, digits, '.', '_', '-') separated by '/', such as "
                                "developer/backend");
    }
    return text;
  }

  LoadedProject finish() {
    result_.diagnostics.sort_and_deduplicate();
    if (result_.diagnostics.has_errors()) result_.project.reset();
    return std::move(result_);
  }

  void load_environment() {
    environment_ = options_.environment;
    std::vector<std::string> env_files = options_.env_files;
    const bool explicit_files = !env_files.empty();
    if (!explicit_files) env_files.push_back((std::filesystem::path(project_directory_) / ".env").string());
    for (const auto& name : env_files) {
      const auto path = absolute(options_.working_directory, name);
      if (!explicit_files && !files_.status(path).exists) continue;
      auto text = files_.read(path);
      if (!text) {
        result_.diagnostics.error(rules::file_unreadable, {}, "",
                                  fmt::format("cannot read env file {}: {}", name, text.error().message));
        continue;
      }
      const auto source = std::make_shared<const base::SourceFile>(base::SourceFile{name, std::move(*text)});
      load_env_file(source, environment_, result_.diagnostics);
    }
  }

  // Parses one file into its root mapping. An empty override file changes nothing, as with Compose;
  // an empty first file is a mistake.
  std::optional<Node> parse_document(const std::shared_ptr<const base::SourceFile>& source, bool first) {
    PhaseTimer timer(source->name);
    auto root = parse_yaml(source, result_.diagnostics);
    timer.done("parse");
    if (!root) return std::nullopt;
    if (root->is_null() && !first) return Node::make_mapping({source, 1, 1});
    if (root->is_null()) {
      result_.diagnostics.error(rules::file_empty, {source, 1, 1}, "",
                                "empty compose file: it needs at least a services: section");
      return std::nullopt;
    }
    if (!root->is_mapping()) {
      result_.diagnostics.error(rules::file_not_mapping, root->location, "",
                                fmt::format("a compose file must be a mapping at the top level, got {}", describe(*root)));
      return std::nullopt;
    }
    return root;
  }

  std::optional<Node> load_file(const std::shared_ptr<const base::SourceFile>& source,
                                std::optional<FormatVersion>& first_version, const Environment& environment) {
    auto root = parse_document(source, true);
    if (root) prepare(*root, first_version, environment);
    return root;
  }

  // The phases of one parsed file: version rules, interpolation, casts, schema.
  void prepare(Node& root, std::optional<FormatVersion>& first_version, const Environment& environment) {
    PhaseTimer timer(root.location.source ? root.location.source->name : std::string("file"));
    const auto version = read_format_version(root, result_.diagnostics);
    if (!first_version) {
      first_version = version;
    } else if (version.declared && first_version->declared && version.text != first_version->text) {
      result_.diagnostics.warning(rules::version_mismatch, version.location, "version",
                                  fmt::format("this file declares version \"{}\" but the first file declares \"{}\"",
                                              version.text, first_version->text));
    }
    check_version_rules(root, version, result_.diagnostics);
    if (options_.interpolate) Interpolator(environment, result_.diagnostics).run(root);
    cast_typed_values(root);
    timer.done("interpolate");
    validate_schema(root, result_.diagnostics);
    timer.done("schema");
  }

  // One compose application: the project itself, or one that it includes.
  struct Scope {
    std::string directory;           // where its relative paths count from
    Environment environment;         // what its files interpolate
    std::vector<std::string> chain;  // the absolute paths of its files and of the files including it
    bool top_level = false;          // the project itself
  };

  // Parses, checks and merges the files of one application, with its extends: and include: resolved.
  std::optional<Node> load_model(const std::vector<std::shared_ptr<const base::SourceFile>>& sources, const Scope& scope) {
    std::vector<std::optional<Node>> roots;
    for (const auto& source : sources) roots.push_back(parse_document(source, roots.empty()));
    Environment environment = scope.environment;
    if (scope.top_level) expose_project_name(roots, environment);
    ExtendsResolver extends(
        [&](const std::string& path, const base::Location& named_at) {
          return load_other_file(path, named_at, environment, "extended");
        },
        home(), result_.diagnostics);
    std::optional<FormatVersion> first_version;
    Node document;
    bool parsed_all = true;
    for (std::size_t i = 0; i < roots.size(); ++i) {
      if (!roots[i]) {
        parsed_all = false;
        continue;
      }
      prepare(*roots[i], first_version, environment);
      extends.resolve(*roots[i], sources[i]->name, scope.directory);
      merge_into(document, std::move(*roots[i]));
    }
    if (!parsed_all) return std::nullopt;
    strip_resets(document);
    if (!document.is_mapping()) document = Node::make_mapping({});
    // The spec evaluates include: once the files are merged, so that a conflict is seen whichever
    // file declares it.
    if (const Node* include = document.find("include")) {
      const auto entries = include_entries(*include);
      document.erase("include");
      // Imported resources come with absolute paths: so must this application's, for the comparison.
      make_paths_absolute(document, PathContext{scope.directory, home()});
      for (const auto& entry : entries) {
        if (auto included = load_included(entry, Scope{scope.directory, environment, scope.chain, false})) {
          import_resources(document, *included, entry, result_.diagnostics);
        }
      }
    }
    return document;
  }

  std::optional<Node> load_other_file(const std::string& path, const base::Location& named_at,
                                      const Environment& environment, std::string_view role) {
    const auto shown = shown_path(path);
    auto text = files_.read(path);
    if (!text) {
      result_.diagnostics.error(rules::file_unreadable, named_at, "",
                                fmt::format("cannot read the {} file {}: {}", role, shown, text.error().message));
      return std::nullopt;
    }
    const auto source = std::make_shared<const base::SourceFile>(base::SourceFile{shown, std::move(*text)});
    std::optional<FormatVersion> version;
    return load_file(source, version, environment);
  }

  // An included application: its files, its project directory, its env file under the including
  // application's variables (which win, as with the process environment over .env).
  std::optional<Node> load_included(const IncludeEntry& entry, const Scope& including) {
    // A file can include another twice, which includes another twice...: bounded, as aliases are.
    if (++included_loads_ > max_included_loads) {
      result_.diagnostics.error(rules::include_cycle, entry.location, "include",
                                fmt::format("more than {} included applications; includes that include the "
                                            "same files again and again?",
                                            max_included_loads));
      return std::nullopt;
    }
    Scope scope;
    scope.chain = including.chain;
    for (const auto& path : entry.paths) {
      const auto file = absolute(including.directory, path);
      if (const auto cycle = std::find(scope.chain.begin(), scope.chain.end(), file); cycle != scope.chain.end()) {
        std::vector<std::string> shown;
        for (auto it = cycle; it != scope.chain.end(); ++it) shown.push_back(shown_path(*it));
        result_.diagnostics.error(rules::include_cycle, entry.location, "include",
                                  fmt::format("files include each other in a cycle: {} includes {}",
                                              fmt::join(shown, " includes "), shown_path(file)));
        return std::nullopt;
      }
      scope.chain.push_back(file);
    }
    scope.directory = entry.project_directory.empty() ? directory_of(absolute(including.directory, entry.paths.front()))
                                                      : absolute(including.directory, entry.project_directory);
    scope.environment = including.environment;
    std::vector<std::string> env_files;
    for (const auto& name : entry.env_files) env_files.push_back(absolute(including.directory, name));
    const auto dot_env = (std::filesystem::path(scope.directory) / ".env").string();
    if (env_files.empty() && files_.status(dot_env).exists) env_files.push_back(dot_env);
    for (const auto& path : env_files) {
      auto text = files_.read(path);
      if (!text) {
        result_.diagnostics.error(rules::file_unreadable, entry.location, "include",
                                  fmt::format("cannot read env file {}: {}", shown_path(path), text.error().message));
        return std::nullopt;
      }
      const auto source = std::make_shared<const base::SourceFile>(base::SourceFile{shown_path(path), std::move(*text)});
      load_env_file(source, scope.environment, result_.diagnostics);
    }
    std::vector<std::shared_ptr<const base::SourceFile>> sources;
    for (std::size_t i = 0; i < entry.paths.size(); ++i) {
      const auto& path = scope.chain[including.chain.size() + i];
      auto text = files_.read(path);
      if (!text) {
        result_.diagnostics.error(rules::file_unreadable, entry.location, "include",
                                  fmt::format("cannot read the included file {}: {}", shown_path(path), text.error().message));
        return std::nullopt;
      }
      sources.push_back(std::make_shared<const base::SourceFile>(base::SourceFile{shown_path(path), std::move(*text)}));
    }
    auto model = load_model(sources, scope);
    if (model) make_paths_absolute(*model, PathContext{scope.directory, home()});
    return model;
  }

  // A path as messages show it: relative to the working directory when it is below it.
  std::string shown_path(const std::string& path) const {
    const auto relative = std::filesystem::path(path).lexically_relative(options_.working_directory).string();
    return relative.empty() || relative.starts_with("..") ? path : relative;
  }

  std::string home() const {
    const auto home = environment_.get("HOME");
    return home ? std::string(*home) : std::string();
  }

  // Compose gives interpolation the project's name as COMPOSE_PROJECT_NAME, found as
  // resolve_project_name finds it: -p, else the process's variable, else the last file's `name:`
  // (interpolated on its own), else the project directory's name.
  void expose_project_name(const std::vector<std::optional<Node>>& roots, Environment& environment) {
    constexpr std::string_view variable = "COMPOSE_PROJECT_NAME";
    if (!options_.project_name.empty()) {
      environment.set(std::string(variable), options_.project_name);
      return;
    }
    if (const auto value = options_.environment.get(variable); value && !value->empty()) {
      environment.set(std::string(variable), std::string(*value));
      return;
    }
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) {
      const auto& root = *it;
      const Node* name = root ? root->find("name") : nullptr;
      if (!name || !name->is_scalar()) continue;
      std::set<std::string, std::less<>> unset;
      if (auto value = substitute(name->scalar, environment, unset)) {
        environment.set(std::string(variable), std::move(*value));
        return;
      }
    }
    const auto directory_name = normalize_project_name(std::filesystem::path(project_directory_).filename().string());
    environment.set(std::string(variable), directory_name.empty() ? "default" : directory_name);
  }

  std::string resolve_project_name() {
    auto check = [&](const std::string& name, base::Location location, std::string path) {
      if (!base::is_valid_stack_name(name)) {
        result_.diagnostics.error(rules::project_name, std::move(location), std::move(path),
                                  fmt::format("invalid project name \"{}\": use lowercase letters, digits, '-' and '_', "
                                              "starting with a letter or digit",
                                              name));
      }
      return name;
    };
    if (!options_.project_name.empty()) return check(options_.project_name, {}, "");
    if (const auto variable = options_.environment.get("COMPOSE_PROJECT_NAME"); variable && !variable->empty()) {
      return check(std::string(*variable), {}, "");
    }
    if (const auto* entry = result_.document.find_entry("name"); entry && entry->value.is_scalar()) {
      return check(entry->value.scalar, entry->value.location, "name");
    }
    auto name = normalize_project_name(std::filesystem::path(project_directory_).filename().string());
    return name.empty() ? "default" : name;
  }

  const LoadOptions& options_;
  const FileSystem& files_;
  LoadedProject result_;
  std::string project_directory_;
  Environment environment_;
  static constexpr int max_included_loads = 256;
  int included_loads_ = 0;
};

}  // namespace

std::string normalize_project_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') out += c;
  }
  while (!out.empty() && (out.front() == '-' || out.front() == '_')) out.erase(out.begin());
  return out;
}

LoadedProject load_project(const LoadOptions& options, const FileSystem& files) {
  return ProjectLoader(options, files).run();
}

}  // namespace stackup::compose
