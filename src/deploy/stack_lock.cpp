#include "deploy/stack_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace stackup::deploy {
namespace {

bool still_named(int descriptor, const std::string& path) {
  struct stat opened {};
  struct stat named {};
  return ::fstat(descriptor, &opened) == 0 && ::stat(path.c_str(), &named) == 0 && opened.st_dev == named.st_dev &&
         opened.st_ino == named.st_ino;
}

}  // namespace

base::Result<StackLock> StackLock::acquire(const std::string& runtime_directory, const std::string& stack,
                                           const std::function<void()>& on_wait) {
  std::error_code error;
  std::filesystem::create_directories(runtime_directory, error);
  const auto path = fmt::format("{}/{}.lock", runtime_directory, stack);
  bool told = false;
  while (true) {
    // O_CLOEXEC: nothing stackup starts may hold the lock after stackup ends.
    const int descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (descriptor < 0) return base::fail(fmt::format("cannot open the stack's lock {}: {}", path, std::strerror(errno)));
    if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
      if (!told) on_wait();
      told = true;
      int locked = -1;
      do {
        locked = ::flock(descriptor, LOCK_EX);
      } while (locked != 0 && errno == EINTR);
      if (locked != 0) {
        const auto failure = std::strerror(errno);
        ::close(descriptor);
        return base::fail(fmt::format("cannot lock {}: {}", path, failure));
      }
    }
    if (still_named(descriptor, path)) return StackLock(descriptor, path);
    ::close(descriptor);  // a `down` removed the file while we waited: lock the current one
  }
}

StackLock::StackLock(StackLock&& other) noexcept
    : descriptor_(other.descriptor_), path_(std::move(other.path_)), remove_(other.remove_) {
  other.descriptor_ = -1;
}

StackLock::~StackLock() {
  if (descriptor_ < 0) return;
  if (remove_) ::unlink(path_.c_str());  // still locked: a waiter then finds its file gone and starts over
  ::close(descriptor_);
}

}  // namespace stackup::deploy
