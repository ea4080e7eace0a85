#include "compose/port_syntax.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <variant>

namespace stackup::compose {
namespace {

constexpr int highest_port = 65535;

struct Range {
  int first = 0;
  int last = 0;
  [[nodiscard]] int size() const { return last - first + 1; }
};

std::optional<int> port_number(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A port or a range; on failure, the message.
std::variant<Range, std::string> parse_range(std::string_view text, bool container) {
  const auto dash = text.find('-');
  const auto first = port_number(text.substr(0, dash));
  const auto last = dash == std::string_view::npos ? first : port_number(text.substr(dash + 1));
  if (!first || !last) return fmt::format("\"{}\" is not a port number or a range such as 8000-8010", text);
  // A host port of 0 asks the engine for an ephemeral one; a container port of 0 means nothing.
  const int lowest = container ? 1 : 0;
  for (const int port : {*first, *last}) {
    if (port < lowest || port > highest_port) {
      return fmt::format("port {} is out of range: ports are {} to {}", port, lowest, highest_port);
    }
  }
  if (*last < *first) return fmt::format("the range {} ends before it starts", text);
  return Range{*first, *last};
}

}  // namespace

std::optional<std::string> protocol_problem(std::string_view protocol) {
  std::string lower(protocol);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "tcp" || lower == "udp" || lower == "sctp") return std::nullopt;
  return fmt::format("unknown protocol \"{}\": use tcp, udp or sctp", protocol);
}

std::optional<std::string> port_range_problem(std::string_view text, bool container) {
  auto range = parse_range(text, container);
  if (auto* message = std::get_if<std::string>(&range)) return std::move(*message);
  return std::nullopt;
}

std::optional<std::string> host_ip_problem(std::string_view ip) {
  if (ip.empty()) return std::nullopt;  // all addresses, as when none is written
  const std::string text(ip);
  unsigned char address[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, text.c_str(), address) == 1 || ::inet_pton(AF_INET6, text.c_str(), address) == 1) {
    return std::nullopt;
  }
  return fmt::format("\"{}\" is not an IP address; the host IP is the address to publish on, such as 127.0.0.1 or ::1", ip);
}

std::optional<std::string> short_port_problem(std::string_view spec) {
  const auto form = [&](const std::string& problem) {
    const bool syntax = problem.find("is not a port number") != std::string::npos;
    return fmt::format("port \"{}\": {}{}", spec, problem,
                       syntax ? "; write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], such as 8080:80 or "
                                "127.0.0.1:53:53/udp"
                              : "");
  };
  auto rest = spec;
  if (const auto slash = rest.rfind('/'); slash != std::string_view::npos) {
    if (auto problem = protocol_problem(rest.substr(slash + 1))) return form(*problem);
    rest = rest.substr(0, slash);
  }
  if (rest.starts_with('[')) {  // [IPv6]:HOST:CONTAINER
    const auto close = rest.find("]:");
    if (close == std::string_view::npos) return form("an IPv6 host address needs ]: after it");
    if (auto problem = host_ip_problem(rest.substr(1, close - 1))) return form(*problem);
    rest = rest.substr(close + 2);
  }
  const auto last_colon = rest.rfind(':');
  const auto container_text = last_colon == std::string_view::npos ? rest : rest.substr(last_colon + 1);
  auto container = parse_range(container_text, true);
  if (auto* message = std::get_if<std::string>(&container)) return form(*message);
  if (last_colon == std::string_view::npos) return std::nullopt;
  auto host_part = rest.substr(0, last_colon);
  const auto host_colon = host_part.rfind(':');
  const auto host_text = host_colon == std::string_view::npos ? host_part : host_part.substr(host_colon + 1);
  if (host_colon != std::string_view::npos && !spec.starts_with('[')) {
    if (auto problem = host_ip_problem(host_part.substr(0, host_colon))) return form(*problem);
  }
  if (host_text.empty()) return std::nullopt;  // 127.0.0.1::80: an ephemeral host port
  auto host = parse_range(host_text, false);
  if (auto* message = std::get_if<std::string>(&host)) return form(*message);
  const auto& hosts = std::get<Range>(host);
  const auto& containers = std::get<Range>(container);
  if (containers.size() > 1 && hosts.size() != containers.size()) {
    return form(fmt::format("the host range has {} ports and the container range {}", hosts.size(), containers.size()));
  }
  return std::nullopt;
}

}  // namespace stackup::compose
