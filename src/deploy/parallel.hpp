#pragma once
// Runs independent engine calls side by side: the engine does the work, so a few threads suffice.
#include <atomic>
#include <exception>
#include <functional>
#include <string>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/error.hpp"

namespace stackup::deploy {

inline constexpr std::size_t default_parallelism = 16;

// An exception must not escape a worker thread (std::terminate: no rollback, a secret left mounted):
// it becomes that item's failure, and the caller rolls back as for any other.
template <class Item, class Work>
base::Result<void> attempt(Work& work, const Item& item) noexcept {
  try {
    return work(item);
  } catch (const std::exception& error) {
    return base::fail(std::string("internal error: ") + error.what());
  } catch (...) {
    return base::fail("internal error: an unknown exception");
  }
}

// Calls `work(item)` for every item on up to `parallelism` threads; returns the first failure.
// Items not started after a failure are skipped.
template <class Item, class Work>
base::Result<void> parallel_for_each(const std::vector<Item>& items, std::size_t parallelism, Work work) {
  std::atomic<std::size_t> next{0};
  std::mutex failure_lock;
  std::optional<base::Error> failure;
  auto worker = [&] {
    while (true) {
      const auto index = next.fetch_add(1);
      if (index >= items.size()) return;
      {
        const std::lock_guard lock(failure_lock);
        if (failure) return;
      }
      if (auto result = attempt(work, items[index]); !result) {
        const std::lock_guard lock(failure_lock);
        if (!failure) failure = result.error();
      }
    }
  };
  std::vector<std::jthread> threads;
  const auto count = std::min(parallelism, items.size());
  for (std::size_t i = 1; i < count; ++i) threads.emplace_back(worker);
  worker();
  threads.clear();  // joins
  if (failure) return std::unexpected(*failure);
  return {};
}

// Runs different tasks side by side (independent questions to the engine); the first failure wins.
inline base::Result<void> side_by_side(const std::vector<std::function<base::Result<void>()>>& tasks) {
  return parallel_for_each(tasks, tasks.size(), [](const auto& task) { return task(); });
}

}  // namespace stackup::deploy
