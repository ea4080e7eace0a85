// Loading a whole project: file discovery, COMPOSE_FILE, project names, .env, strict secret-file checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

using ::testing::ElementsAre;

constexpr const char* minimal = "services:\n  web:\n    image: nginx\n";

TEST(Project, FindsComposeYamlAndItsOverride) {
  MemoryProject project;
  project.file("compose.yaml", minimal).file("docker-compose.yml", "{}").file("compose.override.yaml",
                                                                               "services:\n  web:\n    user: nobody\n");
  const auto loaded = project.load();
  EXPECT_THAT(loaded.files, ElementsAre("compose.yaml", "compose.override.yaml"));
  ASSERT_TRUE(loaded.project);
}

TEST(Project, FallsBackToDockerComposeYml) {
  MemoryProject project;
  project.file("docker-compose.yml", minimal);
  EXPECT_THAT(project.load().files, ElementsAre("docker-compose.yml"));
}

TEST(Project, HonoursComposeFile) {
  MemoryProject project;
  project.file("a.yml", minimal).file("b.yml", "services:\n  web:\n    user: nobody\n");
  project.options.environment.set("COMPOSE_FILE", "a.yml:b.yml");
  EXPECT_THAT(project.load().files, ElementsAre("a.yml", "b.yml"));
}

TEST(Project, NoFileIsAnIoError) {
  MemoryProject project;
  const auto loaded = project.load();
  EXPECT_TRUE(loaded.unreadable);
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("error: no configuration file provided: none of compose.yaml, compose.yml, docker-compose.yml "
                          "or docker-compose.yaml in /project; use -c FILE"));
}

TEST(Project, AMissingNamedFileIsAnIoError) {
  MemoryProject project;
  project.options.files = {"nope.yml"};
  const auto loaded = project.load();
  EXPECT_TRUE(loaded.unreadable);
  EXPECT_THAT(headlines(loaded.diagnostics), ElementsAre("error: cannot read compose file nope.yml: No such file or directory"));
}

TEST(Project, NamePrecedenceIsOptionThenVariableThenFileThenDirectory) {
  MemoryProject project;
  project.file("compose.yaml", std::string("name: from-file\n") + minimal);
  EXPECT_EQ(project.load().project->name, "from-file");
  project.options.environment.set("COMPOSE_PROJECT_NAME", "from-variable");
  EXPECT_EQ(project.load().project->name, "from-variable");
  project.options.project_name = "from-option";
  EXPECT_EQ(project.load().project->name, "from-option");
}

TEST(Project, DirectoryNamesAreNormalized) {
  EXPECT_EQ(compose::normalize_project_name("My App.v2"), "myappv2");
  EXPECT_EQ(compose::normalize_project_name("_hidden"), "hidden");
}

TEST(Project, InvalidExplicitNamesAreErrors) {
  MemoryProject project;
  project.file("compose.yaml", std::string("name: Bad Name\n") + minimal);
  EXPECT_THAT(headlines(project.load().diagnostics),
              ElementsAre("compose.yaml:1:7: error: name: invalid project name \"Bad Name\": use lowercase letters, "
                          "digits, '-' and '_', starting with a letter or digit"));
}

TEST(Project, DotEnvFeedsInterpolationAndTheProcessEnvironmentWins) {
  MemoryProject project;
  project.file(".env", "TAG=from-dotenv\nUSER_NAME=from-dotenv\n");
  project.file("compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n    user: ${USER_NAME}\n");
  project.options.environment.set("USER_NAME", "from-process");
  const auto loaded = project.load();
  const auto& web = loaded.document.find("services")->find("web");
  EXPECT_EQ(web->find("image")->scalar, "nginx:from-dotenv");
  EXPECT_EQ(web->find("user")->scalar, "from-process");
}

TEST(Project, EnvFileOptionReplacesDotEnv) {
  MemoryProject project;
  project.file(".env", "TAG=from-dotenv\n").file("prod.env", "TAG=from-prod\n");
  project.file("compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n");
  project.options.env_files = {"prod.env"};
  EXPECT_EQ(project.load().document.find("services")->find("web")->find("image")->scalar, "nginx:from-prod");
}

constexpr const char* with_file_secret =
    "services:\n  web:\n    image: nginx\n    secrets: [token]\nsecrets:\n  token:\n    file: ./token.txt\n";

TEST(Project, SecretFileProblemsAreWarningsByDefaultAndErrorsWhenStrict) {
  MemoryProject project;
  project.file("compose.yaml", with_file_secret);
  EXPECT_THAT(headlines(project.load().diagnostics),
              ElementsAre("compose.yaml:7:11: warning: secrets.token.file: secret file ./token.txt does not exist (an "
                          "error with --strict)"));
  project.options.strict = true;
  const auto loaded = project.load();
  EXPECT_FALSE(loaded.project);
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:7:11: error: secrets.token.file: secret file ./token.txt does not exist"));
}

TEST(Project, StrictChecksEmptyDirectoryAndOversizedSecretFiles) {
  for (const auto& [content, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "secret file ./token.txt is empty; a secret holds 1 to 511999 bytes"},
           {std::string(512000, 'x'), "secret file ./token.txt is 512000 bytes; a secret must be smaller than 512000 bytes"},
       }) {
    MemoryProject project;
    project.file("compose.yaml", with_file_secret).file("token.txt", content);
    project.options.strict = true;
    EXPECT_THAT(headlines(project.load().diagnostics),
                ElementsAre("compose.yaml:7:11: error: secrets.token.file: " + message));
  }
  MemoryProject project;
  project.file("compose.yaml", with_file_secret).file("token.txt/inner", "x");
  project.options.strict = true;
  EXPECT_THAT(headlines(project.load().diagnostics),
              ElementsAre("compose.yaml:7:11: error: secrets.token.file: secret file ./token.txt is a directory, not a file"));
  MemoryProject largest;
  largest.file("compose.yaml", with_file_secret).file("token.txt", std::string(511999, 'x'));
  largest.options.strict = true;
  EXPECT_TRUE(largest.load().diagnostics.empty());
}

TEST(Project, ReportsErrorsFromEveryFileAtOnce) {
  MemoryProject project;
  project.file("a.yml", "services:\n  web:\n    image: nginx\n    imgae: x\n");
  project.file("b.yml", "services:\n  web:\n    secrets: [missing]\n");
  project.options.files = {"a.yml", "b.yml"};
  EXPECT_THAT(headlines(project.load().diagnostics),
              ElementsAre("a.yml:4:5: error: services.web.imgae: unknown key \"imgae\"; did you mean \"image\"?",
                          "b.yml:3:15: error: services.web.secrets[0].source: service \"web\" refers to undefined "
                          "secret missing; define it under the top-level secrets: key"));
}

}  // namespace
}  // namespace stackup::testing
