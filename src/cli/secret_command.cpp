// `stackup secret create|rotate|ls|inspect|rm|reveal`: the local encrypted store, by hand.
// Values travel only through files and standard input/output, never arguments or environment.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/deploy_project.hpp"
#include "cli/listing.hpp"
#include "cli/store_options.hpp"
#include "cli/table.hpp"
#include "compose/access_rules.hpp"

namespace stackup::cli {
namespace {

base::Result<std::map<std::string, std::string>> parse_labels(const std::vector<std::string>& assignments) {
  std::map<std::string, std::string> labels;
  for (const auto& assignment : assignments) {
    const auto equals = assignment.find('=');
    const auto key = assignment.substr(0, equals);
    if (key.empty()) return base::fail(fmt::format("invalid label \"{}\": use KEY=VALUE", assignment));
    labels[key] = equals == std::string::npos ? "" : assignment.substr(equals + 1);
  }
  return labels;
}

nlohmann::ordered_json to_json(const store::SecretInfo& info, bool with_details) {
  nlohmann::ordered_json object{{"ID", info.id},
                                {"Name", info.name},
                                {"Version", info.version},
                                {"CreatedAt", rfc3339(info.created_at)},
                                {"UpdatedAt", rfc3339(info.updated_at)},
                                {"Labels", info.labels}};
  if (with_details) {
    object["Size"] = info.size;
    auto users = nlohmann::ordered_json::array();
    for (const auto& usage : info.used_by) {
      users.push_back({{"Stack", usage.stack}, {"Service", usage.service}, {"Version", usage.version}});
    }
    object["UsedBy"] = users;
  }
  return object;
}

// A secret named by its name or, as docker takes them, by its ID (what `secret ls -q` prints).
std::string name_of(store::SecretStore& store, const std::string& word) {
  if (auto found = store.lookup(word); !found || *found) return word;
  auto secrets = store.list({});
  if (!secrets) return word;
  for (const auto& info : *secrets) {
    if (info.id == word) return info.name;
  }
  return word;
}

class CreateCommand final : public Command {
 public:
  explicit CreateCommand(CLI::App& parent)
      : Command(parent.add_subcommand("create", "Create a secret from a file or standard input (-)")) {
    store_.add_to(*app_);
    app_->add_option("name", name_, "Secret name (team/app/name paths allowed)")->required();
    app_->add_option("file", source_, "File holding the value, or - for standard input")->default_str("-");
    app_->add_option("-l,--label", labels_, "Label KEY=VALUE (repeatable)")->type_name("KEY=VALUE")->allow_extra_args(false);
  }

  int run(Context& context) override {
    auto labels = parse_labels(labels_);
    if (!labels) return fail_with(context, labels.error().message);
    auto value = read_value(source_, name_);
    if (!value) return fail_with(context, value.error().message);
    auto store = open_store_for_writing(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto created = store->create(name_, *value, *labels);
    if (!created) return fail_with(context, created.error().message);
    context.io.out << created->id << '\n';
    return exit_ok;
  }

 private:
  StoreLocation store_;
  std::string name_;
  std::string source_ = "-";
  std::vector<std::string> labels_;
};

// Whether a service of the project (of its enabled profiles) uses an external secret named `name`
// in the store: only those take their value from `secret rotate`; the others come from a file, a
// variable or a command.
bool uses_store_secret(const compose::Project& project, const std::string& name) {
  const auto is_it = [&](const compose::FileReference& reference) {
    const auto definition = project.secrets.find(reference.source);
    return definition != project.secrets.end() && definition->second.source == compose::SecretSource::external &&
           definition->second.object_name(project.name) == name;
  };
  return std::any_of(project.services.begin(), project.services.end(), [&](const compose::Service& service) {
    return std::any_of(service.secrets.begin(), service.secrets.end(), is_it);
  });
}

class RotateCommand final : public Command {
 public:
  explicit RotateCommand(CLI::App& parent)
      : Command(parent.add_subcommand("rotate", "Add a new version of a secret from a file or standard input (-)")) {
    store_.add_to(*app_);
    app_->add_option("name", name_, "Secret name")->required();
    app_->add_option("file", source_, "File holding the new value, or - for standard input")->default_str("-");
    app_->add_flag("--deploy", deploy_,
                   "Then deploy the project (this directory's compose file, or -f/-p), so its services take the new "
                   "value, in place where their change_mode allows");
    app_->add_flag("-q,--quiet", quiet_, "With --deploy: print nothing but the new version, warnings and errors");
    compose_.add_to(*app_);
  }

