// `stackup store rekey`: a new key file or passphrase, and a new master key that re-seals everything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/database.hpp"
#include "store/secret_store.hpp"
#include "temporary_directory.hpp"

namespace stackup::store {
namespace {

namespace fs = std::filesystem;

using testing::TemporaryDirectory;

base::SecretBytes bytes(std::string_view text) { return base::SecretBytes(text); }

std::string read_all(std::ifstream& in) {
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  return read_all(in);
}

class StoreRekey : public ::testing::Test {
 protected:
  StoreOptions options() {
    StoreOptions options;
    options.directory = store_;
    options.unlock.notice = [this](const std::string& notice) { notices_.push_back(notice); };
    options.unlock.scrypt_cost = crypto::former_scrypt_cost;  // quicker; the cost is not what is tested here
    options.unlock.passphrase = [](bool) -> base::Result<base::SecretBytes> { return base::SecretBytes("pass"); };
    return options;
  }
  SecretStore writer() { return std::move(*SecretStore::open_for_writing(options())); }
  std::string reveal(const std::string& name, StoreOptions with) {
    auto value = SecretStore::open_for_reading(std::move(with))->reveal(name);
    return value ? std::string(value->view()) : value.error().message;
  }
  void make_secrets() {
    auto store = writer();
    ASSERT_TRUE(store.create("x", bytes("one"), {}));
    ASSERT_TRUE(store.rotate("x", bytes("two")));
    ASSERT_TRUE(store.create("y", bytes("why"), {}));
  }
  // What someone holding the old key file and an old copy of the database can read of the store as
  // it is now: today's rows under the old copy's wrapped master key.
  std::string reveal_with_old_copies(const std::string& name) {
    const auto hybrid = directory_.path() + "/hybrid";
    fs::create_directory(hybrid);
    ::chmod(hybrid.c_str(), 0700);
    fs::copy_file(store_ + "/stackup.db", hybrid + "/stackup.db", fs::copy_options::overwrite_existing);
    {
      auto database = Database::open(hybrid + "/stackup.db", false);
      database->execute("ATTACH '" + directory_.path() + "/old.db' AS old");
      database->execute("DELETE FROM meta; INSERT INTO meta SELECT * FROM old.meta");
    }
    auto with = options();
    with.directory = hybrid;
    with.unlock.key_file = directory_.path() + "/old.key";
    return reveal(name, with);
  }
  void keep_old_copies() {
    fs::copy_file(store_ + "/stackup.db", directory_.path() + "/old.db");
    fs::copy_file(store_ + "/master.key", directory_.path() + "/old.key");
  }

