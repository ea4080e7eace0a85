#pragma once
// Key files: a random 256-bit key in hex on one line, in a file only its owner can use. The store's
// own is master.key beside the database; STACKUP_KEY_FILE names another.
#include <string>

#include "base/error.hpp"
#include "store/crypto.hpp"

namespace stackup::store::key_file {

// Reads a key file. It is opened without following a symbolic link and checked on the opened
// descriptor (a regular file, owned by this user, that its group and others cannot use), so nothing
// can be swapped in between the check and the read; every buffer the key passes through is wiped.
base::Result<crypto::Key> read(const std::string& path);

// What is at a key file's path when a store is about to be initialized.
enum class Found {
  nothing,
  empty,        // 0 bytes: an older stackup was killed between creating and writing it; it locks nothing
  interrupted,  // still linked from the temporary it was created as: a first write stopped before its commit
  key,          // a key file in its own right
};
base::Result<Found> find(const std::string& path);

// Creates a key file durably, never over an existing one: a temporary beside it (O_EXCL, 0600) is
// written and fsynced, hard-linked to `path` (link fails rather than replace), and the directory is
// fsynced. The temporary stays as a second name of the file until `forget_temporaries` runs after
// the database commit: while it is there, `find` tells an interrupted first write from a lost store.
base::Result<crypto::Key> create(const std::string& path);

// Removes the temporaries beside `path`: ours after a commit, or a killed run's. Only while holding
// the database's write lock, under which every key file is created.
void forget_temporaries(const std::string& path);

// Overwrites a key file with zeros, syncs it, and removes it; a file with another name is only
// unlinked.
base::Result<void> destroy(const std::string& path);

}  // namespace stackup::store::key_file
