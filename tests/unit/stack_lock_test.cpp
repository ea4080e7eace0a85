// One deploy or down of a stack at a time: a second one waits, and says so, until the first ends.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "deploy/stack_lock.hpp"

namespace stackup::deploy {
namespace {

TEST(StackLock, ASecondHolderWaitsUntilTheFirstIsGone) {
  const auto directory = std::filesystem::temp_directory_path() / ("stackup-lock-" + std::to_string(::getpid()));
  std::optional<StackLock> first(*StackLock::acquire(directory.string(), "web", [] { FAIL() << "nobody held it"; }));
  std::atomic<bool> waited = false;
  std::atomic<bool> acquired = false;
  std::thread second([&] {
    auto lock = StackLock::acquire(directory.string(), "web", [&] { waited = true; });
    acquired = lock.has_value();
  });
  while (!waited) std::this_thread::yield();
  EXPECT_FALSE(acquired);
  // Another stack is not held up.
  EXPECT_TRUE(StackLock::acquire(directory.string(), "db", [] { FAIL() << "db is not held"; }));
  first.reset();
  second.join();
  EXPECT_TRUE(acquired);
  std::filesystem::remove_all(directory);
}

// `down` removes the lock file while holding it. A waiter that then gets the lock of the removed file
// must start over on the current one, or it and a newcomer would both "hold" the stack.
TEST(StackLock, AWaiterWhoseFileWasRemovedLocksTheCurrentOne) {
  const auto directory = std::filesystem::temp_directory_path() / ("stackup-lock-rm-" + std::to_string(::getpid()));
  std::optional<StackLock> down(*StackLock::acquire(directory.string(), "web", [] {}));
  std::atomic<bool> waiting = false;
  std::optional<StackLock> waiter;
  std::thread second([&] { waiter.emplace(*StackLock::acquire(directory.string(), "web", [&] { waiting = true; })); });
  while (!waiting) std::this_thread::yield();
  down->remove_on_release();
  down.reset();
  second.join();
  EXPECT_TRUE(std::filesystem::exists(directory / "web.lock"));
  std::atomic<bool> newcomer_waited = false;
  std::atomic<bool> newcomer_done = false;
  std::thread third([&] {
    (void)StackLock::acquire(directory.string(), "web", [&] { newcomer_waited = true; });
    newcomer_done = true;
  });
  while (!newcomer_waited && !newcomer_done) std::this_thread::yield();
  EXPECT_TRUE(newcomer_waited);  // the waiter holds the current file, so the newcomer waits
  waiter.reset();
  third.join();
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace stackup::deploy
