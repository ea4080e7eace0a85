// Passphrases: refused when empty, scrypt's cost kept with each store, damaged parameters named.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/database.hpp"
#include "store/secret_store.hpp"
#include "temporary_directory.hpp"

namespace stackup::store {
namespace {

namespace fs = std::filesystem;

using testing::TemporaryDirectory;

class Keyring : public ::testing::Test {
 protected:
  StoreOptions options(std::string passphrase = "correct horse") const {
    StoreOptions options;
    options.directory = directory_.path() + "/store";
    options.unlock.passphrase = [passphrase](bool) -> base::Result<base::SecretBytes> {
      return base::SecretBytes(passphrase);
    };
    return options;
  }
  std::string meta(const std::string& key) const {
    auto database = Database::open(directory_.path() + "/store/stackup.db", false);
    auto row = database->prepare("SELECT value FROM meta WHERE key = ?");
    row.bind(1, key);
    return row.step() ? row.text(0) : "";
  }
  void set_meta(const std::string& key, const std::string& value) const {
    auto database = Database::open(directory_.path() + "/store/stackup.db", false);
    database->prepare("UPDATE meta SET value = ? WHERE key = ?").bind(1, value).bind(2, key).run();
  }
  std::string locked(const std::string& reason) const {
    return "cannot unlock the secret store at " + directory_.path() + "/store: " + reason;
  }
  std::string reveal(const StoreOptions& with) const {
    auto value = SecretStore::open_for_reading(with)->reveal("x");
    return value ? std::string(value->view()) : value.error().message;
  }

  TemporaryDirectory directory_;
};

TEST_F(Keyring, AnEmptyPassphraseIsRefused) {
  auto store = SecretStore::open_for_writing(options(""));
  EXPECT_EQ(store->initialize(UnlockMethod::passphrase).error().message, locked("an empty passphrase is not allowed"));
  EXPECT_EQ(meta("wrapped_master_key"), "");
}

TEST_F(Keyring, NewPassphraseWrappingsCostTwoToTheSeventeen) {
  auto store = SecretStore::open_for_writing(options());
  ASSERT_TRUE(store->initialize(UnlockMethod::passphrase));
  EXPECT_EQ(meta("scrypt_n"), "131072");
  EXPECT_EQ(meta("scrypt_r"), "8");
  EXPECT_EQ(meta("scrypt_p"), "1");
}

TEST_F(Keyring, AStoreWrappedAtTheFormerCostStillOpens) {
  auto former = options();
  former.unlock.scrypt_cost = crypto::former_scrypt_cost;
  {
    auto store = SecretStore::open_for_writing(former);
    ASSERT_TRUE(store->initialize(UnlockMethod::passphrase));
    ASSERT_TRUE(store->create("x", base::SecretBytes("kept"), {}));
  }
  EXPECT_EQ(meta("scrypt_n"), "32768");
  EXPECT_EQ(reveal(options()), "kept");
}

TEST_F(Keyring, ADamagedScryptParameterIsNamed) {
  auto former = options();
  former.unlock.scrypt_cost = crypto::former_scrypt_cost;
  {
    auto store = SecretStore::open_for_writing(former);
    ASSERT_TRUE(store->initialize(UnlockMethod::passphrase));
    ASSERT_TRUE(store->create("x", base::SecretBytes("kept"), {}));
  }
  const std::vector<std::tuple<std::string, std::string, std::string>> damages{
      {"scrypt_n", "banana", "N"}, {"scrypt_n", "1000", "N"}, {"scrypt_n", "", "N"},
      {"scrypt_n", "32768 ", "N"}, {"scrypt_r", "0", "r"},    {"scrypt_p", "-1", "p"},
  };
  for (const auto& [key, value, name] : damages) {
    const auto kept = meta(key);
    set_meta(key, value);
    EXPECT_EQ(reveal(options()), locked("its scrypt parameter " + name + " is damaged")) << key << "=" << value;
    set_meta(key, kept);
  }
  set_meta("scrypt_n", "1073741824");
  EXPECT_EQ(reveal(options()),
            locked("its scrypt parameters (N=1073741824, r=8, p=1) are damaged: scrypt refuses them"));
  set_meta("scrypt_n", "32768");
  set_meta("scrypt_salt", "xyz");
  EXPECT_EQ(reveal(options()), locked("its scrypt salt is damaged"));
}

}  // namespace
}  // namespace stackup::store
