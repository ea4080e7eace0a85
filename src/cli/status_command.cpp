// `stackup ps` (a stack's containers) and `stackup ls` (the stacks).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <set>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command.hpp"
#include "cli/compose_options.hpp"
#include "cli/engine_options.hpp"
#include "cli/listing.hpp"
#include "cli/table.hpp"
#include "engine/swarm.hpp"
#include "deploy/container_config.hpp"

namespace stackup::cli {
namespace {

std::string label(const engine::ContainerSummary& container, std::string_view name) {
  return engine::label_value(container.labels, name);
}

std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

// "*:8080->80/tcp" for each port a task publishes on its node (host mode), as docker stack ps shows.
std::string ports_of(const engine::Task& task) {
  std::vector<std::string> ports;
  for (const auto& port : task.ports) {
    ports.push_back(fmt::format("*:{}->{}/{}", port.value("PublishedPort", 0), port.value("TargetPort", 0),
                                port.value("Protocol", "tcp")));
  }
  return fmt::format("{}", fmt::join(ports, ","));
}

// `ps --orchestrator swarm`: one row per task, like docker stack ps.
int print_swarm_tasks(Context& context, const std::string& stack, const std::string& format, bool quiet) {
  auto swarm = connect_swarm(context);
  if (!swarm) return fail_with(context, swarm.error().message);
  auto services = (*swarm)->list_services(fmt::format("{}={}", deploy::namespace_label, stack));
  if (!services) return fail_with(context, services.error().message);
  std::map<std::string, std::string> service_names;
  std::vector<std::string> ids;
  for (const auto& service : *services) {
    service_names[service.id] = service.name;
    ids.push_back(service.id);
  }
  std::vector<engine::Task> tasks;
  if (!ids.empty()) {
    auto listed = (*swarm)->list_tasks(ids);
    if (!listed) return fail_with(context, listed.error().message);
    tasks = std::move(*listed);
  }
  auto nodes = (*swarm)->list_nodes();
  if (!nodes) return fail_with(context, nodes.error().message);
  std::map<std::string, std::string> hostnames;
  for (const auto& node : *nodes) hostnames[node.id] = node.hostname;
  auto name_of = [&](const engine::Task& task) {
    return fmt::format("{}.{}", service_names[task.service_id], task.slot > 0 ? std::to_string(task.slot) : task.node_id);
  };
  std::sort(tasks.begin(), tasks.end(), [&](const auto& a, const auto& b) {
    return std::tuple(name_of(a), b.timestamp) < std::tuple(name_of(b), a.timestamp);  // newest first in a slot
  });
  const auto now = now_micros();
  auto current_state = [&](const engine::Task& task) {
    const auto since = parse_rfc3339(task.timestamp);
    return since ? fmt::format("{} {}", capitalized(task.state), time_ago(*since, now)) : capitalized(task.state);
  };
  Listing listing;
  listing.headings = {"ID", "NAME", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"};
  for (const auto& t : tasks) {
    const auto id = t.id.substr(0, 12);
    const auto name = name_of(t);
    const auto desired = capitalized(t.desired_state);
    const auto state = current_state(t);
    const auto ports = ports_of(t);
    listing.rows.push_back({{"ID", id}, {"Name", name}, {"Node", hostnames[t.node_id]}, {"DesiredState", desired},
                            {"CurrentState", state}, {"Error", t.error}, {"Ports", ports}});
    listing.cells.push_back({id, name, hostnames[t.node_id], desired, state, t.error, ports});
  }
  if (quiet) {
    for (const auto& t : tasks) context.io.out << t.id << '\n';
    return exit_ok;
  }
  if (auto printed = print_listing(context.io.out, format, listing); !printed) return fail_with(context, printed.error().message);
  return exit_ok;
}

// "0.0.0.0:8000->80/tcp, 9000/tcp", as docker ps shows a container's ports.
std::string ports_of(const engine::ContainerSummary& container) {
  std::vector<std::string> ports;
  for (const auto& port : container.ports) {
    ports.push_back(port.public_port == 0 ? fmt::format("{}/{}", port.private_port, port.type)
                                          : fmt::format("{}:{}->{}/{}", port.ip, port.public_port, port.private_port, port.type));
  }
  std::sort(ports.begin(), ports.end());
  ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  return fmt::format("{}", fmt::join(ports, ", "));
}

class PsCommand final : public Command {
 public:
  explicit PsCommand(CLI::App& parent) : Command(parent.add_subcommand("ps", "List a stack's containers (or, on Swarm, its tasks)")) {
    compose_.add_to(*app_);
    app_->add_option("stack", stack_, "Stack name (default: the project name)");
    add_format_option(*app_, format_);
    app_->add_flag("-a,--all", all_, "Show stopped containers too (Swarm: every task is shown)");
    app_->add_flag("-q,--quiet", quiet_, "Only print IDs");
  }

  int run(Context& context) override {
    std::string stack = stack_;
    if (stack.empty()) {
      const auto loaded = compose::load_project(compose_.load_options(context), compose::DiskFileSystem{});
      if (!loaded.project) return fail_with(context, "no stack named and no valid compose file here: say which stack");
      stack = loaded.project->name;
    }
    auto orchestrator = compose_.chosen_orchestrator(context);
    if (!orchestrator) return fail_with(context, orchestrator.error().message);
    if (*orchestrator == compose::Orchestrator::swarm) return print_swarm_tasks(context, stack, format_, quiet_);
    auto engine = connect_engine(context);
    if (!engine) return fail_with(context, engine.error().message);
    auto containers = (*engine)->list_containers(fmt::format("{}={}", deploy::namespace_label, stack));
    if (!containers) return fail_with(context, containers.error().message);
    std::erase_if(*containers, [&](const auto& c) { return !all_ && c.state != "running"; });
    std::sort(containers->begin(), containers->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    if (quiet_) {
      for (const auto& c : *containers) context.io.out << c.id << '\n';
      return exit_ok;
    }
    Listing listing;
    listing.headings = {"NAME", "SERVICE", "IMAGE", "STATUS", "PORTS"};
    for (const auto& c : *containers) {
      const auto service = label(c, "com.docker.compose.service");
      const auto ports = ports_of(c);
      listing.rows.push_back({{"Name", c.name}, {"Service", service}, {"State", c.state}, {"Status", c.status},
                              {"Image", c.image}, {"ID", c.id.substr(0, 12)}, {"Ports", ports}});
      listing.cells.push_back({c.name, service, c.image, c.status, ports});
    }
    if (auto printed = print_listing(context.io.out, format_, listing); !printed) return fail_with(context, printed.error().message);
    return exit_ok;
  }

 private:
  ComposeOptions compose_;
  std::string stack_;
  std::string format_ = "table";
  bool all_ = false;
  bool quiet_ = false;
};

struct Stack {
  std::set<std::string> services;
  std::map<std::string, int> states;
};

// The swarm's stacks, when this engine manages one: their services and their tasks' states.
base::Result<void> add_swarm_stacks(Context& context, std::map<std::pair<std::string, std::string>, Stack>& stacks) {
  auto swarm = connect_swarm(context);
  if (!swarm) return std::unexpected(swarm.error());
  auto info = (*swarm)->info();
  if (!info) return std::unexpected(info.error());
  if (info->state != "active" || !info->manager) return {};
  auto services = (*swarm)->list_services(std::string(deploy::namespace_label));
  if (!services) return std::unexpected(services.error());
  if (services->empty()) return {};
  auto tasks = (*swarm)->list_tasks({});
  if (!tasks) return std::unexpected(tasks.error());
  std::map<std::string, Stack*> by_service;
  for (const auto& service : *services) {
    const auto name = engine::label_value(service.spec.value("Labels", engine::Labels{}), deploy::namespace_label);
    auto& stack = stacks[{name, "swarm"}];
    stack.services.insert(service.name);
    by_service[service.id] = &stack;
  }
  for (const auto& task : *tasks) {
    if (const auto it = by_service.find(task.service_id); it != by_service.end() && task.desired_state == "running") {
      ++it->second->states[task.state];
    }
  }
  return {};
}

class LsCommand final : public Command {
 public:
  explicit LsCommand(CLI::App& parent) : Command(parent.add_subcommand("ls", "List the stacks deployed on this engine and its swarm")) {
    add_format_option(*app_, format_);
    app_->add_flag("-q,--quiet", quiet_, "Only print names");
  }

  int run(Context& context) override {
    auto engine = connect_engine(context);
    if (!engine) return fail_with(context, engine.error().message);
    auto containers = (*engine)->list_containers(std::string(deploy::namespace_label));
    if (!containers) return fail_with(context, containers.error().message);
    std::map<std::pair<std::string, std::string>, Stack> stacks;  // by name and orchestrator
    for (const auto& c : *containers) {
      if (c.labels.contains(std::string(deploy::swarm_task_label))) continue;  // a Swarm task's container
      auto& stack = stacks[{label(c, deploy::namespace_label), "local"}];
      stack.services.insert(label(c, "com.docker.compose.service"));
      ++stack.states[c.state];
    }
    if (auto added = add_swarm_stacks(context, stacks); !added) return fail_with(context, added.error().message);
    auto status_of = [](const Stack& stack) {
      std::string status;
      for (const auto& [state, count] : stack.states) status += fmt::format("{}{}({})", status.empty() ? "" : ", ", state, count);
      return status;
    };
    if (quiet_) {
      std::set<std::string> names;
      for (const auto& [key, stack] : stacks) names.insert(key.first);
      for (const auto& name : names) context.io.out << name << '\n';
      return exit_ok;
    }
    Listing listing;
    listing.headings = {"NAME", "SERVICES", "ORCHESTRATOR", "STATUS"};
    for (const auto& [key, stack] : stacks) {
      listing.rows.push_back({{"Name", key.first}, {"Services", stack.services.size()}, {"Orchestrator", key.second},
                              {"Status", status_of(stack)}});
      listing.cells.push_back({key.first, std::to_string(stack.services.size()), key.second, status_of(stack)});
    }
    if (auto printed = print_listing(context.io.out, format_, listing); !printed) return fail_with(context, printed.error().message);
    return exit_ok;
  }

 private:
  std::string format_ = "table";
  bool quiet_ = false;
};

}  // namespace

void add_status_commands(CLI::App& parent, Commands& commands) {
  commands.push_back(std::make_unique<PsCommand>(parent));
  commands.push_back(std::make_unique<LsCommand>(parent));
}

}  // namespace stackup::cli
