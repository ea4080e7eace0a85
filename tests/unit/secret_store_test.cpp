#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "store/database.hpp"
#include "store/names.hpp"
#include "store/secret_store.hpp"
#include "temporary_directory.hpp"

namespace stackup::store {
namespace {

namespace fs = std::filesystem;

using testing::TemporaryDirectory;

StoreOptions options_for(const TemporaryDirectory& directory) {
  StoreOptions options;
  options.directory = directory.path() + "/store";
  return options;
}

base::SecretBytes bytes(std::string_view text) { return base::SecretBytes(text); }

TEST(SecretNames, FollowDockersRuleInEachPathSegment) {
  for (const char* name : {"db_password", "a", "team/app/db-password", "x.y-z_1", "A1"}) {
    EXPECT_TRUE(is_valid_secret_name(name)) << name;
  }
  const std::string too_long(65, 'a');
  for (const std::string& name : std::vector<std::string>{"", "-x", "x-", "a b", "team//x", "/x", "x/", "ü", too_long}) {
    EXPECT_FALSE(is_valid_secret_name(name)) << name;
  }
}

TEST(Database, TransactionsRollBackUnlessCommitted) {
  auto database = Database::open(":memory:", true);
  ASSERT_TRUE(database);
  database->execute("CREATE TABLE t (x INTEGER)");
  {
    Database::Transaction transaction(*database);
    database->execute("INSERT INTO t VALUES (1)");
  }
  {
    Database::Transaction transaction(*database);
    database->execute("INSERT INTO t VALUES (2)");
    transaction.commit();
  }
  auto rows = database->prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.text(0), "2");
}

TEST(SecretStore, CreateRevealRotateAndVersions) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_writing(options_for(directory));
  ASSERT_TRUE(store) << store.error().message;
  const auto created = store->create("db_password", bytes("v1"), {{"team", "data"}});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->id.size(), 25u);
  EXPECT_EQ(created->version, 1);
  ASSERT_TRUE(store->rotate("db_password", bytes("value two")));
  EXPECT_EQ(store->reveal("db_password")->view(), "value two");
  EXPECT_EQ(store->reveal("db_password", 1)->view(), "v1");
  EXPECT_EQ(store->reveal("db_password", 3).error().message,
            "secret 'db_password' has no version 3; it has versions 1 to 2");
  const auto info = store->inspect("db_password");
  EXPECT_EQ(info->version, 2);
  EXPECT_EQ(info->size, 9u);
  EXPECT_EQ(info->labels.at("team"), "data");
}

TEST(SecretStore, RefusesDuplicatesBadNamesAndSizes) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_writing(options_for(directory));
  ASSERT_TRUE(store->create("x", bytes("1"), {}));
  EXPECT_EQ(store->create("x", bytes("1"), {}).error().message, "secret x already exists");
  EXPECT_EQ(store->create("-x", bytes("1"), {}).error().message,
            "invalid secret name \"-x\": only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character "
            "must be [a-zA-Z0-9]; group names with '/' (team/app/db-password)");
  EXPECT_EQ(store->create("empty", bytes(""), {}).error().message,
            "secret data must be larger than 0 and less than 512000 bytes");
  EXPECT_FALSE(store->create("big", base::SecretBytes(std::string(512000, 'x')), {}));
  EXPECT_TRUE(store->create("largest", base::SecretBytes(std::string(511999, 'x')), {}));
  EXPECT_EQ(store->rotate("missing", bytes("1")).error().message, "secret not found: missing");
}

TEST(SecretStore, PutKeepsUnchangedValuesAndRotatesChangedOnes) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_writing(options_for(directory));
  EXPECT_EQ(store->put("s", bytes("a"), {})->second, PutOutcome::created);
  EXPECT_EQ(store->put("s", bytes("a"), {})->second, PutOutcome::unchanged);
  const auto rotated = store->put("s", bytes("b"), {});
  EXPECT_EQ(rotated->second, PutOutcome::rotated);
  EXPECT_EQ(rotated->first.version, 2);
}

