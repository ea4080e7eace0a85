#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

using ::testing::ElementsAre;

TEST(Loader, LoadsAMinimalProjectWithSecrets) {
  const auto loaded = load_text(R"(services:
  web:
    image: nginx
    secrets:
      - site_key
      - source: site_crt
        target: /etc/ssl/site.crt
        uid: "101"
        mode: 0400
secrets:
  site_key:
    file: ./site.key
  site_crt:
    file: site.crt
)");
  ASSERT_TRUE(loaded.project) << ::testing::PrintToString(headlines(loaded.diagnostics));
  const auto& project = *loaded.project;
  EXPECT_EQ(project.name, "project");
  ASSERT_EQ(project.services.size(), 1u);
  const auto& secrets = project.services[0].secrets;
  ASSERT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets[0].source, "site_key");
  EXPECT_EQ(secrets[0].mount_path(), "/run/secrets/site_key");
  EXPECT_EQ(secrets[0].mode, 0444u);
  EXPECT_EQ(secrets[1].mount_path(), "/etc/ssl/site.crt");
  EXPECT_EQ(secrets[1].uid, 101u);
  EXPECT_EQ(secrets[1].mode, 0400u);
  EXPECT_EQ(project.secrets.at("site_key").file, "/project/site.key");
  EXPECT_EQ(project.secrets.at("site_key").object_name(project.name), "project_site_key");
}

TEST(Loader, DashReadsTheFileFromStandardInputWithPathsFromTheWorkingDirectory) {
  compose::MemoryFileSystem files;
  files.add("/work/key.txt", "value");
  compose::LoadOptions options;
  options.working_directory = "/work";
  options.files = {"-"};
  options.standard_input = "services:\n  web:\n    image: nginx\n    secrets: [key]\nsecrets:\n  key:\n    file: ./key.txt\n";
  const auto loaded = compose::load_project(options, files);
  ASSERT_TRUE(loaded.project) << ::testing::PrintToString(headlines(loaded.diagnostics));
  EXPECT_EQ(loaded.project->name, "work");
  EXPECT_EQ(loaded.project->secrets.at("key").file, "/work/key.txt");
  options.standard_input = "services:\n  web:\n    image: nginx\n    secrets: [kee]\nsecrets:\n  key:\n    file: ./key.txt\n";
  const auto typo = compose::load_project(options, files);
  EXPECT_THAT(headlines(typo.diagnostics),
              ElementsAre("<stdin>:4:15: error: services.web.secrets[0].source: service \"web\" refers to undefined secret "
                          "kee; did you mean \"key\"?"));
  options.standard_input.reset();
  const auto unread = compose::load_project(options, files);
  EXPECT_TRUE(unread.unreadable);
}

TEST(Loader, AnEmptyOverrideFileChangesNothingButAnEmptyFirstFileIsAnError) {
  MemoryProject project;
  project.file("compose.yaml", "services:\n  web:\n    image: busybox\n");
  project.file("empty.yaml", "# nothing to override yet\n");
  project.options.files = {"compose.yaml", "empty.yaml"};
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics), ::testing::IsEmpty());
  EXPECT_TRUE(loaded.project);
  project.options.files = {"empty.yaml", "compose.yaml"};
  EXPECT_THAT(headlines(project.load().diagnostics),
              ElementsAre("empty.yaml:1:1: error: empty compose file: it needs at least a services: section"));
}

TEST(Loader, ReservedLabelsAreRefusedAfterInterpolation) {
  MemoryProject project;
  project.file("compose.yaml",
               "services:\n  web:\n    image: nginx\n    deploy:\n      labels:\n        - ${KEY}=/etc\n");
  project.options.environment.set("KEY", "com.stackup.secrets-directory");
  project.options.orchestrator = compose::Orchestrator::swarm;  // deploy.labels are Swarm's: no warning here
  const auto loaded = project.load();
  EXPECT_FALSE(loaded.project);
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:6:11: error: services.web.deploy.labels: label com.stackup.secrets-directory is "
                          "reserved: stackup sets it to find and manage its own objects; remove it"));
}

TEST(Loader, DeeplyNestedInterpolationIsAnErrorNotACrash) {
  std::string deep;
  for (int i = 0; i < 20'000; ++i) deep += "${A:-";
  const auto loaded = load_text("services:\n  web:\n    image: \"" + deep + "nginx" + std::string(20'000, '}') + "\"\n");
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:3:12: error: services.web.image: ${...} nested more than 64 levels deep; no file "
                          "needs that"));
}

TEST(Loader, AliasesNestingAliasesAreAnErrorNotACrash) {
  // Each anchor nests the previous one 400 lists deeper: a shallow document to the parser, a tree 40,000
  // levels deep once expanded. The comment raises the alias budget, which grows with the file's size.
  std::string text = "services:\n  web:\n    image: nginx\nx-a0: &a0 x\n";
  for (int i = 1; i < 100; ++i) {
    text += fmt::format("x-a{}: &a{} {}*a{}{}\n", i, i, std::string(400, '['), i - 1, std::string(400, ']'));
  }
  text += "#" + std::string(1'000'000, 'p') + "\n";
  const auto loaded = load_text(text);
  EXPECT_FALSE(loaded.project);
  ASSERT_EQ(loaded.diagnostics.all().size(), 1u);
  EXPECT_EQ(loaded.diagnostics.all()[0].location.line, 6);
  EXPECT_EQ(loaded.diagnostics.all()[0].message,
            "values nested 500 or more levels deep once aliases are expanded; a compose file never needs that");
}

}  // namespace
}  // namespace stackup::testing
