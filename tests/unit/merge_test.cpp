#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compose/emit.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

// Loads base + override from memory and returns the merged document as JSON.
nlohmann::json merged(const std::string& base, const std::string& overlay) {
  MemoryProject project;
  project.file("compose.yaml", base).file("compose.override.yaml", overlay);
  const auto loaded = project.load();
  EXPECT_FALSE(loaded.diagnostics.has_errors()) << ::testing::PrintToString(headlines(loaded.diagnostics));
  return compose::to_json_value(loaded.document);
}

TEST(Merge, ServiceSecretsMergeByTarget) {
  const auto document = merged(R"(services:
  web:
    image: nginx
    secrets:
      - a
      - source: b
        target: shared
secrets: {a: {external: true}, b: {external: true}, c: {external: true}}
)",
                               R"(services:
  web:
    secrets:
      - source: c
        target: /run/secrets/shared
      - source: a
        target: other
)");
  const auto& secrets = document["services"]["web"]["secrets"];
  ASSERT_EQ(secrets.size(), 3u);
  EXPECT_EQ(secrets[0]["source"], "a");
  EXPECT_EQ(secrets[0]["target"], "a");
  EXPECT_EQ(secrets[1]["source"], "c");  // replaced in place: same target
  EXPECT_EQ(secrets[2]["target"], "other");
}

TEST(Merge, MappingsMergeListsAppendAndCommandsAreReplaced) {
  const auto document = merged(R"(services:
  web:
    image: nginx:1
    command: [nginx, -g, daemon off;]
    environment: [A=1, B=2]
    ports: ["80:80"]
)",
                               R"(services:
  web:
    image: nginx:2
    command: [nginx-debug]
    environment: {B: "3", C: "4"}
    ports: ["443:443", "80:80"]
)");
  const auto& web = document["services"]["web"];
  EXPECT_EQ(web["image"], "nginx:2");
  EXPECT_EQ(web["command"], nlohmann::json::array({"nginx-debug"}));
  EXPECT_EQ(web["environment"], (nlohmann::json{{"A", "1"}, {"B", "3"}, {"C", "4"}}));
  EXPECT_EQ(web["ports"], nlohmann::json::array({"80:80", "443:443"}));
}

TEST(Merge, ResetRemovesAndOverrideReplaces) {
  const auto document = merged(R"(services:
  web:
    image: nginx
    ports: ["80:80"]
    labels: {a: "1", b: "2"}
    user: nobody
)",
                               R"(services:
  web:
    ports: !reset []
    labels: !override {c: "3"}
    user: !reset null
)");
  const auto& web = document["services"]["web"];
  EXPECT_FALSE(web.contains("ports"));
  EXPECT_FALSE(web.contains("user"));
  EXPECT_EQ(web["labels"], (nlohmann::json{{"c", "3"}}));
}

TEST(Merge, TopLevelSecretsMergePerKey) {
  const auto document = merged("services: {web: {image: nginx}}\nsecrets:\n  a: {file: ./a.txt}\n",
                               "secrets:\n  a: {labels: {team: x}}\n  b: {external: true}\n");
  EXPECT_EQ(document["secrets"]["a"]["file"], "/project/a.txt");
  EXPECT_EQ(document["secrets"]["a"]["labels"]["team"], "x");
  EXPECT_EQ(document["secrets"]["b"]["external"], true);
}

}  // namespace
}  // namespace stackup::testing
