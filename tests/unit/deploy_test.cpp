#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>

#include "compose/bind_service.hpp"
#include "deploy/container_config.hpp"
#include "deploy/deployer.hpp"
#include "deploy/drift.hpp"
#include "fake_engine.hpp"
#include "memory_vault.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

TEST(ContainerConfig, ParsesPortsAndCommands) {
  const auto port = compose::parse_port("127.0.0.1:8000:80/udp");
  EXPECT_EQ(port.host_ip, "127.0.0.1");
  EXPECT_EQ(port.published, "8000");
  EXPECT_EQ(port.target, "80");
  EXPECT_EQ(port.protocol, "udp");
  EXPECT_THAT(compose::split_command("sh -c 'echo \"a b\"' x\\ y"), ElementsAre("sh", "-c", "echo \"a b\"", "x y"));
}

compose::Project project_of(const std::string& text) {
  auto loaded = load_text(text);
  EXPECT_TRUE(loaded.project) << ::testing::PrintToString(headlines(loaded.diagnostics));
  return std::move(*loaded.project);
}

TEST(ContainerConfig, BuildsEngineJsonFromTheService) {
  const auto project = project_of(R"(services:
  web:
    image: app:1
    command: serve --port 80
    environment: {MODE: prod, FROM_HOST: null}
    ports: ["8000:80"]
    volumes: ["data:/var/lib/app", "/etc/app:/config:ro"]
    networks:
      front:
        aliases: [www]
    restart: unless-stopped
    read_only: true
    stop_grace_period: 30s
volumes: {data: {}}
networks: {front: {}}
)");
  compose::Environment environment;
  environment.set("FROM_HOST", "yes");
  const auto plan = deploy::plan_container(project, project.services[0], "shop", 1, {}, environment);
  const auto& config = plan.config;
  EXPECT_EQ(plan.name, "shop-web-1");
  EXPECT_EQ(config["Cmd"], engine::Json::array({"serve", "--port", "80"}));
  EXPECT_EQ(config["Env"], engine::Json::array({"FROM_HOST=yes", "MODE=prod"}));
  EXPECT_EQ(config["Labels"]["com.docker.stack.namespace"], "shop");
  EXPECT_EQ(config["Labels"]["com.docker.compose.container-number"], "1");
  EXPECT_EQ(config["StopTimeout"], 30);
  EXPECT_EQ(config["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"], "8000");
  EXPECT_EQ(config["HostConfig"]["Mounts"][0]["Source"], "shop_data");
  EXPECT_EQ(config["HostConfig"]["Mounts"][1]["ReadOnly"], true);
  EXPECT_EQ(config["HostConfig"]["NetworkMode"], "shop_front");
  EXPECT_EQ(config["NetworkingConfig"]["EndpointsConfig"]["shop_front"]["Aliases"], engine::Json::array({"web", "www"}));
  EXPECT_EQ(config["HostConfig"]["RestartPolicy"]["Name"], "unless-stopped");
  EXPECT_EQ(config["HostConfig"]["ReadonlyRootfs"], true);
}

TEST(ContainerConfig, ConfigsAreReadOnlyBindsOfTheirFiles) {
  const auto project = project_of("services:\n  web:\n    image: app:1\n    configs:\n      - site\n      - source: site\n"
                                  "        target: /etc/nginx/nginx.conf\nconfigs:\n  site:\n    file: ./site.conf\n");
  const auto plan = deploy::plan_container(project, project.services[0], "s", 1, {}, compose::Environment{});
  const auto& mounts = plan.config["HostConfig"]["Mounts"];
  EXPECT_EQ(mounts[0], (engine::Json{{"Type", "bind"}, {"Source", "/project/site.conf"}, {"Target", "/site"}, {"ReadOnly", true}}));
  EXPECT_EQ(mounts[1]["Target"], "/etc/nginx/nginx.conf");
}

TEST(ContainerConfig, TheHashChangesWithASecretsOwnerOrMode) {
  const auto project = project_of("services:\n  web:\n    image: app:1\n");
  const compose::Environment environment;
  const auto& web = project.services[0];
  const auto hash = [&](std::uint32_t uid, std::uint32_t gid, std::uint32_t mode) {
    return deploy::plan_container(project, web, "s", 1, {{"s_key", 1, "0-key", "/run/secrets/key", "", uid, gid, mode}}, environment).hash;
  };
  const auto base = hash(0, 0, 0444);
  // Docker's defaults leave the hash as it was before owners and modes counted: no container is made again.
  EXPECT_EQ(base, "80bf8bc4c7907b5f");
  EXPECT_NE(hash(0, 0, 0400), base);
  EXPECT_NE(hash(1000, 0, 0444), base);
  EXPECT_NE(hash(0, 1000, 0444), base);
  EXPECT_EQ(hash(0, 0, 0444), base);
}

