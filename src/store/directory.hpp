#pragma once
// Where the store lives, and the ssh-style rule that nobody but its owner may read it.
#include <sys/stat.h>

#include <string>

#include "base/error.hpp"

namespace stackup::store {

struct DirectoryChoice {
  std::string explicit_directory;  // --store
  std::string store_variable;      // STACKUP_STORE
  std::string home;                // HOME
  std::string xdg_data_home;       // XDG_DATA_HOME
  bool is_root = false;
};

// --store, else STACKUP_STORE, else /var/lib/stackup as root, else $XDG_DATA_HOME/stackup
// (~/.local/share/stackup).
std::string choose_store_directory(const DirectoryChoice& choice);

// Refuses a file or directory that is not owned by this user or that its group or others may use.
base::Result<void> check_private(const std::string& path, bool is_directory);
// The same rule for what fstat said of a descriptor already open on `path`.
base::Result<void> check_private(const std::string& path, const struct stat& info, bool is_directory);

// Creates the directory (and missing parents) with mode 0700, or checks an existing one.
base::Result<void> ensure_private_directory(const std::string& path);

// An exclusive lock on the store directory itself (flock), held while its database is opened and set
// up: concurrent first writers never race on creating it, and a database file without tables is
// never one that another stackup is still setting up. The kernel releases it if stackup dies.
class DirectoryLock {
 public:
  static base::Result<DirectoryLock> acquire(const std::string& directory);
  ~DirectoryLock();
  DirectoryLock(DirectoryLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirectoryLock& operator=(DirectoryLock&&) = delete;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_;
};

// Makes a directory's entries (a file created, linked or renamed in it) survive a crash.
base::Result<void> sync_directory(const std::string& directory);

}  // namespace stackup::store
