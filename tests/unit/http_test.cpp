// Our HTTP/1.1 client: ResponseReader on every way a response can be split, and HttpClient against a
// unix socket served by the test (the request it writes, byte for byte).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "engine/docker_engine.hpp"
#include "engine/http.hpp"
#include "engine/http_response.hpp"

namespace stackup::engine {
namespace {

struct Read {
  std::string error;  // empty when the response was read whole
  long status = 0;
  std::string body, api_version;
};

// Feeds `bytes` in pieces of `piece` bytes, then ends the connection.
Read read_response(std::string_view bytes, std::size_t piece) {
  ResponseReader reader;
  Read read;
  const auto sink = [&](std::string_view part) {
    read.body.append(part);
    return true;
  };
  for (std::size_t at = 0; at < bytes.size() && !reader.complete(); at += piece) {
    if (auto fed = reader.feed(bytes.substr(at, piece), sink); !fed) return Read{fed.error().message, 0, "", ""};
  }
  if (auto finished = reader.finish(sink); !finished) return Read{finished.error().message, 0, "", ""};
  read.status = reader.status();
  read.api_version = reader.api_version();
  return read;
}

constexpr std::string_view chunked =
    "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n"
    "7\r\n{\"a\":1}\r\n1;ext=x\r\n\n\r\n0\r\nTrailer: t\r\n\r\n";

TEST(ResponseReader, ReadsAChunkedBodySplitAnywhere) {
  for (const std::size_t piece : {1UL, 2UL, 3UL, 7UL, 64UL, 4096UL}) {
    const auto read = read_response(chunked, piece);
    EXPECT_EQ(read.error, "") << piece;
    EXPECT_EQ(read.status, 200) << piece;
    EXPECT_EQ(read.api_version, "1.41") << piece;
    EXPECT_EQ(read.body, "{\"a\":1}\n") << piece;
  }
}

TEST(ResponseReader, ReadsASizedBodyAndStopsAtItsEnd) {
  const auto read = read_response("HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\n\r\nhelloEXTRA", 3);
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(read.body, "hello");
}

TEST(ResponseReader, ReadsABodyThatRunsToTheEndOfTheConnection) {
  const auto read = read_response("HTTP/1.0 200 OK\r\n\r\nall of it", 4);
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.body, "all of it");
}

TEST(ResponseReader, RefusesABodyToTheEndWhenTheConnectionWasCut) {
  const auto sink = [](std::string_view) { return true; };
  ResponseReader to_the_end;
  ASSERT_TRUE(to_the_end.feed("HTTP/1.1 200 OK\r\n\r\npart", sink));
  const auto cut = to_the_end.finish(sink, true);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().message, "malformed HTTP response: the connection closed before the response ended");
  ResponseReader sized;  // its length says it is whole: a missing close_notify changes nothing
  ASSERT_TRUE(sized.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nwhole", sink));
  EXPECT_TRUE(sized.finish(sink, true));
}

TEST(ResponseReader, KnowsWhichResponsesHaveNoBody) {
  const auto no_content = read_response("HTTP/1.1 204 No Content\r\n\r\n", 5);
  EXPECT_EQ(no_content.error, "");
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(no_content.body, "");
  const auto not_modified = read_response("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 5);
  EXPECT_EQ(not_modified.error, "");
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  const auto after_continue = read_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", 6);
  EXPECT_EQ(after_continue.status, 201);
  EXPECT_EQ(after_continue.body, "{}");
}

TEST(ResponseReader, RefusesWhatIsNotAWholeResponse) {
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", 64).error,
            "malformed HTTP response: the connection closed before the response ended");
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 64).error,
            "malformed HTTP response: the connection closed before the response ended");
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 64).error,
            "malformed HTTP response: a chunk size is not hexadecimal");
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n", 64).error,
            "malformed HTTP response: a chunk is longer than its size");
  EXPECT_EQ(read_response("SSH-2.0-OpenSSH\r\n\r\n", 64).error, "malformed HTTP response: the status line is not HTTP/1.x");
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\n", 64).error,
            "malformed HTTP response: Content-Length is not a number");
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", 64).error, "malformed HTTP response: a header line has no ':'");
  EXPECT_EQ(read_response(std::string(70000, 'x'), 4096).error, "malformed HTTP response: the headers are too long");
  EXPECT_EQ(read_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(70000, '1'), 4096).error,
            "malformed HTTP response: a line is too long");
}