TEST(ContainerConfig, TheHashChangesWithTheConfigAndTheSecretVersionsOnly) {
  const auto project = project_of("services:\n  web:\n    image: app:1\n");
  const compose::Environment environment;
  const auto& web = project.services[0];
  const auto base = deploy::plan_container(project, web, "s", 1, {{"s_key", 1, "0-key", "/run/secrets/key", "", 0, 0, 0444}}, environment);
  const auto same = deploy::plan_container(project, web, "s", 1, {{"s_key", 1, "0-key", "/run/secrets/key", "", 0, 0, 0444}}, environment);
  const auto rotated = deploy::plan_container(project, web, "s", 1, {{"s_key", 2, "0-key", "/run/secrets/key", "", 0, 0, 0444}}, environment);
  EXPECT_EQ(base.hash, same.hash);
  EXPECT_NE(base.hash, rotated.hash);
  const auto config = deploy::config_with_secrets(base, "/run/stackup/s/x", "x");
  EXPECT_EQ(config["HostConfig"]["Mounts"][0],
            (engine::Json{{"Type", "bind"}, {"Source", "/run/stackup/s/x/0-key"}, {"Target", "/run/secrets/key"}, {"ReadOnly", true}}));
}

class RecordingProgress final : public deploy::Progress {
 public:
  std::vector<std::string> lines;
  std::function<void(const std::string&)> on_update = [](const std::string&) {};
  void update(const std::string& subject, const std::string& status) override {
    lines.push_back(subject + ": " + status);
    on_update(lines.back());
  }
  void warning(const std::string& message) override { lines.push_back("warning: " + message); }
};

class DeployerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stackup-deploy-XXXXXX").string();
    directory_ = ::mkdtemp(pattern.data());
    store_.emplace();
    write("token.txt", "v1");
  }
  void TearDown() override { fs::remove_all(directory_); }

  void write(const std::string& name, const std::string& content) { std::ofstream(directory_ + "/" + name) << content; }

  compose::Project project() {
    compose::LoadOptions options;
    options.working_directory = directory_;
    options.files = {"compose.yaml"};
    std::ofstream(directory_ + "/compose.yaml") << R"(services:
  api:
    image: app:1
    secrets: [token]
  worker:
    image: app:1
    depends_on: [api]
secrets:
  token:
    file: ./token.txt
)";
    auto loaded = compose::load_project(options, compose::DiskFileSystem{});
    return std::move(*loaded.project);
  }

  base::Result<void> deploy(const std::atomic<bool>* interrupted = nullptr) {
    deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
    return deployer.deploy(project(), {"shop", false, interrupted});
  }

  // After a failed redeploy: api is the container it was, running, beside worker.
  void expect_previous_api_back(const std::string& api) {
    EXPECT_EQ(engine_.id_of("shop-api-1"), api);
    EXPECT_TRUE(engine_.containers.at(api).running);
    EXPECT_THAT(engine_.names(), ::testing::ElementsAre("shop-api-1", "shop-worker-1"));
  }

  // Another project, from `text` saved as `file` next to token.txt.
  std::optional<compose::Project> load(const std::string& file, const std::string& text) {
    compose::LoadOptions options;
    options.working_directory = directory_;
    options.files = {file};
    write(file, text);
    return compose::load_project(options, compose::DiskFileSystem{}).project;
  }

  std::string directory_;
  FakeEngine engine_;
  MemorySecretFiles files_;
  compose::DiskFileSystem disk_;
  compose::Environment environment_;
  RecordingProgress progress_;
  std::optional<MemoryVault> store_;
};

TEST_F(DeployerTest, CreatesContainersWithTheirSecretsAndRecordsUsage) {
  ASSERT_TRUE(deploy());
  EXPECT_THAT(engine_.names(), ElementsAre("shop-api-1", "shop-worker-1"));
  ASSERT_EQ(files_.directories.size(), 1u);
  EXPECT_EQ(files_.directories.begin()->second.at("0-token"), "v1");
  EXPECT_EQ(store_->inspect("shop_token")->used_by.size(), 1u);
}