  TemporaryDirectory directory_;
  std::string store_ = directory_.path() + "/store";
  std::vector<std::string> notices_;
};

TEST_F(StoreRekey, ANewMasterKeyLocksOutTheOldKeyAndAnOldDatabaseCopy) {
  make_secrets();
  keep_old_copies();
  const auto resealed = writer().rekey({std::nullopt, true});
  ASSERT_TRUE(resealed) << resealed.error().message;
  EXPECT_EQ(*resealed, 3u);
  ASSERT_TRUE(writer().create("after", bytes("new"), {}));
  EXPECT_EQ(reveal("x", options()), "two");
  EXPECT_EQ(reveal("y", options()), "why");
  EXPECT_EQ(reveal("after", options()), "new");
  // The audit log moved to the new key with the secrets: it still verifies, and says what happened.
  auto store = writer();
  EXPECT_TRUE(store.verify_audit_log()->empty());
  std::vector<std::string> actions;
  const auto log = store.audit_log();
  ASSERT_TRUE(log);
  for (const auto& entry : *log) actions.push_back(entry.action + " " + entry.secret);
  EXPECT_THAT(actions, ::testing::ElementsAre("init ", "create x", "rotate x", "create y", "rekey ", "create after"));
  auto old_version = SecretStore::open_for_reading(options())->reveal("x", 1);
  EXPECT_EQ(old_version->view(), "one");
  EXPECT_EQ(reveal_with_old_copies("after"), "integrity check failed for secret 'after' (version 1)");
  EXPECT_EQ(reveal_with_old_copies("x"), "integrity check failed for secret 'x' (version 2)");
  auto rewrapped = Database::open(store_ + "/stackup.db", false);
  auto old = Database::open(directory_.path() + "/old.db", false);
  auto wrapped = [](Database& database) {
    auto row = database.prepare("SELECT value FROM meta WHERE key = 'wrapped_master_key'");
    row.step();
    return row.text(0);
  };
  EXPECT_NE(wrapped(*rewrapped), wrapped(*old));
}

// Why --new-master-key exists: a new key file alone leaves the master key as it was.
TEST_F(StoreRekey, ANewKeyFileAloneDoesNotLockOutAnOldDatabaseCopy) {
  make_secrets();
  keep_old_copies();
  ASSERT_TRUE(writer().rekey({UnlockMethod::key_file}));
  ASSERT_TRUE(writer().create("after", bytes("new"), {}));
  EXPECT_EQ(reveal_with_old_copies("after"), "new");
}

TEST_F(StoreRekey, ANewKeyFileOverwritesTheOldOneAfterTheCommit) {
  make_secrets();
  const auto key = store_ + "/master.key";
  const auto old_key = contents(key);
  std::ifstream old_file(key);  // sees the old file's bytes after its name is gone
  ASSERT_TRUE(writer().rekey({UnlockMethod::key_file, true}));
  EXPECT_EQ(read_all(old_file), std::string(old_key.size(), '\0'));
  EXPECT_NE(contents(key), old_key);
  EXPECT_EQ(notices_.back(), "wrote a new key to " + key + "; back it up: the old key no longer unlocks the store");
  EXPECT_EQ(reveal("x", options()), "two");
  EXPECT_FALSE(fs::exists(key + ".new"));
}

TEST_F(StoreRekey, FromAKeyFileToAPassphraseTheKeyFileIsOverwrittenAndRemoved) {
  make_secrets();
  const auto key = store_ + "/master.key";
  std::ifstream old_file(key);  // sees the old file's bytes after its name is gone
  ASSERT_TRUE(writer().rekey({UnlockMethod::passphrase, true}));
  EXPECT_FALSE(fs::exists(key));
  EXPECT_EQ(read_all(old_file), std::string(65, '\0'));
  EXPECT_EQ(notices_.back(),
            "overwrote and removed the key file " + key + ": the store is now unlocked with a passphrase");
  EXPECT_EQ(reveal("x", options()), "two");
  EXPECT_EQ(reveal("y", options()), "why");
}

TEST_F(StoreRekey, ANewMasterKeyKeepsAPassphrase) {
  {
    auto store = writer();
    ASSERT_TRUE(store.initialize(UnlockMethod::passphrase));
    ASSERT_TRUE(store.create("x", bytes("one"), {}));
  }
  EXPECT_EQ(*writer().rekey({std::nullopt, true}), 1u);
  EXPECT_EQ(reveal("x", options()), "one");
  EXPECT_FALSE(fs::exists(store_ + "/master.key"));
}

// A tampered secret cannot be re-sealed: the rekey stops and changes nothing.
TEST_F(StoreRekey, ATamperedSecretStopsIt) {
  make_secrets();
  const auto key = contents(store_ + "/master.key");
  Database::open(store_ + "/stackup.db", false)->execute("UPDATE secrets SET current_version = 1 WHERE name = 'x'");
  EXPECT_EQ(writer().rekey({UnlockMethod::key_file, true}).error().message,
            "integrity check failed for secret 'x' (version 1)");
  EXPECT_EQ(contents(store_ + "/master.key"), key);
  EXPECT_FALSE(fs::exists(store_ + "/master.key.new"));
  EXPECT_EQ(reveal("y", options()), "why");
}

// Stopped between its commit and putting the new key file in place (and after overwriting the old
// one): the next unlock finishes it.
TEST_F(StoreRekey, OneStoppedAfterItsCommitIsFinishedByTheNextUnlock) {
  make_secrets();
  const auto key = store_ + "/master.key";
  ASSERT_TRUE(writer().rekey({UnlockMethod::key_file}));
  fs::rename(key, key + ".new");
  {
    std::ofstream(key) << std::string(65, '\0');
  }
  ::chmod(key.c_str(), 0600);
  EXPECT_EQ(reveal("x", options()), "two");
  EXPECT_FALSE(fs::exists(key + ".new"));
  EXPECT_EQ(contents(key).size(), 65u);
}

}  // namespace
}  // namespace stackup::store
