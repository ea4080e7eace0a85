// Loading a whole project: file discovery, COMPOSE_FILE, project names, .env, strict secret-file checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

using ::testing::ElementsAre;
namespace fs = std::filesystem;

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

constexpr const char* with_environment_secret =
    "services:\n  web:\n    image: nginx\n    secrets: [token]\nsecrets:\n  token:\n    environment: TOKEN\n";

TEST(Project, EnvironmentSecretsAreCheckedLikeSecretFiles) {
  for (const auto& [value, message] : std::vector<std::pair<std::optional<std::string>, std::string>>{
           {std::nullopt, "environment variable \"TOKEN\" is not set"},
           {"", "environment variable \"TOKEN\" is empty; a secret holds 1 to 511999 bytes"},
           {std::string(512000, 'x'),
            "environment variable \"TOKEN\" is 512000 bytes; a secret must be smaller than 512000 bytes"},
       }) {
    MemoryProject project;
    project.file("compose.yaml", with_environment_secret);
    if (value) project.options.environment.set("TOKEN", *value);
    EXPECT_THAT(headlines(project.load().diagnostics),
                ElementsAre("compose.yaml:7:18: warning: secrets.token.environment: " + message + " (an error with --strict)"));
    project.options.strict = true;
    const auto loaded = project.load();
    EXPECT_FALSE(loaded.project);
    EXPECT_THAT(headlines(loaded.diagnostics), ElementsAre("compose.yaml:7:18: error: secrets.token.environment: " + message));
  }
  MemoryProject largest;
  largest.file("compose.yaml", with_environment_secret);
  largest.options.environment.set("TOKEN", std::string(511999, 'x'));
  largest.options.strict = true;
  EXPECT_TRUE(largest.load().diagnostics.empty());
}

TEST(Project, AnEmptyEnvironmentConfigIsFine) {
  MemoryProject project;
  project.file("compose.yaml",
               "services:\n  web:\n    image: nginx\n    configs: [motd]\nconfigs:\n  motd:\n    environment: MOTD\n");
  project.options.environment.set("MOTD", "");
  project.options.strict = true;
  EXPECT_TRUE(project.load().diagnostics.empty());
}

// A directory on disk for the tests that need real files: FIFOs, devices, sparse files.
class DiskDirectory {
 public:
  DiskDirectory() {
    std::string pattern = (fs::temp_directory_path() / "stackup-project-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~DiskDirectory() { fs::remove_all(path_); }
  DiskDirectory(const DiskDirectory&) = delete;
  DiskDirectory& operator=(const DiskDirectory&) = delete;
  [[nodiscard]] std::string path(const std::string& name) const { return (fs::path(path_) / name).string(); }
  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream(path(name), std::ios::binary) << content;
    return path(name);
  }
  std::string fifo(const std::string& name) const {
    EXPECT_EQ(::mkfifo(path(name).c_str(), 0600), 0);
    return path(name);
  }
  // A file of `size` bytes that takes no room on disk.
  std::string sparse(const std::string& name, std::uintmax_t size) const {
    file(name, "");
    fs::resize_file(path(name), size);
    return path(name);
  }
  [[nodiscard]] const std::string& root() const { return path_; }

 private:
  std::string path_;
};

TEST(DiskFileSystem, ReadsRegularFilesOnly) {
  const DiskDirectory directory;
  const compose::DiskFileSystem files;
  EXPECT_EQ(files.read(directory.file("compose.yaml", "services: {}\n")), "services: {}\n");
  // A FIFO that no one writes to is refused at once, not waited on.
  EXPECT_EQ(files.read(directory.fifo("fifo")).error().message, "is not a regular file");
  EXPECT_EQ(files.read("/dev/zero").error().message, "is not a regular file");
  EXPECT_EQ(files.read(directory.root()).error().message, "is a directory, not a regular file");
  EXPECT_EQ(files.read(directory.path("missing")).error().message, "No such file or directory");
}

TEST(DiskFileSystem, ReadsAtMost64MiB) {
  const DiskDirectory directory;
  const compose::DiskFileSystem files;
  EXPECT_EQ(files.read(directory.sparse("largest", compose::max_text_file_size))->size(), compose::max_text_file_size);
  EXPECT_EQ(files.read(directory.sparse("too-large", compose::max_text_file_size + 1)).error().message,
            "is larger than 64 MiB; compose and env files are text, and stackup reads at most 64 MiB of one");
}

TEST(DiskFileSystem, StatusTellsRegularFilesFromOthers) {
  const DiskDirectory directory;
  const compose::DiskFileSystem files;
  const auto regular = files.status(directory.file("token", "x"));
  EXPECT_TRUE(regular.exists && regular.readable && !regular.is_directory && !regular.is_special);
  EXPECT_EQ(regular.size, 1u);
  EXPECT_TRUE(files.status(directory.fifo("fifo")).is_special);
  EXPECT_TRUE(files.status("/dev/zero").is_special);
  EXPECT_FALSE(files.status(directory.root()).is_special);
  EXPECT_FALSE(files.status(directory.path("missing")).exists);
}

TEST(Project, FilesThatAreNotRegularAreRefusedWithoutReadingThem) {
  const DiskDirectory directory;
  directory.file("compose.yaml", with_file_secret);
  directory.fifo("token.txt");
  directory.fifo("fifo.env");
  compose::LoadOptions options;
  options.working_directory = directory.root();
  options.files = {"/dev/zero"};
  auto loaded = compose::load_project(options, compose::DiskFileSystem{});
  EXPECT_TRUE(loaded.unreadable);
  EXPECT_THAT(headlines(loaded.diagnostics), ElementsAre("error: cannot read compose file /dev/zero: is not a regular file"));

  options.files = {"compose.yaml"};
  options.env_files = {"fifo.env"};
  loaded = compose::load_project(options, compose::DiskFileSystem{});
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("error: cannot read env file fifo.env: is not a regular file",
                          "compose.yaml:7:11: warning: secrets.token.file: secret file ./token.txt is not a regular file "
                          "(an error with --strict)"));
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
