// What a stack is to Swarm: service specs, object names and the plan are pure functions of the
// project and what the swarm has, so they are tested without an engine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/swarm_plan.hpp"
#include "deploy/swarm_spec.hpp"
#include "test_helpers.hpp"

namespace stackup::deploy {
namespace {

using ::testing::ElementsAre;
using engine::Json;

class SwarmPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = testing::load_text(R"(services:
  web:
    image: web:1
    entrypoint: ["/bin/app"]
    command: ["serve", "--port", "80"]
    restart: on-failure:3
    ports:
      - "8080:80"
      - target: 443
        published: 8443
        mode: host
    secrets:
      - source: token
        uid: "1000"
        gid: "1001"
        mode: 0400
      - source: token
        target: /etc/app/token
    configs: [settings]
    deploy:
      labels: {tier: front}
      placement:
        constraints: [node.role == worker]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 1
      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, order: start-first}
      resources:
        limits: {cpus: "0.5", memory: 64m}
        reservations: {memory: 32m}
  agent:
    image: agent:1
    deploy: {mode: global}
secrets:
  token:
    file: ./token.txt
configs:
  settings:
    content: "level=debug"
)");
    ASSERT_TRUE(loaded.project) << ::testing::PrintToString(testing::headlines(loaded.diagnostics));
    inputs_.project = std::move(*loaded.project);
    inputs_.stack = "shop";
    SecretInput token;
    token.name = "shop_token";
    token.value = base::SecretBytes("v1");
    inputs_.secrets.emplace("token", std::move(token));
    ConfigInput settings;
    settings.value = base::SecretBytes("level=debug");
    settings.fingerprint = "0123456789abcdef";
    inputs_.configs.emplace("settings", std::move(settings));
    for (const auto& service : inputs_.project.services) inputs_.env_files[service.name] = {};
  }

  // The swarm after `plan` was applied: its objects and services, with the specs as sent.
  SwarmState applied(const SwarmPlan& plan) {
    SwarmState state;
    for (const auto& object : plan.objects) {
      auto& objects = object.kind == engine::ObjectKind::secret ? state.secrets : state.configs;
      objects[object.name] = {"id-" + object.name, object.name, object.labels};
    }
    for (const auto& step : plan.services) state.services[step.name] = {"id-" + step.name, step.name, 7, step.spec, "", ""};
    for (const auto& network : plan.networks) state.networks[network] = {network, network, {}, "overlay"};
    return state;
  }

  SwarmPlan plan_for(const SwarmState& state, bool prune = false) {
    auto plan = make_swarm_plan(inputs_, state, prune);
    EXPECT_TRUE(plan) << (plan ? "" : plan.error().message);
    return plan ? std::move(*plan) : SwarmPlan{};
  }

  Inputs inputs_;
};

TEST_F(SwarmPlanTest, ServiceSpecsAreWhatDockerStackDeployWouldSend) {
  const auto plan = plan_for({});
  ASSERT_EQ(plan.services[0].name, "shop_web");  // in file order
  const auto& spec = plan.services[0].spec;
  EXPECT_EQ(spec["Labels"]["com.docker.stack.namespace"], "shop");
  EXPECT_EQ(spec["Labels"]["com.docker.stack.image"], "web:1");
  EXPECT_EQ(spec["Labels"]["tier"], "front");
  const auto& container = spec["TaskTemplate"]["ContainerSpec"];
  EXPECT_EQ(container["Command"], Json::array({"/bin/app"}));
  EXPECT_EQ(container["Args"], Json::array({"serve", "--port", "80"}));
  EXPECT_EQ(container["Labels"]["com.docker.stack.namespace"], "shop");
  EXPECT_EQ(container["Secrets"][0],
            (Json{{"File", {{"Name", "/run/secrets/token"}, {"UID", "1000"}, {"GID", "1001"}, {"Mode", 0400}}},
                  {"SecretName", "shop_token-v1"}}));
  EXPECT_EQ(container["Secrets"][1]["File"]["Name"], "/etc/app/token");
  EXPECT_EQ(container["Configs"][0]["File"]["Name"], "/settings");
  EXPECT_EQ(container["Configs"][0]["ConfigName"], "shop_settings-0123456789ab");
  const auto& task = spec["TaskTemplate"];
  EXPECT_EQ(task["RestartPolicy"], (Json{{"Condition", "on-failure"}, {"MaxAttempts", 3}}));
  EXPECT_EQ(task["Placement"], (Json{{"Constraints", {"node.role == worker"}},
                                     {"Preferences", {{{"Spread", {{"SpreadDescriptor", "node.labels.zone"}}}}}},
                                     {"MaxReplicas", 1}}));
  EXPECT_EQ(task["Resources"], (Json{{"Limits", {{"NanoCPUs", 500000000}, {"MemoryBytes", 64 << 20}}},
                                     {"Reservations", {{"MemoryBytes", 32 << 20}}}}));
  EXPECT_EQ(task["Networks"], Json::array({{{"Target", "shop_default"}, {"Aliases", {"web"}}}}));
  EXPECT_EQ(spec["Mode"], (Json{{"Replicated", {{"Replicas", 1}}}}));
  EXPECT_EQ(spec["UpdateConfig"], (Json{{"Parallelism", 2}, {"Delay", 10000000000}, {"FailureAction", "rollback"}, {"Order", "start-first"}}));
  EXPECT_EQ(spec["EndpointSpec"]["Ports"],
            Json::array({{{"Protocol", "tcp"}, {"TargetPort", 80}, {"PublishMode", "ingress"}, {"PublishedPort", 8080}},
                         {{"Protocol", "tcp"}, {"TargetPort", 443}, {"PublishMode", "host"}, {"PublishedPort", 8443}}}));
  EXPECT_EQ(plan.services[1].spec["Mode"], (Json{{"Global", Json::object()}}));
}

