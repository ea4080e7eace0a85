// extends: and include: through the whole loader, on files in memory: what a service inherits, where
// each file's relative paths count from, and the exact messages for cycles, missing names and conflicts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compose/emit.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string service_json(const compose::LoadedProject& loaded, std::string_view name) {
  const auto* services = loaded.document.find("services");
  const auto* service = services ? services->find(name) : nullptr;
  return service ? compose::to_json_value(*service).dump() : "(none)";
}

TEST(Extends, MergesTheBaseByTheRulesOfOverrideFilesAndDropsExtends) {
  const auto loaded = load_text(R"(services:
  base:
    image: busybox
    environment: {TZ: utc, PORT: "80"}
    expose: ["80"]
    command: [serve, --slow]
  web:
    extends: base
    environment: {PORT: "8080"}
    expose: ["8080"]
    command: [serve]
  again:
    extends: {service: web}
    environment: [DEBUG=1]
)");
  EXPECT_THAT(headlines(loaded.diagnostics), IsEmpty());
  EXPECT_EQ(service_json(loaded, "web"),
            R"({"command":["serve"],"environment":{"PORT":"8080","TZ":"utc"},"expose":["80","8080"],"image":"busybox"})");
  EXPECT_EQ(service_json(loaded, "again"),
            R"({"command":["serve"],"environment":{"DEBUG":"1","PORT":"8080","TZ":"utc"},"expose":["80","8080"],)"
            R"("image":"busybox"})");
}

TEST(Extends, ResetAndOverrideWorkInTheExtendingService) {
  MemoryProject project;
  project.file("compose.yaml", R"(services:
  a: {image: busybox}
  c: {image: busybox}
  web:
    extends: {file: base.yml, service: app}
    depends_on: !override [a]
    environment: !reset {}
)");
  project.file("base.yml", "services:\n  app:\n    image: busybox\n    depends_on: [c]\n    environment: {A: \"1\"}\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics), IsEmpty());
  EXPECT_EQ(service_json(loaded, "web"), R"({"depends_on":["a"],"image":"busybox"})");
}

TEST(Extends, AnotherFileKeepsItsPathsRelativeToItsOwnDirectory) {
  MemoryProject project;
  project.file("compose.yaml", R"(services:
  web:
    extends: {file: lib/common.yml, service: app}
    secrets: [token]
secrets:
  token: {file: ./token.txt}
)");
  project.file("lib/common.yml", R"(services:
  app:
    extends: {file: ../base/root.yml, service: root}
    env_file: app.env
    build: .
    volumes: ["./data:/data"]
)");
  project.file("base/root.yml", "services:\n  root:\n    image: busybox\n    build: {context: ./src}\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:6:17: warning: secrets.token.file: secret file ./token.txt does not exist (an "
                          "error with --strict)",
                          "lib/common.yml:4:15: warning: services.web.env_file: env file ./lib/app.env does not exist "
                          "(an error with --strict)"));
  EXPECT_EQ(service_json(loaded, "web"),
            R"({"build":"/project/lib","env_file":"/project/lib/app.env","image":"busybox",)"
            R"("secrets":[{"gid":"0","mode":292,"source":"token","target":"token","uid":"0"}],)"
            R"("volumes":["/project/lib/data:/data"]})");
}

TEST(Extends, ACycleIsRefusedByName) {
  const auto loaded = load_text(R"(services:
  a:
    extends: b
    image: busybox
  b:
    extends: {service: a}
)");
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:3:14: error: services.a.extends: services extend each other in a cycle: a extends "
                          "b extends a; break it by moving what they share into a service that extends nothing"));
}

TEST(Extends, ACycleThroughAnotherFileNamesTheFiles) {
  MemoryProject project;
  project.file("compose.yaml", "services:\n  web:\n    extends: {file: other.yml, service: app}\n");
  project.file("other.yml", "services:\n  app:\n    extends: {file: other.yml, service: web}\n  web:\n    extends: app\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("other.yml:3:14: error: services.app.extends: services extend each other in a cycle: app "
                          "extends web extends app; break it by moving what they share into a service that extends "
                          "nothing"));
}

