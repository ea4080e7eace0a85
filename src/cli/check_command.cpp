// `stackup check [STACK]`: drift between what the store says a stack's containers hold and what
// they hold (deploy/drift.hpp); exit 1 on drift, with what to do.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/engine_options.hpp"
#include "cli/store_options.hpp"
#include "cli/table.hpp"
#include "deploy/drift.hpp"

namespace stackup::cli {
namespace {

class CheckCommand final : public Command {
 public:
  explicit CheckCommand(CLI::App& parent)
      : Command(parent.add_subcommand("check", "Check that a stack's containers hold the secrets the store says (no value shown)")) {
    compose_.add_to(*app_);
    store_.add_to(*app_);
    app_->add_option("stack", stack_, "Stack name (default: the project name)");
    app_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  }

  int run(Context& context) override {
    // The compose file, when there is one, says each file's owner and mode; read as deploy reads it,
    // a STACK argument being the project's name.
    auto options = compose_.load_options(context);
    if (!stack_.empty()) options.project_name = stack_;
    auto loaded = compose::load_project(options, compose::DiskFileSystem{});
    std::string stack = stack_;
    if (stack.empty()) {
      if (!loaded.project) return fail_with(context, "no stack named and no valid compose file here: say which stack");
      stack = loaded.project->name;
    }
    const compose::Project* project = loaded.project ? &*loaded.project : nullptr;
    if (!project) context.io.err << "stackup: no valid compose file here: owners and modes are not checked\n";
    auto engine = connect_engine(context);
    if (!engine) return fail_with(context, engine.error().message);
    auto store = open_store_for_reading(store_, context);
    if (!store) return fail_with(context, store.error().message);
    deploy::TmpfsSecretFiles files(secrets_runtime_directory(context));
    auto findings = deploy::check_drift(**engine, *store, files, stack, project);
    if (!findings) return fail_with(context, findings.error().message);
    const bool drift = std::any_of(findings->begin(), findings->end(), [](const auto& f) { return f.drift; });
    if (format_ == "json") {
      auto array = nlohmann::ordered_json::array();
      for (const auto& f : *findings) {
        array.push_back({{"Container", f.container}, {"Subject", f.subject}, {"Status", f.status}, {"Drift", f.drift}});
      }
      context.io.out << array.dump(2) << '\n';
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& f : *findings) rows.push_back({f.container, f.subject, f.status});
      print_table(context.io.out, {"CONTAINER", "SUBJECT", "STATUS"}, rows);
    }
    if (drift) {
      context.io.err << fmt::format("stackup: error: stack {} has drifted from what the store says; see above\n", stack);
      return exit_failed;
    }
    return exit_ok;
  }

 private:
  ComposeOptions compose_;
  StoreLocation store_;
  std::string stack_;
  std::string format_ = "table";
};

}  // namespace

void add_check_commands(CLI::App& parent, Commands& commands) { commands.push_back(std::make_unique<CheckCommand>(parent)); }

}  // namespace stackup::cli
