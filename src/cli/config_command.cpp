// `stackup config`: prints the merged, interpolated, canonical model. It never reads or prints secret
// values: file secrets are paths, environment secrets are variable names.
#include <ostream>

#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/diagnostic_output.hpp"
#include "compose/emit.hpp"

namespace stackup::cli {
namespace {

class ConfigCommand final : public Command {
 public:
  explicit ConfigCommand(CLI::App& parent)
      : Command(parent.add_subcommand("config", "Print the resolved compose model (merged, interpolated, canonical)")) {
    compose_.add_to(*app_);
    app_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"yaml", "json"}))->default_str("yaml");
    app_->add_flag("--no-interpolate", no_interpolate_, "Keep ${VARIABLES} as written");
    app_->add_flag("--services", services_, "Print the services that would run, one a line (the active profiles')");
    app_->add_flag("-q,--quiet", quiet_, "Only check the files: print nothing but problems (exit 1 if invalid)");
  }

  int run(Context& context) override {
    auto options = compose_.load_options(context);
    options.interpolate = !no_interpolate_;
    const auto loaded = compose::load_project(options, compose::DiskFileSystem{});
    DiagnosticStyle style;
    style.color = context.color_for(context.io.err_is_terminal);
    print_diagnostics(context.io.err, loaded.diagnostics, style);
    if (loaded.unreadable) return exit_usage;
    if (!loaded.project) return exit_failed;
    if (quiet_) return exit_ok;
    if (services_) {
      for (const auto& service : loaded.project->services) context.io.out << service.name << '\n';
      return exit_ok;
    }
    context.io.out << (format_ == "json" ? compose::to_json_text(loaded.document) : compose::to_yaml_text(loaded.document));
    return exit_ok;
  }

 private:
  ComposeOptions compose_;
  std::string format_ = "yaml";
  bool no_interpolate_ = false;
  bool services_ = false;
  bool quiet_ = false;
};

}  // namespace

std::unique_ptr<Command> make_config_command(CLI::App& parent) { return std::make_unique<ConfigCommand>(parent); }

}  // namespace stackup::cli
