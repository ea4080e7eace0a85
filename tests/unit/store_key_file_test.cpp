// Key files (store/key_file.hpp), and how a store's first write creates, reuses or refuses one.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/database.hpp"
#include "store/key_file.hpp"
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

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

std::vector<std::string> entries(const std::string& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void sql(const std::string& store, const std::string& statement) {
  auto database = Database::open(store + "/stackup.db", false);
  ASSERT_TRUE(database) << database.error().message;
  database->execute(statement);
}

const std::string a_key = std::string(64, 'a') + "\n";

// --- key files ---------------------------------------------------------------------------------

TEST(KeyFile, CreatedKeysAreLinkedIntoPlaceAndNeverReplaceOne) {
  TemporaryDirectory directory;
  const auto path = directory.path() + "/master.key";
  const auto key = key_file::create(path);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(contents(path), crypto::to_hex(key->view()) + "\n");
  struct stat info {};
  ::stat(path.c_str(), &info);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // Until the commit, the temporary is a second name of the key: an interrupted first write.
  EXPECT_EQ(info.st_nlink, 2u);
  EXPECT_EQ(key_file::find(path), key_file::Found::interrupted);
  key_file::forget_temporaries(path);
  EXPECT_EQ(entries(directory.path()), std::vector<std::string>{"master.key"});
  EXPECT_EQ(key_file::find(path), key_file::Found::key);
  EXPECT_EQ(key_file::create(path).error().message,
            "cannot create the key file " + path + ": it already exists, and stackup never replaces a key file");
  EXPECT_EQ(contents(path), crypto::to_hex(key->view()) + "\n");
  EXPECT_EQ(entries(directory.path()), std::vector<std::string>{"master.key"});
}

TEST(KeyFile, FindTellsNothingEmptyAndKey) {
  TemporaryDirectory directory;
  const auto path = directory.path() + "/k";
  EXPECT_EQ(key_file::find(path), key_file::Found::nothing);
  write_file(path, "");
  EXPECT_EQ(key_file::find(path), key_file::Found::empty);
  write_file(path, a_key);
  EXPECT_EQ(key_file::find(path), key_file::Found::key);
  // A second name that is not one of its temporaries does not make it an interrupted write.
  ASSERT_EQ(::link(path.c_str(), (directory.path() + "/backup").c_str()), 0);
  EXPECT_EQ(key_file::find(path), key_file::Found::key);
}

TEST(KeyFile, ReadIsCheckedOnTheOpenedFileAndNeverFollowsALink) {
  TemporaryDirectory directory;
  const auto path = directory.path() + "/k";
  write_file(path, a_key);
  ASSERT_TRUE(key_file::read(path));
  EXPECT_EQ(crypto::to_hex(key_file::read(path)->view()), std::string(64, 'a'));
  const auto link = directory.path() + "/link";
  fs::create_symlink(path, link);
  EXPECT_EQ(key_file::read(link).error().message,
            "key file " + link +
                " is a symbolic link, which stackup does not follow; point STACKUP_KEY_FILE at the file itself");
  EXPECT_EQ(key_file::find(link).error().message, key_file::read(link).error().message);
  const auto fifo = directory.path() + "/fifo";
  ::mkfifo(fifo.c_str(), 0600);
  EXPECT_EQ(key_file::read(fifo).error().message, "key file " + fifo + " is not a regular file");
  EXPECT_EQ(key_file::read(directory.path()).error().message,
            "key file " + directory.path() + " is not a regular file");
  ::chmod(path.c_str(), 0640);
  EXPECT_EQ(key_file::read(path).error().message,
            "permissions 0640 for " + path + " are too open: other users could read it; run: chmod 600 " + path);
  for (const std::string& text : {std::string(63, 'a'), std::string(64, 'g'), a_key + "more", std::string()}) {
    write_file(path, text);
    EXPECT_EQ(key_file::read(path).error().message, "key file " + path + " does not hold a 256-bit key in hex") << text;
  }
  EXPECT_EQ(key_file::read(directory.path() + "/missing").error().message,
            "key file " + directory.path() + "/missing: No such file or directory; restore it from your backup or set "
            "STACKUP_KEY_FILE");
}

TEST(KeyFile, DestroyOverwritesTheLastNameBeforeRemovingIt) {
  TemporaryDirectory directory;
  const auto path = directory.path() + "/k";
  write_file(path, a_key);
  std::ifstream still_open(path);  // sees the file's bytes after its name is gone
  ASSERT_TRUE(key_file::destroy(path));
  EXPECT_FALSE(fs::exists(path));
  std::stringstream seen;
  seen << still_open.rdbuf();
  EXPECT_EQ(seen.str(), std::string(a_key.size(), '\0'));
  EXPECT_TRUE(key_file::destroy(path));  // nothing left to destroy
  // A backup made with ln keeps its bytes.
  write_file(path, a_key);
  ASSERT_EQ(::link(path.c_str(), (directory.path() + "/backup").c_str()), 0);
  ASSERT_TRUE(key_file::destroy(path));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(contents(directory.path() + "/backup"), a_key);
}

// --- a store's first write ---------------------------------------------------------------------

// An older stackup killed between creating master.key and writing it left 0 bytes, and a database
// that records nothing: every later write failed.
TEST(StoreFirstWrite, AKeyFileLeftEmptyBesideANewDatabaseIsReplaced) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory)));
  const auto key = directory.path() + "/store/master.key";
  write_file(key, "");
  auto store = SecretStore::open_for_writing(options_for(directory));
  const auto created = store->create("x", bytes("value"), {});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(contents(key).size(), 65u);
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory))->reveal("x")->view(), "value");
}

