// `stackup validate`: checks compose files offline, as a CI step. Needs no engine, store or secret
// files; with --store, also what only the store knows about external secrets.
#include <fmt/format.h>

#include <ostream>

#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/diagnostic_output.hpp"
#include "cli/store_options.hpp"
#include "compose/rules.hpp"
#include "compose/suggest.hpp"
#include "deploy/external_checks.hpp"

namespace stackup::cli {
namespace {

class ValidateCommand final : public Command {
 public:
  explicit ValidateCommand(CLI::App& parent)
      : Command(parent.add_subcommand("validate", "Check compose files and report every problem (offline)")) {
    compose_.add_to(*app_);
    app_->add_flag("--strict", strict_, "Treat missing, empty or oversized secret files as errors");
    app_->add_option("--format", format_, "Output format")
        ->check(CLI::IsMember({"text", "json", "github", "sarif", "codeclimate"}))
        ->default_str("text");
    app_->add_option("--ignore", ignored_, "Drop the warnings of rule RULE (repeatable); the rule IDs are shown in []")
        ->type_name("RULE");
    app_->add_flag("--warnings-as-errors", policy_.warnings_as_errors, "Count warnings as errors (exit 1 on any)");
    app_->add_flag("-q,--quiet", quiet_, "Print errors only, and nothing when the files are valid");
    app_->add_option("--store", store_.directory,
                     "Also check external secrets against the secret store (DIR, else the default store): that it "
                     "has them and that their permission labels allow their services")
        ->expected(0, 1)
        ->type_name("[DIR]");
  }

  int run(Context& context) override {
    for (const auto& id : ignored_) {
      if (!compose::rules::find(id)) {
        std::vector<std::string> ids;
        for (const auto* rule : compose::rules::all()) ids.emplace_back(rule->id);
        const auto closest = compose::closest_match(id, ids);
        context.io.err << fmt::format("stackup: error: --ignore {}: no such rule{}\n", id,
                                      closest ? fmt::format("; did you mean {}?", *closest) : "");
        return exit_usage;
      }
      policy_.ignored.insert(id);
    }
    if (auto chosen = compose_.chosen_orchestrator(context); !chosen) {
      context.io.err << "stackup: error: " << chosen.error().message << '\n';
      return exit_usage;
    }
    auto options = compose_.load_options(context);
    options.strict = strict_;
    auto loaded = compose::load_project(options, compose::DiskFileSystem{});
    if (app_->count("--store") > 0 && loaded.project) {
      auto store = open_store_for_reading(store_, context);
      if (!store) return fail_with(context, store.error().message);
      deploy::check_external_secrets(*loaded.project, *store, loaded.diagnostics);
      loaded.diagnostics.sort_and_deduplicate();
    }
    const auto diagnostics = apply_policy(loaded.diagnostics, policy_);
    DiagnosticStyle style;
    style.format = format_of(format_);
    style.color = context.color_for(context.io.out_is_terminal);
    style.errors_only = quiet_;
    print_diagnostics(context.io.out, diagnostics, style);
    // SARIF and Code Climate locate every finding in a file; one that has none (no compose file was
    // found or could be read) is told on standard error instead.
    if (style.format == DiagnosticFormat::sarif || style.format == DiagnosticFormat::codeclimate) {
      for (const auto& d : diagnostics.all()) {
        if (!d.location.source) context.io.err << "stackup: " << base::headline_with_rule(d) << '\n';
      }
    }
    if (loaded.unreadable) return exit_usage;
    const bool valid = !diagnostics.has_errors();
    const auto summary =
        fmt::format("{}: {} ({})", fmt::join(loaded.files, ", "), valid ? "valid" : "invalid", count_summary(diagnostics));
    if (style.format == DiagnosticFormat::text && !quiet_) context.io.out << summary << '\n';
    // GitHub shows only the first 10 errors and 10 warnings of a step: the notice tells how many there are.
    if (style.format == DiagnosticFormat::github && !(quiet_ && valid)) {
      print_github_notice(context.io.out, "stackup validate", summary);
    }
    return valid ? exit_ok : exit_failed;
  }

 private:
  ComposeOptions compose_;
  StoreLocation store_;
  bool strict_ = false;
  bool quiet_ = false;
  std::string format_ = "text";
  std::vector<std::string> ignored_;
  RulePolicy policy_;

  static DiagnosticFormat format_of(std::string_view name) {
    if (name == "json") return DiagnosticFormat::json;
    if (name == "github") return DiagnosticFormat::github;
    if (name == "sarif") return DiagnosticFormat::sarif;
    if (name == "codeclimate") return DiagnosticFormat::codeclimate;
    return DiagnosticFormat::text;
  }
};

}  // namespace

std::unique_ptr<Command> make_validate_command(CLI::App& parent) { return std::make_unique<ValidateCommand>(parent); }

}  // namespace stackup::cli