TEST_F(DeployerTest, ARedeployWithoutChangeTouchesNothing) {
  ASSERT_TRUE(deploy());
  const int created = engine_.created;
  ASSERT_TRUE(deploy());
  EXPECT_EQ(engine_.created, created);
  EXPECT_EQ(progress_.lines.back(), "Stack shop: Up to date: nothing changed");
}

TEST_F(DeployerTest, ARotatedSecretRecreatesOnlyItsUsers) {
  ASSERT_TRUE(deploy());
  const auto worker = engine_.id_of("shop-worker-1");
  const auto api = engine_.id_of("shop-api-1");
  write("token.txt", "v2");
  ASSERT_TRUE(deploy());
  EXPECT_EQ(engine_.id_of("shop-worker-1"), worker);
  EXPECT_NE(engine_.id_of("shop-api-1"), api);
  EXPECT_THAT(engine_.names(), ElementsAre("shop-api-1", "shop-worker-1"));
  EXPECT_EQ(store_->inspect("shop_token")->version, 2);
  ASSERT_EQ(files_.directories.size(), 1u);  // the old materialization is wiped
  EXPECT_EQ(files_.directories.begin()->second.at("0-token"), "v2");
}

TEST_F(DeployerTest, AFailureMidwayPutsThePreviousStateBack) {
  ASSERT_TRUE(deploy());
  const auto api = engine_.id_of("shop-api-1");
  write("token.txt", "v2");
  engine_.fail_start_of = "shop-api-1";
  const auto result = deploy();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "cannot start container: exec failed");
  expect_previous_api_back(api);
  EXPECT_EQ(files_.directories.size(), 1u);
}

TEST_F(DeployerTest, AnInterruptStopsAtTheNextStepAndPutsThePreviousStateBack) {
  ASSERT_TRUE(deploy());
  const auto api = engine_.id_of("shop-api-1");
  write("token.txt", "v2");
  std::atomic<bool> interrupted = false;
  progress_.on_update = [&](const std::string& line) { interrupted = interrupted || line == "Container shop-api-1: Recreated"; };
  const auto result = deploy(&interrupted);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "interrupted: the deploy was stopped and what it changed was rolled back");
  expect_previous_api_back(api);
  ASSERT_EQ(files_.directories.size(), 1u);
  EXPECT_EQ(files_.directories.begin()->second.at("0-token"), "v1");
}

// A deploy killed midway (SIGKILL, power loss) leaves a container set aside and secrets no container
// uses; the next deploy of the stack removes both.
TEST_F(DeployerTest, TheNextDeployClearsWhatAKilledOneLeft) {
  ASSERT_TRUE(deploy());
  const auto api = engine_.id_of("shop-api-1");
  ASSERT_TRUE(engine_.stop_container(api, 0));
  ASSERT_TRUE(engine_.rename_container(api, "shop-api-1-replaced-0a1b2c"));
  files_.directories["/mem/shop/orphan"]["0-token"] = "v1";
  // A container of the same namespace that stackup did not make (a Swarm task) is not touched.
  const engine::Json task{{"Image", "app:1"}, {"Labels", {{"com.docker.stack.namespace", "shop"}}}};
  ASSERT_TRUE(engine_.create_container("shop_api.1.x7f2", task));
  ASSERT_TRUE(deploy());
  EXPECT_THAT(engine_.names(), ElementsAre("shop-api-1", "shop-worker-1", "shop_api.1.x7f2"));
  EXPECT_FALSE(engine_.containers.contains(api));
  EXPECT_EQ(files_.directories.size(), 1u);
  EXPECT_FALSE(files_.directories.contains("/mem/shop/orphan"));
}

TEST_F(DeployerTest, AFailureBeforeTheNewContainerExistsWipesItsSecrets) {
  ASSERT_TRUE(deploy());
  const auto api = engine_.id_of("shop-api-1");
  write("token.txt", "v2");
  engine_.fail_rename = true;
  const auto result = deploy();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "cannot rename container: conflict");
  ASSERT_EQ(files_.directories.size(), 1u);  // only the running container's
  EXPECT_EQ(files_.directories.begin()->second.at("0-token"), "v1");
  EXPECT_TRUE(engine_.containers.at(api).running);
}

TEST_F(DeployerTest, AFailedFirstDeployLeavesNothing) {
  engine_.fail_start_of = "shop-worker-1";
  ASSERT_FALSE(deploy());
  EXPECT_TRUE(engine_.containers.empty());
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_TRUE(files_.directories.empty());
  EXPECT_FALSE(store_->inspect("shop_token"));
}

