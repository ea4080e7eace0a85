// The Engine API client against a recording transport: the requests it sends (method, path, query,
// body) and how it reads the answers, without an engine.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "engine/api_client.hpp"
#include "engine/docker_engine.hpp"

namespace stackup::engine {
namespace {

using ::testing::ElementsAre;

struct Exchange {
  std::string request;  // "METHOD path body"
  HttpResponse response;
  std::vector<std::string> streamed;  // lines given to on_line
};

class RecordingTransport final : public HttpTransport {
 public:
  explicit RecordingTransport(std::vector<std::string>& sent) : sent_(sent) {}
  std::deque<Exchange> answers;

  base::Result<HttpResponse> request(std::string_view method, const std::string& path, const std::string& body,
                                     const std::function<bool(std::string_view)>& on_line) override {
    sent_.push_back(fmt::format("{} {}{}{}", method, path, body.empty() ? "" : " ", body));
    if (path == "/_ping") return HttpResponse{200, "OK", api_version};
    if (answers.empty()) return base::fail("Connection refused");
    auto exchange = std::move(answers.front());
    answers.pop_front();
    for (const auto& line : exchange.streamed) {
      if (on_line && !on_line(line)) break;
    }
    return exchange.response;
  }
  std::string api_version = "1.41";

 private:
  std::vector<std::string>& sent_;
};

class DockerEngineTest : public ::testing::Test {
 protected:
  DockerEngineTest() {
    auto transport = std::make_unique<RecordingTransport>(sent_);
    transport_ = transport.get();
    engine_ = make_docker_engine("unix:///var/run/docker.sock", std::move(transport));
  }
  void answer(long status, std::string body, std::vector<std::string> streamed = {}) {
    transport_->answers.push_back({"", {status, std::move(body), ""}, std::move(streamed)});
  }

  std::vector<std::string> sent_;
  RecordingTransport* transport_ = nullptr;
  std::unique_ptr<Engine> engine_;
};

TEST_F(DockerEngineTest, NegotiatesTheApiVersionOnceAndListsContainersByLabel) {
  answer(200, R"([{"Id":"c1","Names":["/shop-web-1"],"State":"running","Status":"Up 1 second","Image":"web:1",
                   "Labels":{"com.docker.stack.namespace":"shop"}}])");
  const auto containers = engine_->list_containers("com.docker.stack.namespace=shop");
  ASSERT_TRUE(containers);
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ((*containers)[0].name, "shop-web-1");
  EXPECT_EQ((*containers)[0].image, "web:1");
  EXPECT_EQ((*containers)[0].labels.at("com.docker.stack.namespace"), "shop");
  EXPECT_THAT(sent_, ElementsAre("GET /_ping",
                                 "GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22com.docker.stack."
                                 "namespace%3Dshop%22%5D%7D"));
}

TEST_F(DockerEngineTest, CreatesStartsStopsAndRemovesContainers) {
  answer(201, R"({"Id":"c9"})");
  answer(204, "");
  answer(304, "");  // already stopped
  answer(204, "");
  answer(404, R"({"message":"No such container"})");
  EXPECT_EQ(*engine_->create_container("shop web", {{"Image", "web:1"}}), "c9");
  EXPECT_TRUE(engine_->start_container("c9"));
  EXPECT_TRUE(engine_->stop_container("c9", 5));
  EXPECT_TRUE(engine_->stop_container("c9", -1));
  EXPECT_TRUE(engine_->remove_container("c9"));  // gone already is fine
  EXPECT_THAT(sent_, ElementsAre("GET /_ping", R"(POST /v1.41/containers/create?name=shop%20web {"Image":"web:1"})",
                                 "POST /v1.41/containers/c9/start", "POST /v1.41/containers/c9/stop?t=5",
                                 "POST /v1.41/containers/c9/stop", "DELETE /v1.41/containers/c9?force=1"));
}

TEST_F(DockerEngineTest, AnEngineErrorIsTheEnginesMessage) {
  answer(500, R"({"message":"driver failed programming external connectivity"})");
  EXPECT_EQ(engine_->start_container("c9").error().message,
            "cannot start container: driver failed programming external connectivity");
}

