#pragma once
// Where the store lives, and the ssh-style rule that nobody but its owner may read it.
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

// Creates the directory (and missing parents) with mode 0700, or checks an existing one.
base::Result<void> ensure_private_directory(const std::string& path);

}  // namespace stackup::store