TEST_F(SwarmPlanTest, AFirstDeployPushesEachValueAsAVersionedObject) {
  const auto plan = plan_for({});
  EXPECT_THAT(describe(plan), ElementsAre("secret shop_token: version 1 (new)",
                                          "swarm secret shop_token-v1: create (version 1)",
                                          "swarm config shop_settings-0123456789ab: create (content changed or new)",
                                          "network shop_default: create (overlay)",
                                          "service shop_web: create (new service)",
                                          "service shop_agent: create (new service)"));
  EXPECT_EQ(plan.objects[0].labels, (engine::Labels{{"com.docker.stack.namespace", "shop"},
                                                    {"com.stackup.secret", "shop_token"},
                                                    {"com.stackup.version", "1"}}));
  EXPECT_TRUE(plan.stack_was_empty);
}

TEST_F(SwarmPlanTest, AnUnchangedStackChangesNothing) {
  auto& token = inputs_.secrets.at("token");
  token.stored_version = 1;
  token.changed = false;
  const auto plan = plan_for(applied(plan_for({})));
  EXPECT_TRUE(plan.changes_nothing());
  EXPECT_THAT(describe(plan), ElementsAre("secret shop_token: version 1 (unchanged)",
                                          "swarm secret shop_token-v1: keep (unchanged)",
                                          "swarm config shop_settings-0123456789ab: keep (unchanged)",
                                          "service shop_web: keep (unchanged)", "service shop_agent: keep (unchanged)"));
}

TEST_F(SwarmPlanTest, ARotatedSecretUpdatesOnlyItsUsersAndRetiresTheOldObject) {
  auto& token = inputs_.secrets.at("token");
  const auto before = applied(plan_for({}));
  token.stored_version = 1;
  token.changed = true;
  const auto plan = plan_for(before);
  EXPECT_THAT(describe(plan), ElementsAre("secret shop_token: version 2 (content changed)",
                                          "swarm secret shop_token-v2: create (version 2)",
                                          "swarm config shop_settings-0123456789ab: keep (unchanged)",
                                          "service shop_web: update (secret shop_token-v2)",
                                          "service shop_agent: keep (unchanged)",
                                          "swarm secret shop_token-v1: remove (no service uses it)"));
  EXPECT_EQ(plan.services[0].existing->version, 7u);
}

TEST_F(SwarmPlanTest, PruneRemovesServicesNoLongerInTheFileAndKeepsTheirObjectsOtherwise) {
  auto state = applied(plan_for({}));
  state.services["shop_old"] = {"id-old", "shop_old", 3, {{"TaskTemplate", {{"ContainerSpec", {{"Secrets", {{{"SecretName", "shop_old-v1"}}}}}}}}}, "", ""};
  state.secrets["shop_old-v1"] = {"id-old-v1", "shop_old-v1", {{"com.docker.stack.namespace", "shop"}}};
  EXPECT_TRUE(plan_for(state, false).obsolete.empty());
  const auto pruned = plan_for(state, true);
  ASSERT_EQ(pruned.removals.size(), 1u);
  EXPECT_EQ(pruned.removals[0].name, "shop_old");
  ASSERT_EQ(pruned.obsolete.size(), 1u);
  EXPECT_EQ(pruned.obsolete[0].second.name, "shop_old-v1");
}