TEST_F(DockerEngineTest, ANetworkInUseNamesItsContainers) {
  answer(403, R"({"message":"error while removing network: network shop_default id n1 has active endpoints"})");
  answer(200, R"({"Name":"shop_default","Containers":{"e1":{"Name":"probe"},"e2":{"Name":"debug-shell"}}})");
  const auto in_use = engine_->remove_network("n1");
  ASSERT_TRUE(in_use && *in_use);
  EXPECT_THAT((*in_use)->containers, ElementsAre("probe", "debug-shell"));
  EXPECT_THAT(sent_, ElementsAre("GET /_ping", "DELETE /v1.41/networks/n1", "GET /v1.41/networks/n1"));
}

TEST_F(DockerEngineTest, PullsStreamProgressAndReportTheEnginesError) {
  answer(200, "", {R"({"status":"Pulling from library/web"})", R"({"status":"Downloading","progress":"[=>  ] 1MB/9MB"})",
                   R"({"error":"manifest unknown"})"});
  std::vector<std::string> seen;
  const auto pulled = engine_->pull_image("registry.local:5000/web:2", [&](const std::string& line) {
    seen.push_back(line);
    return true;
  });
  EXPECT_EQ(pulled.error().message, "cannot pull image registry.local:5000/web:2: manifest unknown");
  EXPECT_THAT(seen, ElementsAre("Pulling from library/web", "Downloading [=>  ] 1MB/9MB"));
  EXPECT_EQ(sent_.back(), "POST /v1.41/images/create?fromImage=registry.local%3A5000%2Fweb&tag=2");
}

TEST_F(DockerEngineTest, RefusesAnEngineOlderThanApi140AndSaysWhenNoneAnswers) {
  transport_->api_version = "1.39";
  EXPECT_EQ(engine_->ping().error().message,
            "the Docker engine at unix:///var/run/docker.sock speaks API 1.39; stackup needs 1.40 (Docker 19.03) or later");
  transport_->api_version = "1.43";
  EXPECT_TRUE(engine_->ping());
  EXPECT_EQ(engine_->image_exists("web:1").error().message,
            "cannot connect to the Docker engine at unix:///var/run/docker.sock: is it running? (Connection refused)");
}

}  // namespace
}  // namespace stackup::engine

namespace stackup::engine {
namespace {

class DockerSwarmTest : public ::testing::Test {
 protected:
  DockerSwarmTest() {
    auto transport = std::make_unique<RecordingTransport>(sent_);
    transport_ = transport.get();
    swarm_ = make_docker_swarm("unix:///var/run/docker.sock", std::move(transport));
  }
  void answer(long status, std::string body) { transport_->answers.push_back({"", {status, std::move(body), ""}, {}}); }

