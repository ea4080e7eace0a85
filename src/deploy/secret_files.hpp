#pragma once
// Materializing a container's secrets as the Docker daemon does for Swarm tasks: a private directory
// with a tmpfs on it (nodev, nosuid, noexec, mode 0700, sized to the secrets), each value written
// there with its uid, gid and mode, then the tmpfs remounted read-only. Removal overwrites each file
// before unlinking, then unmounts. Plaintext never reaches a persistent filesystem: without a tmpfs
// to mount (not root), a directory on an existing tmpfs is used after statfs proves it is one, and
// otherwise materialization refuses.
//
// A container's secrets directory is always <runtime root>/<stack>/<name>, where `name` is one path
// component that stackup made (see secrets_directory_name). Nothing from a label, the engine or a
// compose file is ever a path here: at most it picks one of the names under the stack's directory.
#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "deploy/private_directory.hpp"

namespace stackup::deploy {

struct SecretFile {
  std::string file_name;  // inside the container's secrets directory
  const base::SecretBytes* value = nullptr;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0444;
};

// A new value for a file of a running container's secrets directory, and where the container sees it.
struct Replacement {
  SecretFile file;
  std::string target;  // the absolute path in the container
};

// What a materialized directory holds now, for `stackup check`: values read into wiped memory.
struct MaterializedFile {
  std::string file_name;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;
  base::SecretBytes value;
};

struct MaterializedDirectory {
  bool found = false;
  bool on_tmpfs = false;
  bool read_only = false;
  bool should_be_read_only = false;  // as root, stackup remounts its own tmpfs read-only
  std::vector<MaterializedFile> files;
};

class SecretFiles {
 public:
  virtual ~SecretFiles() = default;
  // Where the directory `name` of `stack` is on the host, for the engine's bind mounts.
  virtual std::string host_path(const std::string& stack, const std::string& name) = 0;
  virtual base::Result<void> materialize(const std::string& stack, const std::string& name,
                                         const std::vector<SecretFile>& files) = 0;
  // Wipes and removes a directory made by materialize; a missing one is fine.
  virtual base::Result<void> destroy(const std::string& stack, const std::string& name) = 0;
  // Wipes and removes every directory of the stack but those named in `keep` (what containers still
  // use), and the stack's directory once it is empty: what `down` or an interrupted deploy left.
  virtual void destroy_stack(const std::string& stack, const std::set<std::string>& keep) = 0;
  // Reads what the directory holds, changing nothing; not found is no error.
  virtual base::Result<MaterializedDirectory> inspect(const std::string& stack, const std::string& name) = 0;
  // Rotation in place: puts new values into directory `name` of a running container whose main
  // process is `pid`, on the host (where a restart of the container mounts them from) and at their
  // targets inside the container (container_mount.hpp), and leaves the directory read-only again.
  virtual base::Result<void> replace(const std::string& stack, const std::string& name, int pid,
                                     const std::vector<Replacement>& files) = 0;
  // Whether replace can work here: it mounts, so it needs root.
  [[nodiscard]] virtual bool replaces_in_place() const = 0;
};

// A new directory name for a container's secrets: "<container>-<12 random hex digits>".
std::string new_secrets_directory_name(const std::string& container);
// True when `name` has that form for `container` (its name when it was created, STACK-service-N).
bool is_secrets_directory_name(const std::string& name, const std::string& container);

// The real thing: /run/stackup/<stack>/<name>/ on its own tmpfs as root; otherwise under
// $XDG_RUNTIME_DIR/stackup or /dev/shm/stackup-<uid>, when that is a tmpfs. Every level is opened
// as private_directory.hpp says, and every file below it through descriptors.
class TmpfsSecretFiles final : public SecretFiles {
 public:
  explicit TmpfsSecretFiles(std::string runtime_directory);
  std::string host_path(const std::string& stack, const std::string& name) override;
  base::Result<void> materialize(const std::string& stack, const std::string& name,
                                 const std::vector<SecretFile>& files) override;
  base::Result<void> destroy(const std::string& stack, const std::string& name) override;
  void destroy_stack(const std::string& stack, const std::set<std::string>& keep) override;
  base::Result<MaterializedDirectory> inspect(const std::string& stack, const std::string& name) override;
  base::Result<void> replace(const std::string& stack, const std::string& name, int pid,
                             const std::vector<Replacement>& files) override;
  [[nodiscard]] bool replaces_in_place() const override { return mount_own_tmpfs_; }

 private:
  base::Result<void> replace_file(const Descriptor& directory, const std::string& path, int pid,
                                  const Replacement& replacement);
  std::string root_;
  bool mount_own_tmpfs_;
};

// True when `path` is on a tmpfs (statfs).
bool is_on_tmpfs(const std::string& path);

}  // namespace stackup::deploy