TEST_F(DeployerTest, ARollbackThatCannotRemoveItsNetworkSaysWhy) {
  engine_.fail_start_of = "shop-worker-1";
  engine_.networks_in_use["shop_default"] = {};
  const auto result = deploy();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "cannot start container: exec failed");
  EXPECT_EQ(progress_.lines.back(),
            "warning: network shop_default was left: the Docker engine counts an endpoint on it that no container "
            "has (its network library miscounts when containers stop at the same moment); restart the engine (systemctl "
            "restart docker) and run `stackup down shop` again to remove it");
  EXPECT_TRUE(engine_.containers.empty());
}

TEST_F(DeployerTest, AnInterruptStopsAPullAndTouchesNothing) {
  engine_.images.clear();
  engine_.pullable.insert("app:1");
  std::atomic<bool> interrupted = false;
  progress_.on_update = [&](const std::string& line) { interrupted = interrupted || line == "Image app:1: Pulling"; };
  const auto result = deploy(&interrupted);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "interrupted: the deploy was stopped and what it changed was rolled back");
  EXPECT_FALSE(engine_.images.contains("app:1"));
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_FALSE(store_->inspect("shop_token"));
}

TEST_F(DeployerTest, AMissingImageIsPulledWithProgress) {
  engine_.images.clear();
  engine_.pullable.insert("app:1");
  ASSERT_TRUE(deploy());
  EXPECT_THAT(progress_.lines, ::testing::IsSupersetOf({"Image app:1: Pulling", "Image app:1: Downloading", "Image app:1: Pulled"}));
}

TEST_F(DeployerTest, AMissingImageStopsBeforeAnythingIsTouched) {
  engine_.images.clear();
  const auto result = deploy();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "image app:1 is not available: pull access denied for app:1");
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_FALSE(store_->inspect("shop_token"));
}

// Build-only services, unsupported fields, drivers and external configs are the loader's to refuse or
// name, at their place (tests/testdata/invalid/local_orchestrator.expected): deploy loads with the same
// rules. A service with neither an image nor a build is only a warning there (override files), and
// deploy refuses it.
TEST_F(DeployerTest, BuildIsRefusedAndAServiceWithoutAnImageToo) {
  EXPECT_FALSE(load("build.yaml", "services:\n  web:\n    build: .\n"));
  auto project = load("no-image.yaml", "services:\n  web:\n    command: [\"true\"]\n");
  ASSERT_TRUE(project);
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  const auto result = deployer.deploy(*project, {"shop", false});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "service \"web\" has no image; stackup deploy does not build images (build: is refused): build it first, "
            "e.g. docker build -t NAME ., and set image: NAME");
  EXPECT_TRUE(engine_.containers.empty());
}

TEST_F(DeployerTest, ExternalConfigsAndUnsetVariablesAreRefusedBeforeAnythingIsTouched) {
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  EXPECT_FALSE(load("external.yaml", "services:\n  api:\n    image: app:1\n    configs: [nginx]\n"
                                     "configs:\n  nginx:\n    external: true\n"));  // refused by the loader
  auto from_environment = load("environment.yaml", "services:\n  api:\n    image: app:1\n    configs: [motd]\n"
                                                   "configs:\n  motd:\n    environment: MOTD\n");
  ASSERT_TRUE(from_environment);
  const auto result = deployer.deploy(*from_environment, {"shop", false});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "config \"motd\": environment variable MOTD is not set");
  EXPECT_TRUE(engine_.containers.empty());
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_TRUE(deployer.stack_is_gone());
}

