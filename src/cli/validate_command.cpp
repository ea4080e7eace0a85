// `stackup validate`: checks compose files offline, as a CI step. Needs no engine, store or secret files.
#include <fmt/format.h>

#include <ostream>

#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/diagnostic_output.hpp"

namespace stackup::cli {
namespace {

class ValidateCommand final : public Command {
 public:
  explicit ValidateCommand(CLI::App& parent)
      : Command(parent.add_subcommand("validate", "Check compose files and report every problem (offline)")) {
    compose_.add_to(*app_);
    app_->add_flag("--strict", strict_, "Treat missing, empty or oversized secret files as errors");
    app_->add_option("--format", format_, "Output format")
        ->check(CLI::IsMember({"text", "json", "github"}))
        ->default_str("text");
    app_->add_flag("-q,--quiet", quiet_, "Print errors only, and nothing when the files are valid");
  }

  int run(Context& context) override {
    if (auto chosen = compose_.chosen_orchestrator(context); !chosen) {
      context.io.err << "stackup: error: " << chosen.error().message << '\n';
      return exit_usage;
    }
    auto options = compose_.load_options(context);
    options.strict = strict_;
    const auto loaded = compose::load_project(options, compose::DiskFileSystem{});
    DiagnosticStyle style;
    style.format = format_ == "json" ? DiagnosticFormat::json : format_ == "github" ? DiagnosticFormat::github
                                                                                    : DiagnosticFormat::text;
    style.color = context.color_for(context.io.out_is_terminal);
    style.errors_only = quiet_;
    print_diagnostics(context.io.out, loaded.diagnostics, style);
    if (loaded.unreadable) return exit_usage;
    const bool valid = !loaded.diagnostics.has_errors();
    if (style.format == DiagnosticFormat::text && !quiet_) {
      context.io.out << fmt::format("{}: {} ({})\n", fmt::join(loaded.files, ", "), valid ? "valid" : "invalid",
                                    count_summary(loaded.diagnostics));
    }
    return valid ? exit_ok : exit_failed;
  }

 private:
  ComposeOptions compose_;
  bool strict_ = false;
  bool quiet_ = false;
  std::string format_ = "text";
};

}  // namespace

std::unique_ptr<Command> make_validate_command(CLI::App& parent) { return std::make_unique<ValidateCommand>(parent); }

}  // namespace stackup::cli