  int run(Context& context) override {
    if (auto usage = usage_problem(); !usage.empty()) {
      context.io.err << "stackup: error: " << usage << '\n';
      return exit_usage;
    }
    base::Result<compose::Orchestrator> orchestrator = compose::Orchestrator::local;
    if (deploy_) orchestrator = compose_.chosen_orchestrator(context);
    if (!orchestrator) {
      context.io.err << "stackup: error: " << orchestrator.error().message << '\n';
      return exit_usage;
    }
    auto value = read_value(source_, name_);
    if (!value) return fail_with(context, value.error().message);
    if (deploy_) return rotate_and_deploy(context, *orchestrator, *value);
    auto store = open_store_for_writing(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto rotated = rotate(context, *store, *value);
    if (!rotated) return fail_with(context, rotated.error().message);
    return exit_ok;
  }

 private:
  [[nodiscard]] std::string usage_problem() const {
    const bool compose_options = !compose_.files.empty() || !compose_.project_name.empty() ||
                                 !compose_.project_directory.empty() || !compose_.env_files.empty() ||
                                 !compose_.orchestrator.empty() || !compose_.space.empty() ||
                                 !compose_.profiles.empty();
    if (!deploy_ && (compose_options || quiet_)) {
      return "-q and the compose options (-f, -p, --project-directory, --env-file, --orchestrator, --space, --profile) "
             "go with --deploy";
    }
    if (source_ == "-" && std::find(compose_.files.begin(), compose_.files.end(), "-") != compose_.files.end()) {
      return "standard input can hold the new value or the compose file, not both";
    }
    return "";
  }

  // Stores the new version and says which it is (flushed: a deploy may follow).
  base::Result<void> rotate(Context& context, store::SecretStore& store, const base::SecretBytes& value) const {
    auto rotated = store.rotate(name_, value);
    if (!rotated) return std::unexpected(rotated.error());
    context.io.out << fmt::format("{} version {}\n", rotated->id, rotated->version);
    context.io.out.flush();
    return {};
  }

  // Loads the project first, so that a broken compose file, or one that does not use the secret,
  // leaves the store as it was; then stores the version under the stack's lock and deploys it.
  int rotate_and_deploy(Context& context, compose::Orchestrator orchestrator, const base::SecretBytes& value) {
    int failure = exit_failed;
    const auto project = load_for_deploy(compose_, "", context, failure);
    if (!project) return failure;
    if (!uses_store_secret(*project, name_)) {
      return fail_with(context, fmt::format("no service of the project \"{}\" uses an external secret named \"{}\", "
                                            "so a deploy would bring it nowhere; nothing was rotated",
                                            project->name, name_));
    }
    bool rotated = false;
    const auto code =
        deploy_project(context, store_, *project, orchestrator, {false, quiet_}, [&](store::SecretStore& store) {
          auto done = rotate(context, store, value);
          rotated = done.has_value();
          return done;
        });
    if (code != exit_ok && rotated) {
      context.io.err << fmt::format(
          "stackup: the new version of \"{}\" is stored; deploy the project \"{}\" again (stackup deploy, with the "
          "same -f and -p) to bring it to its services\n",
          name_, project->name);
    }
    return code;
  }

  StoreLocation store_;
  ComposeOptions compose_;
  std::string name_;
  std::string source_ = "-";
  bool deploy_ = false;
  bool quiet_ = false;
};

class ListCommand final : public Command {
 public:
  explicit ListCommand(CLI::App& parent) : Command(parent.add_subcommand("ls", "List secrets")) {
    app_->alias("list");
    store_.add_to(*app_);
    app_->add_option("-f,--filter", filters_,
                     "Filter: name=PREFIX, label=KEY, label=KEY=VALUE or in-use=true|false (repeatable)")
        ->type_name("FILTER")
        ->allow_extra_args(false);
    app_->add_option("--space", space_, "Only the secrets in this space (named SPACE/...), or below it")->type_name("PATH");
    add_format_option(*app_, format_);
    app_->add_flag("-q,--quiet", quiet_, "Only print IDs");
  }