TEST_F(SwarmPlanTest, AnExternalSecretComesFromTheSwarmElseFromTheStoreUnderItsOwnName) {
  auto& token = inputs_.secrets.at("token");
  token.external = true;
  token.name = "api_token";
  token.stored_version = 4;
  auto plan = plan_for({});
  EXPECT_EQ(plan.objects[0].name, "api_token");
  EXPECT_TRUE(plan.objects[0].create);
  EXPECT_EQ(plan.objects[0].reason, "external, version 4 pushed from the store");
  EXPECT_EQ(plan.objects[0].labels, (engine::Labels{{"com.stackup.secret", "api_token"}, {"com.stackup.version", "4"}}));
  SwarmState own;  // the swarm's own secret by that name wins
  own.secrets["api_token"] = {"id", "api_token", {}};
  plan = plan_for(own);
  EXPECT_FALSE(plan.objects[0].create);
  EXPECT_EQ(plan.objects[0].reason, "external, in the swarm");
  token.in_store = false;
  EXPECT_EQ(plan_for(own).objects[0].name, "api_token");
  const auto missing = make_swarm_plan(inputs_, {}, false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "external secret api_token is in neither the swarm nor stackup's store; create it: stackup secret create "
            "api_token FILE");
}

// `stackup secret rotate` of an external secret reaches Swarm: its next version is an object of its own.
TEST_F(SwarmPlanTest, ARotatedExternalSecretIsPushedAsANewObject) {
  auto& token = inputs_.secrets.at("token");
  token.external = true;
  token.name = "api_token";
  token.stored_version = 4;
  const auto pushed = applied(plan_for({}));
  EXPECT_EQ(plan_for(pushed).objects[0].reason, "external, version 4, unchanged");
  token.stored_version = 5;
  const auto plan = plan_for(pushed);
  EXPECT_EQ(plan.objects[0].name, "api_token-v5");
  EXPECT_TRUE(plan.objects[0].create);
  EXPECT_EQ(plan.services[0].reason, "secret api_token-v5");
  // The earlier push goes once no service uses it, unless another stack still does.
  ASSERT_EQ(plan.obsolete.size(), 1u);
  EXPECT_EQ(plan.obsolete[0].second.name, "api_token");
  auto shared = pushed;
  shared.used_by_other_stacks.insert("api_token");
  EXPECT_TRUE(plan_for(shared).obsolete.empty());
}

// Only an update that changes the task template makes new tasks: deploy waits for those alone.
TEST_F(SwarmPlanTest, AReplicasChangeIsAnUpdateWithoutNewTasks) {
  const auto before = applied(plan_for({}));
  inputs_.project.services[0].replicas = 3;
  auto plan = plan_for(before);
  EXPECT_EQ(plan.services[0].kind, ServiceStep::Kind::update);
  EXPECT_FALSE(plan.services[0].new_tasks);
  inputs_.project.services[0].user = "1000";
  plan = plan_for(before);
  EXPECT_TRUE(plan.services[0].new_tasks);
}

TEST_F(SwarmPlanTest, DownRemovesTheStacksOwnObjectsOnly) {
  auto state = applied(plan_for({}));
  state.secrets["api_token"] = {"id", "api_token", {}};
  const auto plan = make_swarm_down_plan(state, "shop", {"shop_token"});
  EXPECT_THAT(describe(plan), ElementsAre("service shop_agent: remove", "service shop_web: remove",
                                          "network shop_default: remove", "swarm secret shop_token-v1: remove",
                                          "swarm config shop_settings-0123456789ab: remove",
                                          "secret shop_token: remove from the store (--secrets)"));
}

TEST(SwarmObjectName, StaysWithinDockersSixtyFourCharacters) {
  EXPECT_EQ(swarm_object_name("shop_token", "v3"), "shop_token-v3");
  EXPECT_EQ(swarm_object_name("developer/db", "v1"), "developer.db-v1");  // Swarm allows no '/'
  EXPECT_EQ(swarm_safe_name("developer/team/db"), "developer.team.db");
  const std::string long_base(70, 'a');
  const auto name = swarm_object_name(long_base, "v12");
  EXPECT_EQ(name.size(), 64u);
  EXPECT_TRUE(name.ends_with("-v12"));
  EXPECT_NE(name, swarm_object_name(std::string(69, 'a') + "b", "v12"));
}

TEST(SwarmSpec, ObjectIdsAreFilledInByName) {
  const Json spec{{"TaskTemplate", {{"ContainerSpec", {{"Secrets", {{{"SecretName", "a-v1"}}}}, {"Configs", {{{"ConfigName", "c-1"}}}}}}}}};
  const auto filled = with_object_ids(spec, {{"a-v1", "id-a"}, {"c-1", "id-c"}});
  EXPECT_EQ(filled["TaskTemplate"]["ContainerSpec"]["Secrets"][0]["SecretID"], "id-a");
  EXPECT_EQ(filled["TaskTemplate"]["ContainerSpec"]["Configs"][0]["ConfigID"], "id-c");
  EXPECT_THAT(referenced_objects(spec), ElementsAre("a-v1", "c-1"));
}

}  // namespace
}  // namespace stackup::deploy