// Deploys of a new stack, in several processes, each put the stack's secrets: neither may fail.
TEST(SecretStore, RacingPutsOfANewSecretAllSucceed) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory))->put("seed", bytes("x"), {}));
  for (int round = 0; round < 50; ++round) {
    const auto name = "s" + std::to_string(round);
    std::vector<base::Result<std::pair<SecretInfo, PutOutcome>>> outcomes(4, base::fail("not run"));
    std::vector<std::thread> writers;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      writers.emplace_back([&, i] {
        auto store = SecretStore::open_for_writing(options_for(directory));
        outcomes[i] = store->put(name, bytes("same"), {});
      });
    }
    for (auto& writer : writers) writer.join();
    std::multiset<PutOutcome> seen;
    for (const auto& outcome : outcomes) {
      ASSERT_TRUE(outcome) << outcome.error().message;
      seen.insert(outcome->second);
    }
    EXPECT_EQ(seen.count(PutOutcome::created), 1U);
  }
}

TEST(SecretStore, ListFiltersByLabel) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_writing(options_for(directory));
  store->create("a", bytes("1"), {{"team", "web"}});
  store->create("b", bytes("1"), {{"team", "data"}});
  store->create("c", bytes("1"), {});
  auto names = [&](std::vector<LabelFilter> filters) {
    std::vector<std::string> out;
    const auto listed = store->list(filters);
    for (const auto& info : *listed) out.push_back(info.name);
    return out;
  };
  EXPECT_THAT(names({}), ::testing::ElementsAre("a", "b", "c"));
  EXPECT_THAT(names({{"team", std::nullopt}}), ::testing::ElementsAre("a", "b"));
  EXPECT_THAT(names({{"team", "data"}}), ::testing::ElementsAre("b"));
}

TEST(SecretStore, RemoveIsRefusedWhileAStackUsesTheSecret) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_writing(options_for(directory));
  store->create("token", bytes("1"), {});
  ASSERT_TRUE(store->set_usages("shop", {{"token", {"shop", "web", 1}}, {"token", {"shop", "api", 1}}}));
  EXPECT_EQ(store->remove("token").error().message, "secret 'token' is in use by the following services: shop_api, shop_web");
  ASSERT_TRUE(store->set_usages("shop", {{"token", {"shop", "web", 1}}}));
  EXPECT_EQ(store->remove("token").error().message, "secret 'token' is in use by the following service: shop_web");
  ASSERT_TRUE(store->set_usages("shop", {}));
  EXPECT_TRUE(store->remove("token"));
  EXPECT_EQ(store->remove("token").error().message, "secret not found: token");
}

TEST(SecretStore, ReadingAMissingStoreCreatesNothing) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_reading(options_for(directory));
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->list()->empty());
  EXPECT_FALSE(fs::exists(directory.path() + "/store"));
}

TEST(SecretStore, FilesArePrivate) {
  TemporaryDirectory directory;
  auto store = SecretStore::open_for_writing(options_for(directory));
  store->create("x", bytes("1"), {});
  struct stat info {};
  ::stat((directory.path() + "/store").c_str(), &info);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  for (const char* file : {"/store/stackup.db", "/store/master.key"}) {
    ::stat((directory.path() + file).c_str(), &info);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
  }
}

TEST(SecretStore, AnOpenStoreDirectoryOrKeyFileIsRefused) {
  TemporaryDirectory directory;
  {
    auto store = SecretStore::open_for_writing(options_for(directory));
    store->create("x", bytes("1"), {});
  }
  const auto key = directory.path() + "/store/master.key";
  ::chmod(key.c_str(), 0644);
  auto store = SecretStore::open_for_reading(options_for(directory));
  EXPECT_EQ(store->reveal("x").error().message,
            "cannot unlock the secret store at " + directory.path() + "/store: permissions 0644 for " + key +
                " are too open: other users could read it; run: chmod 600 " + key);
  ::chmod(key.c_str(), 0600);
  ::chmod((directory.path() + "/store").c_str(), 0755);
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory)).error().message,
            "permissions 0755 for " + directory.path() + "/store are too open: other users could read it; run: chmod 700 " +
                directory.path() + "/store");
}

TEST(SecretStore, AWrongKeyCannotUnlock) {
  TemporaryDirectory directory;
  {
    auto store = SecretStore::open_for_writing(options_for(directory));
    store->create("x", bytes("1"), {});
  }
  {
    std::ofstream(directory.path() + "/other.key") << std::string(64, 'a') << "\n";
  }
  ::chmod((directory.path() + "/other.key").c_str(), 0600);
  auto options = options_for(directory);
  options.unlock.key_file = directory.path() + "/other.key";
  auto store = SecretStore::open_for_reading(options);
  EXPECT_EQ(store->reveal("x").error().message,
            "cannot unlock the secret store at " + directory.path() + "/store: wrong key or passphrase");
}

