#include "store/directory.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace stackup::store {

std::string choose_store_directory(const DirectoryChoice& choice) {
  if (!choice.explicit_directory.empty()) return choice.explicit_directory;
  if (!choice.store_variable.empty()) return choice.store_variable;
  if (choice.is_root) return "/var/lib/stackup";
  if (!choice.xdg_data_home.empty()) return choice.xdg_data_home + "/stackup";
  return choice.home + "/.local/share/stackup";
}

base::Result<void> check_private(const std::string& path, bool is_directory) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return base::fail(fmt::format("{}: {}", path, std::strerror(errno)));
  return check_private(path, info, is_directory);
}

base::Result<void> check_private(const std::string& path, const struct stat& info, bool is_directory) {
  if (is_directory && !S_ISDIR(info.st_mode)) {
    return base::fail(fmt::format("the secret store {} is not a directory: name a directory with --store or STACKUP_STORE",
                                  path));
  }
  if (info.st_uid != ::geteuid()) {
    return base::fail(fmt::format("{} is owned by uid {}, not by this user (uid {}); stackup refuses to use it", path,
                                  info.st_uid, ::geteuid()));
  }
  const auto mode = info.st_mode & 07777;
  if ((mode & 077) != 0) {
    return base::fail(fmt::format("permissions {:04o} for {} are too open: other users could read it; run: chmod {} {}",
                                  mode, path, is_directory ? "700" : "600", path));
  }
  return {};
}

base::Result<void> ensure_private_directory(const std::string& path) {
  std::error_code error;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::fail(fmt::format("cannot create the secret store {}: {}", path, std::strerror(errno)));
  }
  return check_private(path, true);
}

base::Result<DirectoryLock> DirectoryLock::acquire(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::fail(fmt::format("cannot open the secret store {}: {}", directory, std::strerror(errno)));
  DirectoryLock lock(fd);
  int locked = 0;
  while ((locked = ::flock(fd, LOCK_EX)) != 0 && errno == EINTR) {
  }
  if (locked != 0) {
    return base::fail(fmt::format("cannot lock the secret store {}: {}", directory, std::strerror(errno)));
  }
  return lock;
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);
}

base::Result<void> sync_directory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::fail(fmt::format("cannot open {}: {}", directory, std::strerror(errno)));
  const bool synced = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!synced) return base::fail(fmt::format("cannot sync {}: {}", directory, std::strerror(saved)));
  return {};
}

}  // namespace stackup::store
