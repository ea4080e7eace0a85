#include "engine/http.hpp"

#include <fmt/format.h>

#include <array>

#include "engine/http_response.hpp"

namespace stackup::engine {
namespace {

// The Host header: the engine ignores it on its socket, but HTTP/1.1 requires one.
std::string host_header(const HttpTarget& target) {
  if (!target.unix_socket.empty()) return "docker";
  if (target.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", target.host, target.port);  // IPv6
  return fmt::format("{}:{}", target.host, target.port);
}

// Hands a streamed body to `on_line` line by line.
class LineSplitter {
 public:
  explicit LineSplitter(const std::function<bool(std::string_view)>& on_line) : on_line_(on_line) {}
  bool take(std::string_view piece) {
    if (!on_line_) return true;
    pending_.append(piece);
    std::size_t newline = 0;
    while ((newline = pending_.find('\n')) != std::string::npos) {
      if (!on_line_(std::string_view(pending_).substr(0, newline))) return false;
      pending_.erase(0, newline + 1);
    }
    return true;
  }

 private:
  const std::function<bool(std::string_view)>& on_line_;
  std::string pending_;
};

}  // namespace

HttpClient::HttpClient(HttpTarget target) : target_(std::move(target)), host_header_(host_header(target_)) {}

base::Result<HttpResponse> HttpClient::request(std::string_view method, const std::string& path, const std::string& body,
                                               const std::function<bool(std::string_view)>& on_line) {
  auto connection = Connection::open(target_);
  if (!connection) return std::unexpected(connection.error());
  const auto message = fmt::format(
      "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: stackup\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
      method, path, host_header_, body.size(), body);
  if (auto sent = connection->send_all(message); !sent) return std::unexpected(sent.error());

  HttpResponse response;
  LineSplitter lines(on_line);
  const auto on_body = [&](std::string_view piece) {
    response.body.append(piece);
    return lines.take(piece);
  };
  ResponseReader reader;
  std::array<char, 16384> buffer{};
  while (!reader.complete()) {
    auto received = connection->receive(buffer);
    if (!received) return std::unexpected(received.error());
    auto fed = *received == 0 ? reader.finish(on_body, connection->cut()) : reader.feed({buffer.data(), *received}, on_body);
    if (!fed) return std::unexpected(fed.error());
  }
  response.status = reader.status();
  response.api_version = reader.api_version();
  return response;
}

}  // namespace stackup::engine
