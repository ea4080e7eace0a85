#pragma once
// One `deploy` or `down` of a stack at a time on this host: two at once would race on container names,
// and a failing one would roll back what the other just did. The lock is an flock on
// <runtime directory>/<stack>.lock, next to the stack's secrets, held for the lock's lifetime and
// released by the kernel if stackup dies. The runtime directory is made private (0700) and checked at
// every level first, so another user cannot plant the lock and hold it. `down` removes the file: a holder that finds its file gone
// or replaced after locking starts over, so removing it is safe.
#include <functional>
#include <string>

#include "base/error.hpp"
#include "deploy/private_directory.hpp"

namespace stackup::deploy {

class StackLock {
 public:
  // Waits while another stackup holds the stack's lock, calling `on_wait` once before waiting.
  static base::Result<StackLock> acquire(const std::string& runtime_directory, const std::string& stack,
                                         const std::function<void()>& on_wait);
  StackLock(StackLock&& other) noexcept;
  StackLock& operator=(StackLock&&) = delete;
  StackLock(const StackLock&) = delete;
  StackLock& operator=(const StackLock&) = delete;
  ~StackLock();

  // Unlinks the lock file on release: for a stack that no longer exists.
  void remove_on_release() { remove_ = true; }

 private:
  StackLock(int descriptor, Descriptor directory, std::string name)
      : descriptor_(descriptor), directory_(std::move(directory)), name_(std::move(name)) {}
  int descriptor_;
  Descriptor directory_;  // the runtime directory, checked as private_directory.hpp says
  std::string name_;
  bool remove_ = false;
};

}  // namespace stackup::deploy
