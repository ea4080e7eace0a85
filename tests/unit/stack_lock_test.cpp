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

}  // namespace
}  // namespace stackup::deploy