// content: and environment: configs have no file to bind: they are written next to the secrets, with
// their uid, gid and mode, and a change of content recreates their users.
TEST_F(DeployerTest, InlineAndEnvironmentConfigsAreMaterializedWithTheSecrets) {
  environment_.set("MOTD", "hello");
  const std::string text =
      "services:\n  api:\n    image: app:1\n    secrets: [token]\n    configs:\n      - source: motd\n"
      "        mode: 0400\n      - source: site\n        target: /etc/site.conf\n  worker:\n    image: app:1\n"
      "configs:\n  motd:\n    environment: MOTD\n  site:\n    content: |\n      listen 80;\n"
      "secrets:\n  token:\n    file: ./token.txt\n";
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  ASSERT_TRUE(deployer.deploy(*load("configs.yaml", text), {"shop", false}));
  ASSERT_EQ(files_.directories.size(), 1u);
  const auto& [directory, files] = *files_.directories.begin();
  EXPECT_EQ(files.at("0-token"), "v1");
  EXPECT_EQ(files.at("config-0-motd"), "hello");
  EXPECT_EQ(files.at("config-1-site"), "listen 80;\n");
  const auto& mounts = engine_.containers.at(engine_.id_of("shop-api-1")).config["HostConfig"]["Mounts"];
  EXPECT_EQ(mounts[1], (engine::Json{{"Type", "bind"}, {"Source", directory + "/config-0-motd"}, {"Target", "/motd"}, {"ReadOnly", true}}));
  EXPECT_EQ(mounts[2]["Target"], "/etc/site.conf");
  const auto api = engine_.id_of("shop-api-1");
  const auto worker = engine_.id_of("shop-worker-1");
  ASSERT_TRUE(deployer.deploy(*load("configs.yaml", text), {"shop", false}));
  EXPECT_EQ(engine_.id_of("shop-api-1"), api);
  environment_.set("MOTD", "goodbye");
  ASSERT_TRUE(deployer.deploy(*load("configs.yaml", text), {"shop", false}));
  EXPECT_NE(engine_.id_of("shop-api-1"), api);
  EXPECT_EQ(engine_.id_of("shop-worker-1"), worker);
  EXPECT_EQ(files_.directories.begin()->second.at("config-0-motd"), "goodbye");
}

TEST_F(DeployerTest, EnvFilesAreReadOnceAndABadLineStopsTheDeployWhereItIs) {
  compose::LoadOptions options;
  options.working_directory = directory_;
  options.files = {"env.yaml"};
  std::ofstream(directory_ + "/env.yaml") << "services:\n  api:\n    image: app:1\n    env_file: app.env\n"
                                             "    environment: {MODE: from-compose}\n";
  write("app.env", "MODE=from-file\nLEVEL=debug\n");
  auto project = compose::load_project(options, compose::DiskFileSystem{}).project;
  ASSERT_TRUE(project);
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  ASSERT_TRUE(deployer.deploy(*project, {"shop", false}));
  EXPECT_EQ(engine_.containers.at(engine_.id_of("shop-api-1")).config["Env"],
            engine::Json::array({"LEVEL=debug", "MODE=from-compose"}));
  write("app.env", "LEVEL=debug\nnot an assignment\n");
  const auto result = deployer.deploy(*project, {"shop", false});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, directory_ + "/app.env:2:1: error: expected NAME=VALUE (names use letters, digits, "
                                                 "'_', '.' and '-')");
}

TEST_F(DeployerTest, DownRemovesEverythingAndClearsUsage) {
  ASSERT_TRUE(deploy());
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  ASSERT_TRUE(deployer.down({"shop", -1, false, true}));
  EXPECT_TRUE(engine_.containers.empty());
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_TRUE(files_.directories.empty());
  EXPECT_FALSE(store_->inspect("shop_token"));
}

TEST_F(DeployerTest, DownRemovesWhatItCanAndReportsEveryFailureAtOnce) {
  ASSERT_TRUE(deploy());
  engine_.failing_stop = {"shop-api-1"};
  engine_.networks_in_use["shop_default"] = {{"debug-shell", "probe"}};
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  const auto result = deployer.down({"shop", -1, false, true});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "container shop-api-1 was left: cannot stop container: permission denied\n"
            "network shop_default was left: containers that are not part of the stack use it (debug-shell, probe); "
            "disconnect them (docker network disconnect shop_default CONTAINER) and run `stackup down shop` again");
  EXPECT_THAT(engine_.names(), ElementsAre("shop-api-1"));  // worker went
  EXPECT_EQ(files_.directories.size(), 1u);                 // api still runs with its secret
  EXPECT_EQ(store_->inspect("shop_token")->used_by.size(), 1u);  // so the store keeps both, despite --secrets
  EXPECT_FALSE(deployer.stack_is_gone());
}

TEST_F(DeployerTest, DownNamesSecretsItCouldNotWipeAndStillRemovesTheRest) {
  ASSERT_TRUE(deploy());
  const auto directory = files_.directories.begin()->first;
  files_.fail_destroy = true;
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  const auto result = deployer.down({"shop", -1, false, false});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "the secrets of container shop-api-1 were left: cannot unmount " + directory + ": device busy");
  EXPECT_TRUE(engine_.containers.empty());
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_TRUE(store_->inspect("shop_token")->used_by.empty());
}

