// The plan is a pure function of what is wanted and what the engine has: no fakes needed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/plan.hpp"
#include "test_helpers.hpp"

namespace stackup::deploy {
namespace {

using ::testing::ElementsAre;

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = testing::load_text(R"(services:
  db:
    image: db:1
    secrets: [token]
  web:
    image: web:1
    depends_on: [db]
    deploy: {replicas: 2}
secrets:
  token:
    file: ./token.txt
)");
    ASSERT_TRUE(loaded.project) << ::testing::PrintToString(testing::headlines(loaded.diagnostics));
    inputs_.project = std::move(*loaded.project);
    inputs_.stack = "shop";
    SecretInput token;
    token.name = "shop_token";
    token.value = base::SecretBytes("v1");
    inputs_.secrets.emplace("token", std::move(token));
    for (const auto& service : inputs_.project.services) inputs_.env_files[service.name] = {};
  }

  // The engine's view after `plan` was applied: each container running with the labels it got.
  CurrentState applied(const Plan& plan) {
    CurrentState current;
    for (const auto& level : plan.levels) {
      for (const auto& step : level) {
        const auto config = config_with_secrets(step.container, "/run/stackup/shop/x", step.name + "-0123456789ab");
        current.containers[step.name] = {"id-" + step.name, step.name, "running", "", config["Image"],
                                         config["Labels"].get<engine::Labels>()};
      }
    }
    for (const auto& network : plan.networks) current.networks[network] = {network, network, {}, "bridge"};
    return current;
  }

  void stored_at(int version, bool changed) {
    auto& token = inputs_.secrets.at("token");
    token.stored_version = version;
    token.changed = changed;
  }

  Inputs inputs_;
};

TEST_F(PlanTest, AFirstDeployCreatesEverythingInDependencyOrder) {
  const auto plan = make_plan(inputs_, {}, false);
  EXPECT_THAT(describe(plan), ElementsAre("secret shop_token: version 1 (new)", "network shop_default: create",
                                          "container shop-db-1: create (new service)",
                                          "container shop-web-1: create (new service)",
                                          "container shop-web-2: create (replica 2 of 2)"));
  ASSERT_EQ(plan.levels.size(), 2u);
  EXPECT_EQ(plan.levels[0][0].container.secrets[0].version, 1);
  EXPECT_TRUE(plan.stack_was_empty);
  EXPECT_FALSE(plan.changes_nothing());
}

TEST_F(PlanTest, NothingChangedKeepsEverything) {
  stored_at(1, false);
  const auto current = applied(make_plan(inputs_, {}, false));
  const auto plan = make_plan(inputs_, current, false);
  EXPECT_THAT(describe(plan), ElementsAre("secret shop_token: version 1 (unchanged)", "container shop-db-1: keep (unchanged)",
                                          "container shop-web-1: keep (unchanged)", "container shop-web-2: keep (unchanged)"));
  EXPECT_TRUE(plan.changes_nothing());
}

TEST_F(PlanTest, ARotatedSecretRecreatesOnlyItsUsersAndSaysWhy) {
  stored_at(1, false);
  const auto current = applied(make_plan(inputs_, {}, false));
  stored_at(1, true);
  const auto plan = make_plan(inputs_, current, false);
  EXPECT_THAT(describe(plan), ElementsAre("secret shop_token: version 2 (content changed)",
                                          "container shop-db-1: recreate (secret shop_token version 2)",
                                          "container shop-web-1: keep (unchanged)", "container shop-web-2: keep (unchanged)"));
}

TEST_F(PlanTest, SaysWhyAContainerIsRecreatedOrRemoved) {
  stored_at(1, false);
  auto current = applied(make_plan(inputs_, {}, false));
  current.containers.at("shop-web-1").state = "exited";
  current.containers["shop-web-3"] = current.containers.at("shop-web-2");
  current.containers.at("shop-web-3").name = "shop-web-3";
  current.containers.at("shop-web-3").labels["com.docker.compose.container-number"] = "3";
  current.containers["shop-old-1"] = {"id-old", "shop-old-1", "running", "", "old:1",
                                      {{"com.docker.compose.service", "old"}, {"com.docker.compose.container-number", "1"}}};
  current.containers["shop-db-1-replaced-0a0b0c0d0e0f"] = current.containers.at("shop-db-1");
  inputs_.project.services[0].image = "db:2";
  const auto plan = make_plan(inputs_, current, true);
  EXPECT_THAT(describe(plan),
              ElementsAre("secret shop_token: version 1 (unchanged)", "container shop-db-1: recreate (image db:2 instead of db:1)",
                          "container shop-web-1: recreate (not running (exited))", "container shop-web-2: keep (unchanged)",
                          "container shop-db-1-replaced-0a0b0c0d0e0f: remove (set aside by an interrupted deploy)",
                          "container shop-old-1: remove (not in the file (--prune))",
                          "container shop-web-3: remove (service web has 2 replicas)"));
  EXPECT_FALSE(plan.stack_was_empty);
}

TEST_F(PlanTest, WithoutPruneAServiceNoLongerInTheFileStays) {
  CurrentState current;
  current.containers["shop-old-1"] = {"id-old", "shop-old-1", "running", "", "old:1",
                                      {{"com.docker.compose.service", "old"}, {"com.docker.compose.container-number", "1"}}};
  EXPECT_TRUE(make_plan(inputs_, current, false).removals.empty());
}

TEST_F(PlanTest, ExternalSecretsAndMissingImagesAndJson) {
  auto& token = inputs_.secrets.at("token");
  token.external = true;
  token.stored_version = 4;
  inputs_.missing_images = {"db:1"};
  const auto plan = make_plan(inputs_, {}, false);
  EXPECT_EQ(describe(plan)[0], "image db:1: pull (not present)");
  EXPECT_EQ(describe(plan)[1], "secret shop_token: version 4 (external)");
  const auto json = to_json(plan);
  EXPECT_EQ(json["stack"], "shop");
  EXPECT_EQ(json["changes"], true);
  EXPECT_EQ(json["actions"][1], (engine::Json{{"type", "secret"}, {"name", "shop_token"}, {"action", "external"},
                                              {"reason", "external"}, {"version", 4}}));
  EXPECT_EQ(json["actions"][2], (engine::Json{{"type", "network"}, {"name", "shop_default"}, {"action", "create"}, {"reason", ""}}));
}

TEST_F(PlanTest, DownRemovesWhatIsThereAndOnlyWhatItIsAskedTo) {
  auto current = applied(make_plan(inputs_, {}, false));
  current.volumes["shop_data"] = {"shop_data", "shop_data", {}, "local"};
  EXPECT_THAT(describe(make_down_plan(current, {}, {"shop", -1, false, false})),
              ElementsAre("container shop-db-1: remove, its secrets wiped", "container shop-web-1: remove, its secrets wiped",
                          "container shop-web-2: remove, its secrets wiped", "network shop_default: remove"));
  const auto everything = make_down_plan(current, {"shop_token"}, {"shop", 0, true, true});
  EXPECT_THAT(describe(everything),
              ::testing::IsSupersetOf({"volume shop_data: remove (--volumes)", "secret shop_token: remove from the store (--secrets)"}));
  EXPECT_EQ(everything.timeout_seconds, 0);
  EXPECT_TRUE(make_down_plan({}, {}, {"shop", -1, false, false}).containers.empty());
}

}  // namespace
}  // namespace stackup::deploy
