#pragma once
// The syntax of a service's published ports, as Docker reads it:
//   [[HOST_IP:][HOST_PORT[-END]]:]CONTAINER_PORT[-END][/PROTOCOL]
// (an IPv6 host address in brackets). Checked here so that validate names a bad one at its place,
// instead of the engine refusing the container at deploy time.
#include <optional>
#include <string>
#include <string_view>

namespace stackup::compose {

// What is wrong with a short-syntax port, or nullopt when it is well formed.
std::optional<std::string> short_port_problem(std::string_view spec);

// What is wrong with a port or a port range (`8000`, `8000-8010`) of the long syntax's `target` or
// `published`, or nullopt.
std::optional<std::string> port_range_problem(std::string_view text, bool container);

// What is wrong with a host IP address (IPv4, or IPv6 without brackets), or nullopt.
std::optional<std::string> host_ip_problem(std::string_view ip);
// What is wrong with a protocol, or nullopt.
std::optional<std::string> protocol_problem(std::string_view protocol);

}  // namespace stackup::compose