TEST_F(DeployerTest, DownFinishesDespiteTheEnginesMiscountedNetworkAndSaysHowToClearIt) {
  ASSERT_TRUE(deploy());
  engine_.networks_in_use["shop_default"] = {};  // no container attached, yet the engine counts one
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  const auto result = deployer.down({"shop", -1, false, true});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "network shop_default was left: the Docker engine counts an endpoint on it that no container has (its "
            "network library miscounts when containers stop at the same moment); restart the engine (systemctl restart "
            "docker) and run `stackup down shop` again to remove it");
  EXPECT_TRUE(engine_.containers.empty());
  EXPECT_TRUE(files_.directories.empty());
  EXPECT_FALSE(store_->inspect("shop_token"));  // the containers are gone, so --secrets went ahead
  EXPECT_FALSE(deployer.stack_is_gone());
  engine_.networks_in_use.clear();  // the engine restarted
  ASSERT_TRUE(deployer.down({"shop", -1, false, true}));
  EXPECT_TRUE(engine_.networks.empty());
  EXPECT_TRUE(deployer.stack_is_gone());
}

// A container whose labels claim a secrets directory that stackup did not make for it (a path, or
// another container's name) is never a reason to touch the host: only the stack's own directories,
// under the names stackup gives them, are wiped.
TEST_F(DeployerTest, LabelsNeverSteerWhatIsWiped) {
  ASSERT_TRUE(deploy());
  const auto api_directory = files_.directories.begin()->first;
  const auto api_name = api_directory.substr(api_directory.rfind('/') + 1);
  auto forged = [&](const std::string& name, const std::string& directory) {
    engine::Json config{{"Image", "app:1"}};
    config["Labels"] = engine::Labels{{"com.docker.stack.namespace", "shop"},
                                      {"com.docker.compose.service", "worker"},
                                      {"com.docker.compose.container-number", "1"},
                                      {"com.stackup.config-hash", "0"},
                                      {"com.stackup.secrets-directory", directory}};
    engine_.containers["f-" + name] = {name, config, true};
  };
  forged("shop-worker-2", "/etc");
  forged("shop-worker-3", "../../etc");
  forged("shop-worker-4", api_name);  // api's directory, named by a container that is not api
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  ASSERT_TRUE(deployer.down({"shop", -1, false, false}));
  EXPECT_THAT(files_.destroyed, ElementsAre(api_name));  // once, for api itself
  EXPECT_TRUE(engine_.containers.empty());
}

// Nothing on disk at all: the files, the store, the engine and the tmpfs are all in memory.
TEST(Deployer, RunsEntirelyInMemory) {
  MemoryProject project;
  project.file("compose.yaml", "services:\n  api:\n    image: app:1\n    secrets: [token]\n    env_file: api.env\n"
                               "secrets:\n  token:\n    file: ./token.txt\n");
  project.file("token.txt", "in-memory");
  project.file("api.env", "MODE=test\n");
  auto loaded = project.load();
  ASSERT_TRUE(loaded.project) << ::testing::PrintToString(headlines(loaded.diagnostics));
  FakeEngine engine;
  MemoryVault vault;
  MemorySecretFiles secret_files;
  RecordingProgress progress;
  const compose::Environment environment;
  deploy::Deployer deployer(engine, vault, secret_files, project.files, environment, progress);
  ASSERT_TRUE(deployer.deploy(*loaded.project, {"mem", false}));
  EXPECT_EQ(secret_files.directories.begin()->second.at("0-token"), "in-memory");
  EXPECT_EQ(engine.containers.begin()->second.config["Env"], engine::Json::array({"MODE=test"}));
  EXPECT_EQ(vault.inspect("mem_token")->version, 1);
}

// A service taken out of the file keeps running without --prune, and keeps its secrets with it.
TEST_F(DeployerTest, AServiceLeftOutOfTheFileKeepsItsSecretsWithoutPrune) {
  ASSERT_TRUE(deploy());
  const auto api_directory = files_.directories.begin()->first;
  auto worker_only = load("worker.yaml", "services:\n  worker:\n    image: app:1\n");
  ASSERT_TRUE(worker_only);
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  ASSERT_TRUE(deployer.deploy(*worker_only, {"shop", false}));
  EXPECT_THAT(engine_.names(), ElementsAre("shop-api-1", "shop-worker-1"));
  EXPECT_TRUE(files_.directories.contains(api_directory));
  ASSERT_TRUE(deployer.deploy(*worker_only, {"shop", true}));  // --prune
  EXPECT_THAT(engine_.names(), ElementsAre("shop-worker-1"));
  EXPECT_TRUE(files_.directories.empty());
}

