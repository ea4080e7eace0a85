// Who may use a secret: Docker UCP's permission labels and DC/OS's path spaces, with exact messages.
#include <gtest/gtest.h>

#include "compose/access_rules.hpp"
#include "test_helpers.hpp"

namespace stackup::compose {
namespace {

TEST(PermissionLabels, TheSameLabelOrNoneAtAll) {
  EXPECT_FALSE(permission_violation("db", "/blog", "wp", "/blog"));
  EXPECT_FALSE(permission_violation("db", std::nullopt, "wp", std::nullopt));
  EXPECT_EQ(*permission_violation("web", std::nullopt, "wp", "/blog"),
            "service \"web\" may not use secret \"wp\": the secret has permission label "
            "com.docker.ucp.access.label=/blog, and the service has none; a service and a secret must have the same "
            "permission label (or each none): give the service the label com.docker.ucp.access.label=/blog (in "
            "labels: or deploy.labels:)");
  EXPECT_EQ(*permission_violation("web", "/shop", "wp", std::nullopt),
            "service \"web\" may not use secret \"wp\": the secret has no permission label, and the service has "
            "permission label com.docker.ucp.access.label=/shop; a service and a secret must have the same permission "
            "label (or each none): use a secret labelled com.docker.ucp.access.label=/shop, or remove the label from "
            "the service");
  EXPECT_TRUE(permission_violation("web", "/shop", "wp", "/blog"));
}

TEST(PermissionLabels, AServiceLabelComesFromLabelsElseDeployLabels) {
  Service service;
  EXPECT_FALSE(permission_of(service));
  service.deployment.labels[std::string(permission_label)] = "/b";
  EXPECT_EQ(permission_of(service), "/b");
  service.labels[std::string(permission_label)] = "/a";
  EXPECT_EQ(permission_of(service), "/a");
}

TEST(PathSpaces, ASecretIsUsableInItsSpaceAndBelow) {
  EXPECT_EQ(space_of_secret("developer/my-secret"), "developer");
  EXPECT_EQ(space_of_secret("a/b/c"), "a/b");
  EXPECT_EQ(space_of_secret("plain"), "");
  EXPECT_FALSE(space_violation("api", "plain", "shop", ""));
  EXPECT_FALSE(space_violation("api", "developer/my-secret", "shop", "developer"));
  EXPECT_FALSE(space_violation("api", "developer/my-secret", "shop", "developer/backend"));
  EXPECT_TRUE(space_violation("api", "developer/my-secret", "shop", "developers"));
  EXPECT_EQ(*space_violation("api", "developer/my-secret", "shop", ""),
            "service \"api\" may not use secret \"developer/my-secret\": the secret is in space \"developer\" and stack "
            "\"shop\" is in no space; a secret in a space is usable only by stacks in that space or below it: set "
            "x-stackup-space: developer at the top of the file (or --space developer)");
  EXPECT_EQ(*space_violation("api", "developer/my-secret", "ops", "operations"),
            "service \"api\" may not use secret \"developer/my-secret\": the secret is in space \"developer\" and stack "
            "\"ops\" is in space \"operations\"; a secret in a space is usable only by stacks in that space or below "
            "it: set x-stackup-space: developer at the top of the file (or --space developer)");
}

TEST(PathSpaces, ASpaceIsAPathOfNames) {
  EXPECT_TRUE(is_valid_space("developer"));
  EXPECT_TRUE(is_valid_space("developer/back-end.v2_x"));
  for (const char* bad : {"", "/developer", "developer/", "a//b", "a b", "a/../b", "./a"}) EXPECT_FALSE(is_valid_space(bad)) << bad;
}

// A secret named with a path is mounted under the path's last segment unless a target is given.
TEST(PathSpaces, APathSecretsDefaultTargetIsItsLastSegment) {
  const auto loaded = testing::load_text(R"(x-stackup-space: developer/team
services:
  app:
    image: app:1
    secrets: [dev, {source: other, target: custom}]
secrets:
  dev:
    name: developer/my-secret
    external: true
  other:
    name: developer/team/db
    external: true
)");
  ASSERT_TRUE(loaded.project) << ::testing::PrintToString(testing::headlines(loaded.diagnostics));
  EXPECT_EQ(loaded.project->services[0].secrets[0].mount_path(), "/run/secrets/my-secret");
  EXPECT_EQ(loaded.project->services[0].secrets[1].mount_path(), "/run/secrets/custom");
}

}  // namespace
}  // namespace stackup::compose