TEST(ResponseReader, StopsWhenTheSinkSaysSo) {
  ResponseReader reader;
  const auto fed = reader.feed(chunked, [](std::string_view) { return false; });
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().message, "the transfer was stopped");
}

// A one-connection server on a unix socket: records the request, answers with `answer`, closes.
class OneShotServer {
 public:
  OneShotServer(std::filesystem::path path, std::string answer) : path_(std::move(path)) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.string().copy(address.sun_path, sizeof(address.sun_path) - 1);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    thread_ = std::jthread([this, answer = std::move(answer)] {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      char buffer[4096];
      ssize_t got = 0;
      while (request_.find("\r\n\r\n") == std::string::npos && (got = ::read(client, buffer, sizeof buffer)) > 0) {
        request_.append(buffer, static_cast<std::size_t>(got));
      }
      const auto length_at = request_.find("Content-Length: ");
      const auto body_length = length_at == std::string::npos ? 0 : std::stoul(request_.substr(length_at + 16));
      while (request_.size() - request_.find("\r\n\r\n") - 4 < body_length && (got = ::read(client, buffer, sizeof buffer)) > 0) {
        request_.append(buffer, static_cast<std::size_t>(got));
      }
      EXPECT_EQ(::write(client, answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
      ::close(client);
    });
  }
  ~OneShotServer() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes an accept() still waiting, so a failed test ends
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
    std::filesystem::remove(path_);
  }
  std::string request() {
    thread_.join();
    return request_;
  }

 private:
  std::filesystem::path path_;
  int listener_ = -1;
  std::string request_;
  std::jthread thread_;
};

TEST(HttpClient, WritesOneRequestAndStreamsTheAnswerByLine) {
  const auto socket = std::filesystem::temp_directory_path() / fmt::format("stackup-http-{}.sock", ::getpid());
  OneShotServer server(socket, std::string(chunked));
  HttpClient client(HttpTarget{socket.string(), "", "", false, "", "", ""});
  std::vector<std::string> lines;
  auto response = client.request("POST", "/v1.43/images/create?fromImage=x", R"({"k":"v"})", [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "{\"a\":1}\n");
  EXPECT_EQ(response->api_version, "1.41");
  EXPECT_EQ(lines, std::vector<std::string>{"{\"a\":1}"});
  EXPECT_EQ(server.request(),
            "POST /v1.43/images/create?fromImage=x HTTP/1.1\r\nHost: docker\r\nUser-Agent: stackup\r\n"
            "Content-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{\"k\":\"v\"}");
}

TEST(HttpClient, SaysWhyItCannotConnect) {
  HttpClient nowhere(HttpTarget{"/nonexistent/stackup.sock", "", "", false, "", "", ""});
  auto response = nowhere.request("GET", "/_ping", "", {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().message, "No such file or directory");
  HttpClient refused(HttpTarget{"", "127.0.0.1", "1", false, "", "", ""});
  response = refused.request("GET", "/_ping", "", {});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().message, "Connection refused");
}

TEST(DockerHost, TcpAddressesGetDockersPortsAndIpv6Brackets) {
  const auto target = [](std::string host, bool tls) {
    auto found = target_of(EngineSettings{std::move(host), tls, tls ? "/certs" : ""});
    return found ? fmt::format("{} {} {} {}", found->second.host, found->second.port, found->second.tls, found->second.ca_file)
                 : found.error().message;
  };
  EXPECT_EQ(target("tcp://10.0.0.9:2376", true), "10.0.0.9 2376 true /certs/ca.pem");
  EXPECT_EQ(target("tcp://engine.example", false), "engine.example 2375 false ");
  EXPECT_EQ(target("tcp://engine.example", true), "engine.example 2376 true /certs/ca.pem");
  EXPECT_EQ(target("tcp://[::1]:2375", false), "::1 2375 false ");
  EXPECT_EQ(target("tcp://[::1", false), "an IPv6 address in DOCKER_HOST lacks its ']'");
  EXPECT_EQ(target("tcp://:2375", false), "DOCKER_HOST names no host: use tcp://host:port");
  EXPECT_EQ(target("tcp://::1", false), "an IPv6 address in DOCKER_HOST goes in brackets: tcp://[::1]:2376");
  EXPECT_EQ(target("tcp://host:http", false), "DOCKER_HOST's port \"http\" is not a port number (1-65535)");
  EXPECT_EQ(target("tcp://host:70000", false), "DOCKER_HOST's port \"70000\" is not a port number (1-65535)");
}

}  // namespace
}  // namespace stackup::engine