  std::vector<std::string> sent_;
  RecordingTransport* transport_ = nullptr;
  std::unique_ptr<Swarm> swarm_;
};

TEST_F(DockerSwarmTest, TellsAManagerFromAnInactiveEngine) {
  answer(200, R"({"Swarm":{"LocalNodeState":"active","ControlAvailable":true}})");
  answer(200, R"({"Swarm":{"LocalNodeState":"inactive","ControlAvailable":false}})");
  const auto manager = swarm_->info();
  EXPECT_EQ(manager->state, "active");
  EXPECT_TRUE(manager->manager);
  EXPECT_FALSE(swarm_->info()->manager);
}

// The value travels in the request body only, base64 as the API wants it, beside the labels.
TEST_F(DockerSwarmTest, CreatesASecretWithItsValueInTheBodyOnly) {
  answer(201, R"({"ID":"s1"})");
  const auto id = swarm_->create_object(ObjectKind::secret, {"shop_token-v1", {{"com.stackup.version", "1"}}, "", ""},
                                        base::SecretBytes("hunter2"));
  EXPECT_EQ(*id, "s1");
  EXPECT_THAT(sent_, ElementsAre("GET /_ping",
                                 R"(POST /v1.41/secrets/create {"Labels":{"com.stackup.version":"1"},"Name":"shop_token-v1","Data":"aHVudGVyMg=="})"));
}

TEST_F(DockerSwarmTest, ADriverSecretHasNoValueOfOurs) {
  answer(201, R"({"ID":"s2"})");
  EXPECT_TRUE(swarm_->create_object(ObjectKind::secret, {"shop_vault", {}, "vault", "golang"}, base::SecretBytes()));
  EXPECT_EQ(sent_.back(),
            R"(POST /v1.41/secrets/create {"Driver":{"Name":"vault"},"Labels":{},"Name":"shop_vault","Templating":{"Name":"golang"}})");
}

TEST_F(DockerSwarmTest, UpdatesAServiceAtItsVersionAndRollsItBack) {
  answer(200, R"({"Warnings":null})");
  answer(200, R"({"Warnings":null})");
  EXPECT_TRUE(swarm_->update_service("svc1", 12, {{"Name", "shop_web"}}));
  EXPECT_TRUE(swarm_->update_service("svc1", 13, {{"Name", "shop_web"}}, true));
  EXPECT_THAT(sent_, ElementsAre("GET /_ping", R"(POST /v1.41/services/svc1/update?version=12 {"Name":"shop_web"})",
                                 R"(POST /v1.41/services/svc1/update?version=13&rollback=previous {"Name":"shop_web"})"));
}

TEST_F(DockerSwarmTest, ReadsServicesAndTasks) {
  answer(200, R"([{"ID":"svc1","Version":{"Index":42},"Spec":{"Name":"shop_web","Labels":{"a":"b"}},
                   "UpdateStatus":{"State":"rollback_completed","Message":"update rolled back"}}])");
  answer(200, R"([{"ID":"t1","ServiceID":"svc1","NodeID":"n1","Slot":2,"DesiredState":"running",
                   "Status":{"State":"rejected","Err":"No such image: x:1","Timestamp":"2026-11-30T10:53:01.5Z"}}])");
  const auto services = swarm_->list_services("com.docker.stack.namespace=shop");
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ((*services)[0].version, 42u);
  EXPECT_EQ((*services)[0].update_state, "rollback_completed");
  const auto tasks = swarm_->list_tasks({"svc1"});
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].slot, 2);
  EXPECT_EQ((*tasks)[0].error, "No such image: x:1");
  EXPECT_EQ(sent_.back(), "GET /v1.41/tasks?filters=%7B%22service%22%3A%5B%22svc1%22%5D%7D");
}

}  // namespace
}  // namespace stackup::engine


namespace stackup::engine {
namespace {

// What a user is told when nothing answers: each cause with its fix.
TEST(ConnectionFailure, SaysWhyAndWhatToDo) {
  char pattern[] = "/tmp/stackup-socket-XXXXXX";
  const std::string directory = ::mkdtemp(pattern);
  EXPECT_EQ(connection_failure("unix://" + directory + "/none.sock", "Couldn't connect to server"),
            fmt::format("cannot connect to the Docker engine at unix://{}/none.sock: there is no socket there: is the "
                        "engine running? (or set DOCKER_HOST)",
                        directory));
  std::ofstream(directory + "/file") << "x";
  EXPECT_EQ(connection_failure("unix://" + directory + "/file", ""),
            fmt::format("cannot connect to the Docker engine at unix://{0}/file: {0}/file is not a socket: set "
                        "DOCKER_HOST to the engine's",
                        directory));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const auto socket_path = directory + "/engine.sock";
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(connection_failure("unix://" + socket_path, ""),
            fmt::format("cannot connect to the Docker engine at unix://{}: nothing answers on the socket: is the engine "
                        "running?",
                        socket_path));
  ::close(fd);
  EXPECT_EQ(connection_failure("tcp://10.0.0.9:2376", "Connection timed out"),
            "cannot connect to the Docker engine at tcp://10.0.0.9:2376: Connection timed out: is the engine listening "
            "there, and DOCKER_HOST right?");
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace stackup::engine
