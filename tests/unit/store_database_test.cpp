// The store's database under concurrency: several stackup processes writing a brand-new store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/database.hpp"
#include "store/secret_store.hpp"
#include "temporary_directory.hpp"

namespace stackup::store {
namespace {

namespace fs = std::filesystem;

using testing::TemporaryDirectory;

// Turning a database to WAL upgrades a read lock to a write lock, for which SQLite never calls the
// busy handler: this failed at once with "database is locked", busy timeout or not.
TEST(StoreDatabase, TurningANewDatabaseToWalWaitsForAnotherWriter) {
  TemporaryDirectory directory;
  const auto path = directory.path() + "/new.db";
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  sqlite3_busy_timeout(other, 30000);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE; CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  auto database = Database::open(path, true);
  committer.join();
  sqlite3_close(other);
  ASSERT_TRUE(database) << database.error().message;
  auto mode = database->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  EXPECT_TRUE(database->has_table("t"));
}

TEST(StoreDatabase, ConcurrentFirstWritesToANewStoreAllSucceed) {
  TemporaryDirectory directory;
  for (int round = 0; round < 10; ++round) {
    StoreOptions options;
    options.directory = directory.path() + "/store" + std::to_string(round);
    std::vector<base::Result<SecretInfo>> outcomes(8, base::fail("not run"));
    std::vector<std::thread> writers;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      writers.emplace_back([&, i] {
        auto store = SecretStore::open_for_writing(options);
        outcomes[i] = store ? store->create("s" + std::to_string(i), base::SecretBytes("v"), {})
                            : base::Result<SecretInfo>(base::fail(store.error().message));
      });
    }
    for (auto& writer : writers) writer.join();
    for (const auto& outcome : outcomes) ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(SecretStore::open_for_reading(options)->list()->size(), 8u);
  }
}

}  // namespace
}  // namespace stackup::store