  int run(Context& context) override {
    std::vector<store::LabelFilter> filters;
    std::optional<bool> in_use;
    std::vector<std::string> name_prefixes;  // docker's name filter: a name or its beginning; any of them
    for (const auto& filter : filters_) {
      if (filter == "in-use=true" || filter == "in-use=false") {
        in_use = filter == "in-use=true";
        continue;
      }
      if (filter.starts_with("name=") && filter.size() > 5) {
        name_prefixes.push_back(filter.substr(5));
        continue;
      }
      if (!filter.starts_with("label=") || filter.size() == 6) {
        return fail_with(context, fmt::format("invalid filter \"{}\": use name=PREFIX, label=KEY, label=KEY=VALUE or "
                                              "in-use=true|false",
                                              filter));
      }
      const auto rest = filter.substr(6);
      const auto equals = rest.find('=');
      filters.push_back({rest.substr(0, equals), equals == std::string::npos
                                                     ? std::nullopt
                                                     : std::optional<std::string>(rest.substr(equals + 1))});
    }
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto secrets = store->list(filters);
    if (!secrets) return fail_with(context, secrets.error().message);
    std::erase_if(*secrets, [&](const store::SecretInfo& info) {
      const auto space = compose::space_of_secret(info.name);
      const bool in_space = space_.empty() || space == space_ || space.starts_with(space_ + "/");
      const bool named = name_prefixes.empty() || std::any_of(name_prefixes.begin(), name_prefixes.end(), [&](const auto& p) {
                           return info.name.starts_with(p);
                         });
      return !in_space || !named || (in_use && *in_use == info.used_by.empty());
    });
    if (quiet_) {
      for (const auto& info : *secrets) context.io.out << info.id << '\n';
      return exit_ok;
    }
    Listing listing;
    listing.headings = {"ID", "NAME", "VERSION", "CREATED", "UPDATED"};
    const auto now = now_micros();
    for (const auto& info : *secrets) {
      listing.rows.push_back(to_json(info, false));
      listing.cells.push_back({info.id, info.name, std::to_string(info.version), time_ago(info.created_at, now),
                               time_ago(info.updated_at, now)});
    }
    if (auto printed = print_listing(context.io.out, format_, listing); !printed) return fail_with(context, printed.error().message);
    return exit_ok;
  }

 private:
  StoreLocation store_;
  std::vector<std::string> filters_;
  std::string space_;
  std::string format_ = "table";
  bool quiet_ = false;
};

class InspectCommand final : public Command {
 public:
  explicit InspectCommand(CLI::App& parent)
      : Command(parent.add_subcommand("inspect", "Show secrets' metadata as JSON (never their values)")) {
    store_.add_to(*app_);
    app_->add_option("names", names_, "Secret names")->required();
    app_->add_option("-f,--format", format_, "A Go template for each secret ('{{.Version}}'); default: a JSON array")
        ->type_name("TEMPLATE");
  }

  int run(Context& context) override {
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    Listing listing;
    int code = exit_ok;
    for (const auto& name : names_) {
      auto info = store->inspect(name_of(*store, name));
      if (info) {
        listing.rows.push_back(to_json(*info, true));
      } else {
        code = fail_with(context, info.error().message);
      }
    }
    if (format_.empty()) {
      context.io.out << nlohmann::ordered_json(listing.rows).dump(2) << '\n';
      return code;
    }
    if (auto printed = print_listing(context.io.out, format_, listing); !printed) return fail_with(context, printed.error().message);
    return code;
  }

 private:
  StoreLocation store_;
  std::vector<std::string> names_;
  std::string format_;
};

class RemoveCommand final : public Command {
 public:
  explicit RemoveCommand(CLI::App& parent) : Command(parent.add_subcommand("rm", "Remove secrets and all their versions")) {
    app_->alias("remove");
    store_.add_to(*app_);
    app_->add_option("names", names_, "Secret names")->required();
  }

  int run(Context& context) override {
    auto store = open_store_for_writing(store_, context);
    if (!store) return fail_with(context, store.error().message);
    int code = exit_ok;
    for (const auto& name : names_) {
      if (auto removed = store->remove(name_of(*store, name)); removed) {
        context.io.out << name << '\n';
      } else {
        code = fail_with(context, removed.error().message);
      }
    }
    return code;
  }

 private:
  StoreLocation store_;
  std::vector<std::string> names_;
};

class RevealCommand final : public Command {
 public:
  explicit RevealCommand(CLI::App& parent)
      : Command(parent.add_subcommand("reveal", "Write a secret's value to standard output (recovery, migration)")) {
    store_.add_to(*app_);
    app_->add_option("name", name_, "Secret name")->required();
    app_->add_option("--version", version_, "Version to reveal (default: the current one)")->check(CLI::PositiveNumber);
  }

