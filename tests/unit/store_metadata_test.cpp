// Metadata MACs (store/metadata.hpp): edits to a secret's rows that leave every ciphertext intact.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/database.hpp"
#include "store/key_file.hpp"
#include "store/secret_store.hpp"
#include "temporary_directory.hpp"

namespace stackup::store {
namespace {

namespace fs = std::filesystem;

using testing::TemporaryDirectory;

base::SecretBytes bytes(std::string_view text) { return base::SecretBytes(text); }

class StoreMetadata : public ::testing::Test {
 protected:
  StoreOptions options() const {
    StoreOptions options;
    options.directory = directory_.path() + "/store";
    return options;
  }
  SecretStore writer() const { return std::move(*SecretStore::open_for_writing(options())); }
  SecretStore reader() const { return std::move(*SecretStore::open_for_reading(options())); }
  void sql(const std::string& statement) const {
    auto database = Database::open(options().directory + "/stackup.db", false);
    ASSERT_TRUE(database) << database.error().message;
    database->execute(statement);
  }
  std::string meta(const std::string& key) const {
    auto database = Database::open(options().directory + "/stackup.db", false);
    auto row = database->prepare("SELECT value FROM meta WHERE key = ?");
    row.bind(1, key);
    return row.step() ? row.text(0) : "";
  }
  // x at version 3 ("one", "two", "three"), y at version 1.
  void make_secrets() const {
    auto store = writer();
    ASSERT_TRUE(store.create("x", bytes("one"), {{"team", "web"}}));
    ASSERT_TRUE(store.rotate("x", bytes("two")));
    ASSERT_TRUE(store.rotate("x", bytes("three")));
    ASSERT_TRUE(store.create("y", bytes("why"), {}));
  }

  TemporaryDirectory directory_;
};

TEST_F(StoreMetadata, PointingASecretBackAtAnOlderVersionIsDetected) {
  make_secrets();
  sql("UPDATE secrets SET current_version = 2 WHERE name = 'x'");
  const std::string failed = "integrity check failed for secret 'x' (version 2)";
  EXPECT_EQ(reader().reveal("x").error().message, failed);
  EXPECT_EQ(writer().rotate("x", bytes("four")).error().message, failed);
  EXPECT_EQ(writer().put("x", bytes("two"), {{"team", "web"}}).error().message, failed);
  EXPECT_EQ(writer().put("x", bytes("five"), {{"team", "web"}}).error().message, failed);
  EXPECT_EQ(reader().reveal("y")->view(), "why");
}

TEST_F(StoreMetadata, DeletingOrMovingAVersionRowIsDetected) {
  make_secrets();
  sql("DELETE FROM versions WHERE version = 1 AND secret_id = (SELECT id FROM secrets WHERE name = 'x')");
  EXPECT_EQ(reader().reveal("x").error().message, "integrity check failed for secret 'x' (version 3)");
  EXPECT_EQ(reader().reveal("x", 2).error().message, "integrity check failed for secret 'x' (version 2)");
  sql("UPDATE versions SET secret_id = (SELECT id FROM secrets WHERE name = 'y') "
      "WHERE version = 2 AND secret_id = (SELECT id FROM secrets WHERE name = 'x')");
  EXPECT_EQ(reader().reveal("y").error().message, "integrity check failed for secret 'y' (version 1)");
}

TEST_F(StoreMetadata, ChangedLabelsAreDetected) {
  make_secrets();
  sql(R"(UPDATE secrets SET labels = '{"team":"data"}' WHERE name = 'x')");
  EXPECT_EQ(reader().reveal("x").error().message, "integrity check failed for secret 'x' (version 3)");
}

// A ciphertext from an earlier secret of the same name and version opens under the same associated
// data; the value MAC beside it, which the metadata MAC covers, tells it apart.
TEST_F(StoreMetadata, AValueFromAnEarlierSecretOfTheSameNameIsDetected) {
  {
    auto store = writer();
    ASSERT_TRUE(store.create("x", bytes("old value"), {}));
  }
  sql("CREATE TABLE kept AS SELECT sealed FROM versions");
  {
    auto store = writer();
    ASSERT_TRUE(store.remove("x"));
    ASSERT_TRUE(store.create("x", bytes("new value"), {}));
  }
  sql("UPDATE versions SET sealed = (SELECT sealed FROM kept)");
  EXPECT_EQ(reader().reveal("x").error().message, "integrity check failed for secret 'x' (version 1)");
}

// inspect and ls need no key; once a SecretStore is unlocked they check too.
TEST_F(StoreMetadata, InspectAndListCheckOnceUnlocked) {
  make_secrets();
  sql("UPDATE secrets SET current_version = 2 WHERE name = 'x'");
  auto store = reader();
  EXPECT_EQ(store.inspect("x")->version, 2);
  EXPECT_EQ(store.list()->size(), 2u);
  ASSERT_TRUE(store.reveal("y"));
  EXPECT_EQ(store.inspect("x").error().message, "integrity check failed for secret 'x' (version 2)");
  EXPECT_EQ(store.list().error().message, "integrity check failed for secret 'x' (version 2)");
  EXPECT_EQ(store.list({{"team", std::nullopt}}).error().message, "integrity check failed for secret 'x' (version 2)");
  EXPECT_TRUE(store.inspect("y"));
}

// A store from before metadata MACs: no meta_mac column, and the master key wrapped as "v1".
TEST_F(StoreMetadata, AStoreFromBeforeThemGetsThemOnItsFirstWrite) {
  make_secrets();
  {
    auto database = Database::open(options().directory + "/stackup.db", false);
    const auto kek = key_file::read(options().directory + "/master.key");
    const auto wrapped = crypto::from_hex(meta("wrapped_master_key"));
    const auto master = crypto::open(*kek, *wrapped, "stackup/v2/master-key/" + meta("store_id"));
    ASSERT_TRUE(master);
    const auto former =
        crypto::seal(*kek, {master->bytes(), master->size()}, "stackup/v1/master-key/" + meta("store_id"));
    database->prepare("UPDATE meta SET value = ? WHERE key = 'wrapped_master_key'")
        .bind(1, crypto::to_hex(former))
        .run();
    database->execute("ALTER TABLE secrets DROP COLUMN meta_mac");
  }
  // Before the first write, rows without a MAC are read as they are.
  EXPECT_EQ(reader().reveal("x")->view(), "three");
  sql("UPDATE secrets SET current_version = 2 WHERE name = 'x'");
  EXPECT_EQ(reader().reveal("x")->view(), "two");
  sql("UPDATE secrets SET current_version = 3 WHERE name = 'x'");
  ASSERT_TRUE(writer().create("z", bytes("zed"), {}));
  auto database = Database::open(options().directory + "/stackup.db", false);
  auto without = database->prepare("SELECT count(*) FROM secrets WHERE meta_mac IS NULL");
  ASSERT_TRUE(without.step());
  EXPECT_EQ(without.integer(0), 0);
  EXPECT_EQ(reader().reveal("x")->view(), "three");
  // From then on a row without a MAC is a tampered one, and the wrapping cannot be turned back.
  sql("UPDATE secrets SET current_version = 2, meta_mac = NULL WHERE name = 'x'");
  EXPECT_EQ(reader().reveal("x").error().message, "integrity check failed for secret 'x' (version 2)");
}

}  // namespace
}  // namespace stackup::store
