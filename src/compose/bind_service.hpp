#pragma once
// Binding the fields of a service that deploy runs: commands, environment, ports, volumes, networks,
// healthcheck and the rest. Fields the local orchestrator does not honour are listed by name.
#include <string>
#include <vector>

#include "compose/model.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

void bind_runtime_fields(const Node& service_node, Service& service);

// Splits a command string as a POSIX shell would split words (quotes and backslashes), without
// expanding anything.
std::vector<std::string> split_command(std::string_view command);

// "8000:80", "127.0.0.1:8000:80/udp", "80": compose's short port syntax.
PortMapping parse_port(std::string_view text);

}  // namespace stackup::compose
