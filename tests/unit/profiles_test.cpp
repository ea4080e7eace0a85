// Compose's profiles: which services a project runs, from --profile and COMPOSE_PROFILES.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compose/profiles.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

using ::testing::ElementsAre;

constexpr const char* file = R"(services:
  web:
    image: web:1
  debugger:
    image: dbg:1
    profiles: [debug]
  admin:
    image: admin:1
    profiles: [debug, ops]
)";

std::vector<std::string> services_with(std::vector<std::string> profiles, const char* compose_profiles = nullptr) {
  MemoryProject project;
  project.file("compose.yaml", file);
  project.options.profiles = std::move(profiles);
  if (compose_profiles) project.options.environment.set("COMPOSE_PROFILES", compose_profiles);
  const auto loaded = project.load();
  std::vector<std::string> names;
  if (loaded.project) {
    for (const auto& service : loaded.project->services) names.push_back(service.name);
  }
  return names;
}

TEST(Profiles, AServiceWithProfilesRunsOnlyWhenOneIsActive) {
  EXPECT_THAT(services_with({}), ElementsAre("web"));
  EXPECT_THAT(services_with({"ops"}), ElementsAre("web", "admin"));
  EXPECT_THAT(services_with({"debug"}), ElementsAre("web", "debugger", "admin"));
  EXPECT_THAT(services_with({}, "ops,debug"), ElementsAre("web", "debugger", "admin"));
  EXPECT_THAT(services_with({"ops"}, "debug"), ElementsAre("web", "debugger", "admin"));
  EXPECT_THAT(services_with({"*"}), ElementsAre("web", "debugger", "admin"));
}

TEST(Profiles, ARequiredDependencyLeftOutNamesTheProfileToEnable) {
  const auto loaded = load_text(R"(services:
  web:
    image: web:1
    depends_on:
      db: {condition: service_started}
      cache: {condition: service_started, required: false}
  db:
    image: db:1
    profiles: [database]
  cache:
    image: cache:1
    profiles: [cache]
)");
  EXPECT_FALSE(loaded.project);
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:5:7: error: services.web.depends_on.db: service \"web\" depends on "
                          "\"db\", which runs only with profile \"database\"; enable it: --profile database (or "
                          "COMPOSE_PROFILES=database)"));
}

TEST(Profiles, ActiveProfilesComeFromFlagsAndTheVariable) {
  const auto active = compose::active_profiles({"a"}, "b,,c");
  EXPECT_THAT(active.names, ElementsAre("a", "b", "c"));
  EXPECT_FALSE(active.all);
  EXPECT_TRUE(compose::active_profiles({}, "*").all);
}

}  // namespace
}  // namespace stackup::testing