// Killed after its key file was linked into place, before the database commit: the key file still
// has its temporary's name, and the next write finishes the job with it.
TEST(StoreFirstWrite, AKeyFileLinkedBeforeAKilledCommitIsUsed) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory)));
  const auto key = directory.path() + "/store/master.key";
  ASSERT_TRUE(key_file::create(key));
  const auto written = contents(key);
  ASSERT_EQ(entries(directory.path() + "/store").size(), 3u);  // stackup.db, master.key, its temporary
  {
    auto store = SecretStore::open_for_writing(options_for(directory));
    const auto created = store->create("x", bytes("value"), {});
    ASSERT_TRUE(created) << created.error().message;
  }
  EXPECT_EQ(contents(key), written);
  EXPECT_EQ(entries(directory.path() + "/store"), (std::vector<std::string>{"master.key", "stackup.db"}));
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory))->reveal("x")->view(), "value");
}

// Killed before its temporary was linked: the temporary locks nothing and is removed.
TEST(StoreFirstWrite, ATemporaryLeftByAKilledRunIsRemoved) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory)));
  write_file(directory.path() + "/store/master.key.tmp-0123456789abcdef", "");
  write_file(directory.path() + "/store/master.key.tmp-fedcba9876543210", a_key);
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory))->create("x", bytes("value"), {}));
  EXPECT_EQ(entries(directory.path() + "/store"), (std::vector<std::string>{"master.key", "stackup.db"}));
  EXPECT_NE(contents(directory.path() + "/store/master.key"), a_key);
}

// A truncated database beside its key file: every secret is gone, and starting over hides it.
TEST(StoreFirstWrite, AnEmptiedDatabaseBesideItsKeyFileIsRefused) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory))->create("x", bytes("value"), {}));
  const auto store = directory.path() + "/store";
  const auto key = contents(store + "/master.key");
  std::ofstream(store + "/stackup.db", std::ios::trunc).close();
  const auto expected = "the secret store at " + store + " has a key file (" + store +
                        "/master.key) but an empty database (" + store +
                        "/stackup.db): its secrets are gone, and stackup will not start a new store over them; restore "
                        "stackup.db from your backup, or move " +
                        store + "/master.key away to start a new, empty store";
  EXPECT_EQ(SecretStore::open_for_writing(options_for(directory)).error().message, expected);
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory)).error().message, expected);
  EXPECT_EQ(contents(store + "/master.key"), key);
  EXPECT_EQ(fs::file_size(store + "/stackup.db"), 0u);
}

TEST(StoreFirstWrite, ADeletedDatabaseBesideItsOwnKeyFileIsRefused) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory))->create("x", bytes("value"), {}));
  const auto store = directory.path() + "/store";
  fs::remove(store + "/stackup.db");
  const auto expected = "the secret store at " + store + " has a key file (" + store +
                        "/master.key) but its database does not hold the master key that file unlocks: stackup.db was "
                        "deleted or replaced, and stackup will not start a new store over it; restore stackup.db from "
                        "your backup, set STACKUP_KEY_FILE=" +
                        store + "/master.key to start a new store locked by this key file, or move " + store +
                        "/master.key away to start a new, empty store";
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto opened = SecretStore::open_for_writing(options_for(directory));
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(opened->create("y", bytes("value"), {}).error().message, expected);
    EXPECT_EQ(opened->initialize(UnlockMethod::key_file).error().message, expected);
  }
}

TEST(StoreFirstWrite, ADatabaseWithSecretsButNoMasterKeyIsRefused) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory))->create("x", bytes("value"), {}));
  sql(directory.path() + "/store", "DELETE FROM meta");
  auto store = SecretStore::open_for_writing(options_for(directory));
  EXPECT_EQ(store->create("y", bytes("value"), {}).error().message,
            "the secret store at " + directory.path() +
                "/store holds secrets but no master key: its database was changed, and stackup will not start a new "
                "store over it; restore stackup.db from your backup");
}

// STACKUP_KEY_FILE naming a key provisioned ahead: a new store is locked with it.
TEST(StoreFirstWrite, AProvisionedKeyFileLocksANewStore) {
  TemporaryDirectory directory;
  const auto provisioned = directory.path() + "/provisioned.key";
  write_file(provisioned, a_key);
  auto options = options_for(directory);
  options.unlock.key_file = provisioned;
  ASSERT_TRUE(SecretStore::open_for_writing(options)->create("x", bytes("value"), {}));
  EXPECT_EQ(SecretStore::open_for_reading(options)->reveal("x")->view(), "value");
  EXPECT_EQ(contents(provisioned), a_key);
  EXPECT_EQ(entries(directory.path() + "/store"), std::vector<std::string>{"stackup.db"});
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory))->reveal("x").error().message,
            "cannot unlock the secret store at " + directory.path() + "/store: key file " + directory.path() +
                "/store/master.key: No such file or directory; restore it from your backup or set STACKUP_KEY_FILE");
}

TEST(StoreFirstWrite, AKeyFileBehindASymbolicLinkIsRefused) {
  TemporaryDirectory directory;
  ASSERT_TRUE(SecretStore::open_for_writing(options_for(directory))->create("x", bytes("value"), {}));
  const auto key = directory.path() + "/store/master.key";
  fs::rename(key, directory.path() + "/elsewhere.key");
  fs::create_symlink(directory.path() + "/elsewhere.key", key);
  EXPECT_EQ(SecretStore::open_for_reading(options_for(directory))->reveal("x").error().message,
            "cannot unlock the secret store at " + directory.path() + "/store: key file " + key +
                " is a symbolic link, which stackup does not follow; point STACKUP_KEY_FILE at the file itself");
}

}  // namespace
}  // namespace stackup::store