TEST(SecretStore, PassphraseModeAndRekeyWithoutReencrypting) {
  TemporaryDirectory directory;
  std::string passphrase = "first passphrase";
  auto options = options_for(directory);
  options.unlock.passphrase = [&](bool) -> base::Result<base::SecretBytes> { return base::SecretBytes(passphrase); };
  {
    auto store = SecretStore::open_for_writing(options);
    ASSERT_TRUE(store->initialize(UnlockMethod::passphrase));
    ASSERT_TRUE(store->create("x", bytes("kept"), {}));
    EXPECT_FALSE(fs::exists(directory.path() + "/store/master.key"));
    EXPECT_EQ(store->initialize(UnlockMethod::key_file).error().message,
              "the secret store at " + directory.path() +
                  "/store is already initialized; use `stackup store rekey` to change how it is unlocked");
  }
  passphrase = "wrong";
  EXPECT_EQ(SecretStore::open_for_reading(options)->reveal("x").error().message,
            "cannot unlock the secret store at " + directory.path() + "/store: wrong key or passphrase");
  passphrase = "first passphrase";
  {
    auto store = SecretStore::open_for_writing(options);
    // The rekey unlocks with the current passphrase, then asks for the new one.
    int asked = 0;
    auto rekey_options = options;
    rekey_options.unlock.passphrase = [&](bool) -> base::Result<base::SecretBytes> {
      return base::SecretBytes(++asked == 1 ? "first passphrase" : "second passphrase");
    };
    auto rekeyed_store = SecretStore::open_for_writing(rekey_options);
    ASSERT_TRUE(rekeyed_store->rekey({UnlockMethod::passphrase}));
  }
  passphrase = "second passphrase";
  EXPECT_EQ(SecretStore::open_for_reading(options)->reveal("x")->view(), "kept");
  {
    auto store = SecretStore::open_for_writing(options);
    ASSERT_TRUE(store->rekey({UnlockMethod::key_file}));
  }
  EXPECT_TRUE(fs::exists(directory.path() + "/store/master.key"));
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory))->reveal("x")->view(), "kept");
}

}  // namespace
}  // namespace stackup::store

namespace stackup::store {
namespace {

// Rollback is a new version with an old value, like git revert; history tells how each came to be.
TEST(SecretStore, RollbackAddsAVersionWithAnEarlierValueAndHistoryTellsHow) {
  testing::TemporaryDirectory directory;
  StoreOptions options;
  options.directory = directory.path() + "/store";
  auto store = SecretStore::open_for_writing(options);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->create("api", base::SecretBytes("one"), {}));
  EXPECT_EQ(store->rollback("api", std::nullopt).error().message,
            "secret api has only version 1: there is no earlier version to roll back to");
  ASSERT_TRUE(store->rotate("api", base::SecretBytes("two")));
  ASSERT_TRUE(store->put("api", base::SecretBytes("three"), {}));
  const auto rolled = store->rollback("api", std::nullopt);
  ASSERT_TRUE(rolled);
  EXPECT_EQ(rolled->version, 4);
  EXPECT_EQ(store->reveal("api")->view(), "two");
  ASSERT_TRUE(store->rollback("api", 1));
  EXPECT_EQ(store->reveal("api")->view(), "one");
  EXPECT_EQ(store->rollback("api", 5).error().message, "secret api is at version 5 already");
  EXPECT_EQ(store->rollback("api", 9).error().message, "secret 'api' has no version 9; it has versions 1 to 5");
  ASSERT_TRUE(store->set_usages("shop", {{"api", {"shop", "web", 5}}}));
  const auto history = store->history("api");
  ASSERT_TRUE(history);
  std::vector<std::string> origins;
  for (const auto& version : *history) origins.push_back(version.origin);
  EXPECT_THAT(origins, ::testing::ElementsAre("create", "rotate", "deploy", "rollback to version 2", "rollback to version 1"));
  EXPECT_TRUE((*history)[0].author.ends_with(fmt::format("(uid {})", ::geteuid())));
  EXPECT_TRUE((*history)[3].held_by.empty());
  ASSERT_EQ((*history)[4].held_by.size(), 1u);
  EXPECT_EQ((*history)[4].held_by[0].service, "web");
}

}  // namespace
}  // namespace stackup::store
