#pragma once
// A subcommand: it declares its options on construction and does its work in run().
#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

#include "cli/context.hpp"

namespace stackup::cli {

class Command {
 public:
  explicit Command(CLI::App* app) : app_(app) {}
  virtual ~Command() = default;
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  [[nodiscard]] bool selected() const { return app_->parsed(); }
  virtual int run(Context& context) = 0;

 protected:
  CLI::App* app_;
};

using Commands = std::vector<std::unique_ptr<Command>>;

std::unique_ptr<Command> make_validate_command(CLI::App& parent);
std::unique_ptr<Command> make_config_command(CLI::App& parent);
void add_secret_commands(CLI::App& parent, Commands& commands);
void add_store_commands(CLI::App& parent, Commands& commands);
void add_deploy_commands(CLI::App& parent, Commands& commands);
void add_status_commands(CLI::App& parent, Commands& commands);
void add_audit_commands(CLI::App& parent, Commands& commands);
void add_check_commands(CLI::App& parent, Commands& commands);

// Prints "stackup: error: MESSAGE" and returns exit_failed; a message of several lines is several errors.
int fail_with(Context& context, const std::string& message);

}  // namespace stackup::cli