  int run(Context& context) override {
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto value = store->reveal_for_user(name_, version_ > 0 ? std::optional<int>(version_) : std::nullopt);
    if (!value) return fail_with(context, value.error().message);
    context.io.out.write(value->data(), static_cast<std::streamsize>(value->size()));
    context.io.out.flush();
    return exit_ok;
  }

 private:
  StoreLocation store_;
  std::string name_;
  int version_ = 0;
};

}  // namespace

// The label deploy gives the secrets it stores from a compose file's file: or environment: source.
constexpr std::string_view stack_label = "com.docker.stack.namespace";

class RollbackCommand final : public Command {
 public:
  explicit RollbackCommand(CLI::App& parent)
      : Command(parent.add_subcommand("rollback", "Make a new version holding an earlier version's value (like git revert)")) {
    store_.add_to(*app_);
    app_->add_option("name", name_, "Secret name")->required();
    app_->add_option("--to-version", to_version_, "The version whose value comes back (default: the one before the current)")
        ->type_name("N");
  }

  int run(Context& context) override {
    auto store = open_store_for_writing(store_, context);
    if (!store) return fail_with(context, store.error().message);
    // A deploy would put the file's value back at once: the file is where to roll back.
    if (auto info = store->lookup(name_); info && *info && (*info)->labels.contains(std::string(stack_label))) {
      return fail_with(context, fmt::format("secret {} comes from stack {}'s compose file (a file:, environment: or "
                                            "x-stackup.command source), which is the source of truth, so rollback "
                                            "does not apply: put the old value back at that source and deploy",
                                            name_, (*info)->labels.at(std::string(stack_label))));
    }
    auto rolled = store->rollback(name_, to_version_ > 0 ? std::optional(to_version_) : std::nullopt);
    if (!rolled) return fail_with(context, rolled.error().message);
    context.io.out << fmt::format("{} version {}\n", rolled->id, rolled->version);
    return exit_ok;
  }

 private:
  StoreLocation store_;
  std::string name_;
  int to_version_ = 0;
};

class HistoryCommand final : public Command {
 public:
  explicit HistoryCommand(CLI::App& parent)
      : Command(parent.add_subcommand("history", "Show a secret's versions: when, how and by whom each was made (never values)")) {
    store_.add_to(*app_);
    app_->add_option("name", name_, "Secret name")->required();
    app_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  }

  int run(Context& context) override {
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    auto versions = store->history(name_);
    if (!versions) return fail_with(context, versions.error().message);
    auto holders = [](const store::VersionInfo& version) {
      std::vector<std::string> names;
      for (const auto& usage : version.held_by) names.push_back(usage.stack + "/" + usage.service);
      return names;
    };
    if (format_ == "json") {
      auto array = nlohmann::ordered_json::array();
      for (const auto& version : *versions) {
        array.push_back({{"Version", version.version}, {"CreatedAt", rfc3339(version.created_at)},
                         {"How", version.origin}, {"By", version.author}, {"Size", version.size},
                         {"HeldBy", holders(version)}});
      }
      context.io.out << array.dump(2) << '\n';
      return exit_ok;
    }
    const auto now = now_micros();
    std::vector<std::vector<std::string>> rows;
    for (auto it = versions->rbegin(); it != versions->rend(); ++it) {  // newest first, like docker history
      rows.push_back({std::to_string(it->version), time_ago(it->created_at, now), it->origin.empty() ? "?" : it->origin,
                      it->author.empty() ? "?" : it->author, std::to_string(it->size),
                      fmt::format("{}", fmt::join(holders(*it), ", "))});
    }
    print_table(context.io.out, {"VERSION", "CREATED", "HOW", "BY", "SIZE", "HELD BY"}, rows);
    return exit_ok;
  }

 private:
  StoreLocation store_;
  std::string name_;
  std::string format_ = "table";
};

void add_secret_commands(CLI::App& parent, Commands& commands) {
  auto* group = parent.add_subcommand("secret", "Manage secrets in the local encrypted store");
  group->require_subcommand(1);
  commands.push_back(std::make_unique<CreateCommand>(*group));
  commands.push_back(std::make_unique<RotateCommand>(*group));
  commands.push_back(std::make_unique<ListCommand>(*group));
  commands.push_back(std::make_unique<InspectCommand>(*group));
  commands.push_back(std::make_unique<RemoveCommand>(*group));
  commands.push_back(std::make_unique<RevealCommand>(*group));
  commands.push_back(std::make_unique<RollbackCommand>(*group));
  commands.push_back(std::make_unique<HistoryCommand>(*group));
}

}  // namespace stackup::cli
