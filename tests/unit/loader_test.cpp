#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
  EXPECT_EQ(secrets[1].uid, "101");
  EXPECT_EQ(secrets[1].mode, 0400u);
  EXPECT_EQ(project.secrets.at("site_key").file, "/project/site.key");
  EXPECT_EQ(project.secrets.at("site_key").object_name(project.name), "project_site_key");
}

}  // namespace
}  // namespace stackup::testing
