// `stackup ps` (a stack's containers) and `stackup ls` (the stacks).
#include <fmt/format.h>

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/engine_options.hpp"
#include "cli/table.hpp"
#include "deploy/container_config.hpp"

namespace stackup::cli {
namespace {

std::string label(const engine::ContainerSummary& container, std::string_view name) {
  return engine::label_value(container.labels, name);
}

class PsCommand final : public Command {
 public:
  explicit PsCommand(CLI::App& parent) : Command(parent.add_subcommand("ps", "List a stack's containers")) {
    compose_.add_to(*app_);
    app_->add_option("stack", stack_, "Stack name (default: the project name)");
    app_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  }

  int run(Context& context) override {
    std::string stack = stack_;
    if (stack.empty()) {
      const auto loaded = compose::load_project(compose_.load_options(context), compose::DiskFileSystem{});
      if (!loaded.project) return fail_with(context, "no stack named and no valid compose file here: say which stack");
      stack = loaded.project->name;
    }
    auto engine = connect_engine(context);
    if (!engine) return fail_with(context, engine.error().message);
    auto containers = (*engine)->list_containers(fmt::format("{}={}", deploy::namespace_label, stack));
    if (!containers) return fail_with(context, containers.error().message);
    std::sort(containers->begin(), containers->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    if (format_ == "json") {
      auto array = nlohmann::ordered_json::array();
      for (const auto& c : *containers) {
        array.push_back({{"Name", c.name}, {"Service", label(c, "com.docker.compose.service")}, {"State", c.state},
                         {"Status", c.status}, {"Image", c.image}, {"ID", c.id.substr(0, 12)}});
      }
      context.io.out << array.dump(2) << '\n';
      return exit_ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : *containers) {
      rows.push_back({c.name, label(c, "com.docker.compose.service"), c.image, c.status});
    }
    print_table(context.io.out, {"NAME", "SERVICE", "IMAGE", "STATUS"}, rows);
    return exit_ok;
  }

 private:
  ComposeOptions compose_;
  std::string stack_;
  std::string format_ = "table";
};

class LsCommand final : public Command {
 public:
  explicit LsCommand(CLI::App& parent) : Command(parent.add_subcommand("ls", "List the stacks deployed on this engine")) {
    app_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"table", "json"}))->default_str("table");
  }

  int run(Context& context) override {
    auto engine = connect_engine(context);
    if (!engine) return fail_with(context, engine.error().message);
    auto containers = (*engine)->list_containers(std::string(deploy::namespace_label));
    if (!containers) return fail_with(context, containers.error().message);
    struct Stack {
      std::set<std::string> services;
      std::map<std::string, int> states;
    };
    std::map<std::string, Stack> stacks;
    for (const auto& c : *containers) {
      auto& stack = stacks[label(c, deploy::namespace_label)];
      stack.services.insert(label(c, "com.docker.compose.service"));
      ++stack.states[c.state];
    }
    auto status_of = [](const Stack& stack) {
      std::string status;
      for (const auto& [state, count] : stack.states) status += fmt::format("{}{}({})", status.empty() ? "" : ", ", state, count);
      return status;
    };
    if (format_ == "json") {
      auto array = nlohmann::ordered_json::array();
      for (const auto& [name, stack] : stacks) {
        array.push_back({{"Name", name}, {"Services", stack.services.size()}, {"Status", status_of(stack)}});
      }
      context.io.out << array.dump(2) << '\n';
      return exit_ok;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [name, stack] : stacks) rows.push_back({name, std::to_string(stack.services.size()), status_of(stack)});
    print_table(context.io.out, {"NAME", "SERVICES", "STATUS"}, rows);
    return exit_ok;
  }

 private:
  std::string format_ = "table";
};

}  // namespace

void add_status_commands(CLI::App& parent, Commands& commands) {
  commands.push_back(std::make_unique<PsCommand>(parent));
  commands.push_back(std::make_unique<LsCommand>(parent));
}

}  // namespace stackup::cli