// What the store says of an external secret is known only at deploy time: its permission label must
// match the service's, and every missing input is named at once, before anything is touched.
TEST_F(DeployerTest, AnExternalSecretsPermissionLabelIsCheckedAndEveryProblemNamedAtOnce) {
  ASSERT_TRUE(store_->put("blog-password", base::SecretBytes("p"), {{"com.docker.ucp.access.label", "blog"}}));
  auto project = load("labels.yaml", "services:\n  backup:\n    image: app:1\n    secrets: [password, missing, other]\n"
                                     "secrets:\n  password:\n    name: blog-password\n    external: true\n"
                                     "  missing:\n    external: true\n  other:\n    external: true\n");
  ASSERT_TRUE(project);
  deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
  const auto result = deployer.deploy(*project, {"shop", false});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "service \"backup\" may not use secret \"blog-password\": the secret has permission label "
            "com.docker.ucp.access.label=blog, and the service has none; a service and a secret must have the same "
            "permission label (or each none): give the service the label com.docker.ucp.access.label=blog (in "
            "labels: or deploy.labels:)\n"
            "secret not found: missing; create it first: stackup secret create missing FILE\n"
            "secret not found: other; create it first: stackup secret create other FILE");
  EXPECT_TRUE(engine_.containers.empty());
  EXPECT_TRUE(engine_.networks.empty());
}

// `stackup check`: what the containers hold against what the store says, values compared by digest.
TEST_F(DeployerTest, CheckFindsAFileThatIsNotTheVersionItsContainerHolds) {
  ASSERT_TRUE(deploy());
  const auto loaded = project();
  auto clean = deploy::check_drift(engine_, *store_, files_, "shop", &loaded);
  ASSERT_TRUE(clean);
  ASSERT_EQ(clean->size(), 2u);
  EXPECT_EQ((*clean)[0].container, "shop-api-1");
  EXPECT_EQ((*clean)[0].subject, "secret shop_token");
  EXPECT_EQ((*clean)[0].status, "ok (version 1)");
  EXPECT_EQ((*clean)[1].status, "ok (no secrets)");
  for (auto& [path, directory] : files_.directories) directory["0-token"] = "tampered";
  const auto drifted = deploy::check_drift(engine_, *store_, files_, "shop", nullptr);  // no compose file at hand
  ASSERT_TRUE(drifted);
  EXPECT_TRUE((*drifted)[0].drift);
  EXPECT_EQ((*drifted)[0].status,
            "no file in its directory holds version 1: stop the container and run stackup deploy: it is recreated with "
            "its secrets");
  files_.directories.clear();
  const auto gone = deploy::check_drift(engine_, *store_, files_, "shop", &loaded);
  EXPECT_EQ((*gone)[0].status,
            "gone (after a reboot the tmpfs is empty): stop the container and run stackup deploy: it is recreated with "
            "its secrets");
}

// api takes new versions in place with a signal, cache without one; worker is recreated.
constexpr const char* in_place_project = R"(services:
  api:
    image: app:1
    secrets: [token]
    x-stackup: {change_mode: signal}
  cache:
    image: app:1
    secrets: [token]
    x-stackup: {change_mode: noop}
  worker:
    image: app:1
    secrets: [token]
    depends_on: [api]
secrets:
  token:
    file: ./token.txt
)";

class InPlaceTest : public DeployerTest {
 protected:
  base::Result<void> deploy_in_place() {
    deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
    return deployer.deploy(*load("in-place.yaml", in_place_project), {"shop", false, nullptr});
  }
  std::vector<std::string> dry_run() {
    deploy::Deployer deployer(engine_, *store_, files_, disk_, environment_, progress_);
    const auto project = load("in-place.yaml", in_place_project);
    auto plan = deployer.plan(*project, {"shop", false, nullptr});
    return plan ? deploy::describe(*plan) : std::vector<std::string>{plan.error().message};
  }
  std::string value_in(const std::string& container) {
    const auto& labels = engine_.containers.at(engine_.id_of(container)).config["Labels"];
    return files_.directories.at(files_.host_path("shop", labels["com.stackup.secrets-directory"])).at("0-token");
  }
};

