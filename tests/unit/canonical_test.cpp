#include <gtest/gtest.h>

#include "compose/canonical.hpp"
#include "compose/emit.hpp"
#include "test_helpers.hpp"

namespace stackup::testing {
namespace {

TEST(Canonical, ShortSyntaxBecomesLongSyntaxWithDefaults) {
  const auto loaded = load_text("services:\n  web:\n    image: nginx\n    secrets: [token]\nsecrets:\n  token: {external: true}\n");
  const auto secret = compose::to_json_value(loaded.document)["services"]["web"]["secrets"][0];
  EXPECT_EQ(secret, (nlohmann::json{{"source", "token"}, {"target", "token"}, {"uid", "0"}, {"gid", "0"}, {"mode", 0444}}));
}

TEST(Canonical, RelativePathsResolveAgainstTheProjectDirectoryAndTildeAgainstHome) {
  const compose::PathContext paths{"/srv/app", "/home/me"};
  EXPECT_EQ(paths.absolute("./secrets/db.txt"), "/srv/app/secrets/db.txt");
  EXPECT_EQ(paths.absolute("secrets/../db.txt"), "/srv/app/db.txt");
  EXPECT_EQ(paths.absolute("~/db.txt"), "/home/me/db.txt");
  EXPECT_EQ(paths.absolute("/etc/db.txt"), "/etc/db.txt");
}

TEST(Canonical, RelativeFilesOfALaterFileResolveAgainstTheFirstFilesDirectory) {
  MemoryProject project;
  project.file("deploy/compose.yaml", "services:\n  web: {image: nginx, secrets: [a]}\n");
  project.file("deploy/extra/secrets.yaml", "secrets:\n  a: {file: ./a.txt}\n");
  project.options.files = {"deploy/compose.yaml", "deploy/extra/secrets.yaml"};
  const auto loaded = project.load();
  ASSERT_TRUE(loaded.project);
  EXPECT_EQ(loaded.project->secrets.at("a").file, "/project/deploy/a.txt");
  EXPECT_EQ(loaded.project->name, "deploy");
}

TEST(Canonical, EnvironmentListsBecomeMappingsAndBindSourcesAbsolute) {
  const auto loaded = load_text(
      "services:\n  web:\n    image: nginx\n    environment: [A=1, B]\n    volumes: ['./html:/usr/share/nginx/html:ro']\n");
  const auto web = compose::to_json_value(loaded.document)["services"]["web"];
  EXPECT_EQ(web["environment"], (nlohmann::json{{"A", "1"}, {"B", nullptr}}));
  EXPECT_EQ(web["volumes"][0], "/project/html:/usr/share/nginx/html:ro");
}

}  // namespace
}  // namespace stackup::testing
