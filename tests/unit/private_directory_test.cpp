// Where secrets go on the host is never steered by anyone else: links, foreign owners and open modes
// are refused at every level, and names from labels cannot leave the stack's directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/secret_bytes.hpp"
#include "deploy/private_directory.hpp"
#include "deploy/secret_files.hpp"
#include "deploy/parallel.hpp"

namespace stackup::deploy {
namespace {

namespace fs = std::filesystem;

class PrivateDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stackup-private-XXXXXX").string();
    top_ = ::mkdtemp(pattern.data());
  }
  void TearDown() override {
    ::chmod(top_.c_str(), 0700);
    fs::remove_all(top_);
  }
  std::string top_;
};

TEST_F(PrivateDirectoryTest, MakesAPrivateDirectoryAndOpensItAgain) {
  ASSERT_TRUE(make_private_directory(top_ + "/run"));
  EXPECT_EQ(fs::status(top_ + "/run").permissions(), fs::perms::owner_all);
  EXPECT_TRUE(open_private_directory(top_ + "/run"));
}

TEST_F(PrivateDirectoryTest, RefusesASymbolicLinkAtAnyLevel) {
  fs::create_directory(top_ + "/real");
  ::chmod((top_ + "/real").c_str(), 0700);
  fs::create_directory_symlink(top_ + "/real", top_ + "/link");
  EXPECT_EQ(make_private_directory(top_ + "/link").error().message,
            "refusing to use " + top_ + "/link for secrets: it is a symbolic link");
  EXPECT_EQ(make_private_directory(top_ + "/link/run").error().message,
            "refusing to use " + top_ + "/link for secrets: it is a symbolic link");
  EXPECT_FALSE(fs::exists(top_ + "/real/run"));
}

TEST_F(PrivateDirectoryTest, RefusesADirectoryOthersCanReadOrALevelOthersCanChange) {
  fs::create_directory(top_ + "/open");
  ::chmod((top_ + "/open").c_str(), 0755);
  EXPECT_EQ(open_private_directory(top_ + "/open").error().message,
            "refusing to use " + top_ + "/open for secrets: its mode is 0755, and it must be private to this user: run "
            "chmod 700 " + top_ + "/open");
  ::chmod(top_.c_str(), 0777);
  EXPECT_EQ(make_private_directory(top_ + "/run").error().message,
            "refusing to use " + top_ + " for secrets: other users can change it (mode 0777)");
  ::chmod(top_.c_str(), 01777);  // sticky, like /dev/shm: others cannot rename what is ours
  EXPECT_TRUE(make_private_directory(top_ + "/run"));
}

TEST_F(PrivateDirectoryTest, RefusesADirectoryAnotherUserMade) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  fs::create_directory(top_ + "/planted");
  ::chmod((top_ + "/planted").c_str(), 0700);
  ASSERT_EQ(::chown((top_ + "/planted").c_str(), 4242, 4242), 0);
  EXPECT_EQ(make_private_directory(top_ + "/planted").error().message,
            "refusing to use " + top_ + "/planted for secrets: it is owned by uid 4242, but stackup runs as root (uid 0); "
            "another user may have made it to read or swap secrets: remove it");
}

TEST(SecretsDirectoryName, IsTheContainersNameAndTwelveHexDigits) {
  const auto name = new_secrets_directory_name("shop-web-1");
  EXPECT_TRUE(is_secrets_directory_name(name, "shop-web-1"));
  EXPECT_FALSE(is_secrets_directory_name(name, "shop-db-1"));
  EXPECT_FALSE(is_secrets_directory_name("/etc", "shop-web-1"));
  EXPECT_FALSE(is_secrets_directory_name("shop-web-1-../../../et", "shop-web-1"));
  EXPECT_FALSE(is_secrets_directory_name("shop-web-1-0123456789aB", "shop-web-1"));
  EXPECT_TRUE(is_secrets_directory_name("shop-web-1-0123456789ab", "shop-web-1"));
}

TEST_F(PrivateDirectoryTest, SecretFilesNeverLeaveTheStacksDirectory) {
  TmpfsSecretFiles files(top_ + "/run");
  fs::create_directory(top_ + "/victim");
  std::ofstream(top_ + "/victim/keep") << "precious";
  EXPECT_EQ(files.destroy("shop", "../../victim").error().message,
            "refusing to use secrets directory \"../../victim\" of stack \"shop\": not a name stackup makes");
  EXPECT_EQ(files.destroy("../victim", "x").error().message,
            "refusing to use secrets directory \"x\" of stack \"../victim\": not a name stackup makes");
  // A link planted where a secrets directory would be is refused, and what it points to is kept.
  ASSERT_TRUE(make_private_directory(top_ + "/run"));
  fs::create_directory(top_ + "/run/shop");
  ::chmod((top_ + "/run/shop").c_str(), 0700);
  fs::create_directory_symlink(top_ + "/victim", top_ + "/run/shop/shop-web-1-0123456789ab");
  EXPECT_EQ(files.destroy("shop", "shop-web-1-0123456789ab").error().message,
            "refusing to use " + top_ + "/run/shop/shop-web-1-0123456789ab for secrets: it is a symbolic link");
  files.destroy_stack("shop", {});
  EXPECT_EQ(std::ifstream(top_ + "/victim/keep").rdbuf() != nullptr, true);
  std::string kept;
  std::getline(std::ifstream(top_ + "/victim/keep"), kept);
  EXPECT_EQ(kept, "precious");
}

TEST(SecretFiles, MaterializeWipeAndRemoveOnARealTmpfs) {
  // As root a tmpfs is mounted per directory; otherwise /dev/shm is the tmpfs the files go to.
  std::string pattern = "/dev/shm/stackup-unit-XXXXXX";
  const std::string top = ::mkdtemp(pattern.data());
  TmpfsSecretFiles files(top + "/run");
  const base::SecretBytes value("unit-canary");
  ASSERT_TRUE(files.materialize("shop", "shop-web-1-0123456789ab", {{"0-token", &value, ::geteuid(), ::getegid(), 0400}}));
  const auto path = files.host_path("shop", "shop-web-1-0123456789ab");
  std::string read;
  std::getline(std::ifstream(path + "/0-token"), read);
  EXPECT_EQ(read, "unit-canary");
  EXPECT_EQ(fs::status(path + "/0-token").permissions(), fs::perms::owner_read);
  ASSERT_TRUE(files.destroy("shop", "shop-web-1-0123456789ab"));
  EXPECT_FALSE(fs::exists(path));
  files.destroy_stack("shop", {});
  EXPECT_FALSE(fs::exists(top + "/run/shop"));
  fs::remove_all(top);
}

TEST(Parallel, AnExceptionOnAWorkerIsThatItemsFailure) {
  const std::vector<int> items{1, 2, 3};
  const auto result = parallel_for_each(items, 3, [](int item) -> base::Result<void> {
    if (item == 2) throw std::out_of_range("stoul");
    return {};
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "internal error: stoul");
}

}  // namespace
}  // namespace stackup::deploy