TEST(Extends, AMissingServiceOrFileIsAnErrorAtExtends) {
  MemoryProject project;
  project.file("compose.yaml", R"(services:
  base: {image: busybox}
  web:
    extends: bsae
  api:
    extends: {file: common.yml, service: ap}
  worker:
    extends: {file: missing.yml, service: worker}
)");
  project.file("common.yml", "services:\n  app: {image: busybox}\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre(                          "compose.yaml:4:14: error: services.web.extends: extends service \"bsae\", which is not "
                          "defined in this file; did you mean \"base\"?",
                          "compose.yaml:6:14: error: services.api.extends: extends service \"ap\", which is not defined "
                          "in common.yml; did you mean \"app\"?",
                          "compose.yaml:8:21: error: cannot read the extended file missing.yml: No such file or directory"));
}

TEST(Include, AnIncludedApplicationBringsItsResourcesWithItsOwnPaths) {
  MemoryProject project;
  project.file("compose.yaml", R"(include:
  - db/compose.yaml
services:
  web:
    image: busybox
    depends_on: [db]
    secrets: [db_password]
)");
  project.file("db/compose.yaml", R"(name: ignored
services:
  db:
    image: ${DB_IMAGE:-postgres}
    secrets: [db_password]
    env_file: db.env
secrets:
  db_password: {file: ./password.txt}
volumes:
  data: {}
)");
  project.file("db/.env", "DB_IMAGE=busybox\n");
  project.file("db/password.txt", "x");
  project.file("db/db.env", "A=1\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics), IsEmpty());
  ASSERT_TRUE(loaded.project);
  EXPECT_EQ(loaded.project->name, "project");
  EXPECT_EQ(loaded.project->secrets.at("db_password").file, "/project/db/password.txt");
  EXPECT_EQ(service_json(loaded, "db"),
            R"({"env_file":"/project/db/db.env","image":"busybox",)"
            R"("secrets":[{"gid":"0","mode":292,"source":"db_password","target":"db_password","uid":"0"}]})");
  EXPECT_EQ(loaded.document.find("include"), nullptr);
  EXPECT_NE(loaded.document.find("volumes"), nullptr);
}

TEST(Include, TheLongFormTakesAProjectDirectoryAndEnvFilesUnderTheIncludingVariables) {
  MemoryProject project;
  project.options.environment.set("TAG", "from-the-shell");
  project.file("compose.yaml", R"(include:
  - path: [modules/app.yaml, modules/app.override.yaml]
    project_directory: modules/root
    env_file: [custom.env]
services: {}
)");
  project.file("custom.env", "TAG=from-the-file\nNAME=app\n");
  project.file("modules/app.yaml", "services:\n  app:\n    image: busybox:${TAG}\n    hostname: ${NAME}\n    env_file: [a.env]\n");
  project.file("modules/app.override.yaml", "services:\n  app:\n    command: [run]\n");
  const auto loaded = project.load();
  EXPECT_EQ(service_json(loaded, "app"),
            R"({"command":["run"],"env_file":["/project/modules/root/a.env"],"hostname":"app",)"
            R"("image":"busybox:from-the-shell"})");
}

TEST(Include, ADifferentDefinitionOfAnIncludedNameIsAWarningAndTheIncludingOneIsKept) {
  MemoryProject project;
  project.file("compose.yaml", R"(include: [lib.yaml, lib.yaml]
services:
  db:
    image: busybox:local
  cache:
    image: redis
)");
  project.file("lib.yaml", "services:\n  db:\n    image: busybox:lib\n  cache:\n    image: redis\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:3:3: warning: services.db: also defined, differently, by the included lib.yaml; "
                          "this definition is kept and the included one ignored: rename one of them"));
  EXPECT_EQ(service_json(loaded, "db"), R"({"image":"busybox:local"})");
}

TEST(Include, ACycleAndAMissingFileAreErrorsAtTheEntry) {
  MemoryProject project;
  project.file("compose.yaml", "include: [a.yaml, missing.yaml]\nservices: {}\n");
  project.file("a.yaml", "include: [sub/b.yaml]\nservices: {}\n");
  project.file("sub/b.yaml", "include: [../compose.yaml]\nservices: {}\n");
  const auto loaded = project.load();
  EXPECT_THAT(headlines(loaded.diagnostics),
              ElementsAre("compose.yaml:1:19: error: include: cannot read the included file missing.yaml: No such file "
                          "or directory",
                          "sub/b.yaml:1:11: error: include: files include each other in a cycle: compose.yaml includes "
                          "a.yaml includes sub/b.yaml includes compose.yaml"));
}

}  // namespace
}  // namespace stackup::testing
