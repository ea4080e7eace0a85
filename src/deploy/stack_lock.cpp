#include "deploy/stack_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stackup::deploy {
namespace {

bool still_named(int descriptor, const Descriptor& directory, const std::string& name) {
  struct stat opened {};
  struct stat named {};
  return ::fstat(descriptor, &opened) == 0 && ::fstatat(directory.get(), name.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 &&
         opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

// A lock file is ours, a plain file: another user's could be held by them forever.
base::Result<void> check_lock_file(int descriptor, const std::string& path) {
  struct stat info {};
  if (::fstat(descriptor, &info) != 0) return base::fail(fmt::format("cannot inspect {}: {}", path, std::strerror(errno)));
  if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
    return base::fail(fmt::format("refusing to use the stack's lock {}: it is not a file of this user's (uid {})", path,
                                  ::geteuid()));
  }
  return {};
}

}  // namespace

base::Result<StackLock> StackLock::acquire(const std::string& runtime_directory, const std::string& stack,
                                           const std::function<void()>& on_wait) {
  auto directory = make_private_directory(runtime_directory);
  if (!directory) return std::unexpected(directory.error());
  const auto name = stack + ".lock";
  const auto path = fmt::format("{}/{}", runtime_directory, name);
  if (!is_single_component(name)) return base::fail(fmt::format("invalid stack name \"{}\"", stack));
  bool told = false;
  while (true) {
    // O_CLOEXEC: nothing stackup starts may hold the lock after stackup ends.
    const int descriptor = ::openat(directory->get(), name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (descriptor < 0) return base::fail(fmt::format("cannot open the stack's lock {}: {}", path, std::strerror(errno)));
    if (auto ok = check_lock_file(descriptor, path); !ok) {
      ::close(descriptor);
      return std::unexpected(ok.error());
    }
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
    if (still_named(descriptor, *directory, name)) return StackLock(descriptor, std::move(*directory), name);
    ::close(descriptor);  // a `down` removed the file while we waited: lock the current one
  }
}

StackLock::StackLock(StackLock&& other) noexcept
    : descriptor_(other.descriptor_), directory_(std::move(other.directory_)), name_(std::move(other.name_)),
      remove_(other.remove_) {
  other.descriptor_ = -1;
}

StackLock::~StackLock() {
  if (descriptor_ < 0) return;
  if (remove_) ::unlinkat(directory_.get(), name_.c_str(), 0);  // still locked: a waiter then finds its file gone and starts over
  ::close(descriptor_);
}

}  // namespace stackup::deploy