TEST_F(InPlaceTest, ANewVersionGoesInPlaceWithTheServicesSignalAndOnlyTheRestartServiceIsRecreated) {
  ASSERT_TRUE(deploy_in_place());
  const auto api = engine_.id_of("shop-api-1");
  const auto cache = engine_.id_of("shop-cache-1");
  const auto worker = engine_.id_of("shop-worker-1");
  write("token.txt", "v2");
  EXPECT_THAT(dry_run(), ElementsAre("secret shop_token: version 2 (content changed)",
                                     "container shop-api-1: rotate in place (signal SIGHUP; secret shop_token version 2)",
                                     "container shop-cache-1: rotate in place (no signal; secret shop_token version 2)",
                                     "container shop-worker-1: recreate (secret shop_token version 2)"));
  ASSERT_TRUE(deploy_in_place());
  EXPECT_EQ(engine_.id_of("shop-api-1"), api);
  EXPECT_EQ(engine_.id_of("shop-cache-1"), cache);
  EXPECT_NE(engine_.id_of("shop-worker-1"), worker);
  EXPECT_EQ(value_in("shop-api-1"), "v2");
  EXPECT_EQ(value_in("shop-cache-1"), "v2");
  EXPECT_THAT(engine_.signals, ElementsAre("shop-api-1 SIGHUP"));
  ASSERT_EQ(files_.replaced.size(), 2u);
  EXPECT_THAT(files_.replaced[0], ::testing::EndsWith(" /run/secrets/token pid 4242"));
  EXPECT_THAT(progress_.lines, ::testing::Contains("Container shop-api-1: Rotated in place (SIGHUP sent)"));
  // The store now says version 2, though the kept containers' labels still say 1: nothing to do.
  ASSERT_TRUE(deploy_in_place());
  EXPECT_EQ(progress_.lines.back(), "Stack shop: Up to date: nothing changed");
  const auto info = store_->inspect("shop_token");
  for (const auto& usage : info->used_by) EXPECT_EQ(usage.version, 2) << usage.service;
  const auto loaded = load("in-place.yaml", in_place_project);
  const auto checked = deploy::check_drift(engine_, *store_, files_, "shop", &*loaded);
  ASSERT_TRUE(checked);
  EXPECT_EQ((*checked)[0].status, "ok (version 2)");
  // And a third version goes in place too.
  write("token.txt", "v3");
  ASSERT_TRUE(deploy_in_place());
  EXPECT_EQ(engine_.id_of("shop-api-1"), api);
  EXPECT_EQ(value_in("shop-api-1"), "v3");
  EXPECT_THAT(engine_.signals, ElementsAre("shop-api-1 SIGHUP", "shop-api-1 SIGHUP"));
}

TEST_F(InPlaceTest, AFailureLaterInTheDeployPutsTheOldVersionBackInPlace) {
  ASSERT_TRUE(deploy_in_place());
  const auto api = engine_.id_of("shop-api-1");
  write("token.txt", "v2");
  engine_.fail_start_of = "shop-worker-1";
  const auto result = deploy_in_place();
  ASSERT_FALSE(result);
  EXPECT_EQ(engine_.id_of("shop-api-1"), api);
  EXPECT_EQ(value_in("shop-api-1"), "v1");
  EXPECT_EQ(value_in("shop-cache-1"), "v1");
  EXPECT_THAT(engine_.signals, ElementsAre("shop-api-1 SIGHUP", "shop-api-1 SIGHUP"));  // the new value, then the old
}

TEST_F(InPlaceTest, WhereTheFilesCannotBeReplacedTheContainerIsRecreated) {
  files_.in_place = false;
  ASSERT_TRUE(deploy_in_place());
  const auto api = engine_.id_of("shop-api-1");
  write("token.txt", "v2");
  EXPECT_EQ(dry_run()[1],
            "container shop-api-1: recreate (signal SIGHUP; secret shop_token version 2; rotating in place needs root)");
  ASSERT_TRUE(deploy_in_place());
  EXPECT_NE(engine_.id_of("shop-api-1"), api);
  EXPECT_EQ(value_in("shop-api-1"), "v2");
  EXPECT_TRUE(engine_.signals.empty());
}

TEST_F(InPlaceTest, AReplacementThatFailsLeavesTheContainerWithItsVersion) {
  ASSERT_TRUE(deploy_in_place());
  write("token.txt", "v2");
  files_.fail_replace = true;
  const auto result = deploy_in_place();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, ::testing::EndsWith(": cannot mount the new file: permission denied"));
  EXPECT_EQ(value_in("shop-api-1"), "v1");
  EXPECT_TRUE(engine_.signals.empty());
}

}  // namespace
}  // namespace stackup::testing
