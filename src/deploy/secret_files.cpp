#include "deploy/secret_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/docker_names.hpp"
#include "deploy/container_mount.hpp"
#include "deploy/private_directory.hpp"
#include "store/crypto.hpp"

namespace stackup::deploy {
namespace {

constexpr unsigned long secret_mount_flags = MS_NODEV | MS_NOSUID | MS_NOEXEC;
constexpr std::size_t name_token_length = 12;  // hex digits

std::string errno_text() { return std::strerror(errno); }

// Page-rounded room for the values, plus slack for the files' metadata.
std::size_t tmpfs_size(const std::vector<SecretFile>& files) {
  std::size_t size = 64 * 1024;
  for (const auto& file : files) size += (file.value->size() + 4095) / 4096 * 4096;
  return size;
}

bool is_tmpfs(const Descriptor& directory) {
  struct statfs info {};
  return ::fstatfs(directory.get(), &info) == 0 && info.f_type == TMPFS_MAGIC;
}

dev_t device_of(const Descriptor& directory) {
  struct stat info {};
  return ::fstat(directory.get(), &info) == 0 ? info.st_dev : 0;
}

// Read-only at both levels: the mount, so that nothing writes through this path, and where the
// kernel allows it the tmpfs itself, so that no mount of it can. The kernel refuses the second
// (EBUSY) while a file replaced by a rotation in place is still held: open in a container (until
// the last reader closes it), or, on kernels before 6.5, under the newer mount for as long as the
// container lives. The first then holds alone, as the containers' own mounts are read-only too.
bool make_read_only(const Descriptor& directory) {
  const auto path = directory.proc_path();
  if (::mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | secret_mount_flags, nullptr) != 0) {
    return false;
  }
  (void)::mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | secret_mount_flags, nullptr);
  return true;
}

// Writable at both levels again, with `options` (a new size) for the tmpfs. Each level is tried
// whatever the other did, so that a wipe gets the best chance.
bool make_writable(const Descriptor& directory, const char* options) {
  const auto path = directory.proc_path();
  const bool tmpfs = ::mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | secret_mount_flags, options) == 0;
  const bool mount = ::mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | secret_mount_flags, nullptr) == 0;
  return tmpfs && mount;
}

base::Result<void> write_all(int fd, const char* data, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    const auto count = ::write(fd, data + written, size - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return base::fail(errno_text());
    written += static_cast<std::size_t>(count);
  }
  return {};
}

base::Result<void> write_file(const Descriptor& directory, const std::string& path, const SecretFile& file) {
  // Without root the file stays ours: fine for uid/gid 0 (root in the container reads anything) and
  // our own ids; any other owner is refused rather than silently not honoured.
  const bool as_root = ::geteuid() == 0;
  const bool keep_owner = !as_root && (file.uid == 0 || file.uid == ::geteuid()) && (file.gid == 0 || file.gid == ::getegid());
  if (!as_root && !keep_owner) {
    return base::fail(fmt::format("secret file owner {}:{} needs root: run stackup as root, or drop uid/gid", file.uid,
                                  file.gid));
  }
  const auto shown = path + "/" + file.file_name;
  if (!is_single_component(file.file_name)) return base::fail(fmt::format("cannot create {}: not a plain file name", shown));
  const Descriptor fd(::openat(directory.get(), file.file_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return base::fail(fmt::format("cannot create {}: {}", shown, errno_text()));
  auto written = write_all(fd.get(), file.value->data(), file.value->size());
  if (written && !((keep_owner || ::fchown(fd.get(), file.uid, file.gid) == 0) && ::fchmod(fd.get(), file.mode) == 0)) {
    written = base::fail(errno_text());
  }
  if (!written) return base::fail(fmt::format("cannot write {}: {}", shown, written.error().message));
  return {};
}

// The names in a directory, but . and ..; read through a descriptor of its own, so the caller's
// stays usable.
std::vector<std::string> entries_of(const Descriptor& directory) {
  std::vector<std::string> names;
  const int fd = ::openat(directory.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* listing = ::fdopendir(fd);
  if (listing == nullptr) {
    ::close(fd);
    return names;
  }
  while (const auto* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(listing);
  std::ranges::sort(names);
  return names;
}

// Overwrites a regular file's bytes with zeros. A read-only file of ours (a non-root
// materialization: mode 0400, say) is made writable first, or the wipe would silently not happen.
base::Result<void> overwrite(const Descriptor& directory, const std::string& name, const struct stat& seen) {
  if (::geteuid() != 0 && (seen.st_mode & S_IWUSR) == 0 &&
      ::fchmodat(directory.get(), name.c_str(), 0600, AT_SYMLINK_NOFOLLOW) != 0) {
    return base::fail(errno_text());
  }
  const Descriptor fd(::openat(directory.get(), name.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat opened {};
  if (fd.get() < 0 || ::fstat(fd.get(), &opened) != 0) return base::fail(errno_text());
  if (opened.st_ino != seen.st_ino || !S_ISREG(opened.st_mode)) return base::fail("it changed while being wiped");
  const std::string zeros(64 * 1024, '\0');
  for (auto left = static_cast<std::size_t>(opened.st_size); left > 0;) {
    const auto chunk = std::min(left, zeros.size());
    if (auto ok = write_all(fd.get(), zeros.data(), chunk); !ok) return ok;
    left -= chunk;
  }
  return {};
}

base::Result<void> wipe_entry(const Descriptor& directory, const std::string& path, const std::string& name) {
  struct stat info {};
  if (::fstatat(directory.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return {};
  if (S_ISDIR(info.st_mode)) {
    return base::fail(fmt::format("cannot wipe {}: it holds a directory, {}, which stackup never makes", path, name));
  }
  if (S_ISREG(info.st_mode)) {
    if (auto wiped = overwrite(directory, name, info); !wiped) {
      return base::fail(fmt::format("cannot wipe {}/{}: {}", path, name, wiped.error().message));
    }
  }
  if (::unlinkat(directory.get(), name.c_str(), 0) != 0) {
    return base::fail(fmt::format("cannot remove {}/{}: {}", path, name, errno_text()));
  }
  return {};
}

// Wipes and unlinks everything in a secrets directory; never follows a link, never descends. An
// entry that cannot be wiped does not stop the others from being wiped; the first failure is reported.
base::Result<void> wipe_entries(const Descriptor& directory, const std::string& path) {
  base::Result<void> outcome;
  for (const auto& name : entries_of(directory)) {
    if (auto wiped = wipe_entry(directory, path, name); !wiped && outcome) outcome = wiped;
  }
  return outcome;
}

base::Result<void> check_names(const std::string& stack, const std::string& name) {
  if (!base::is_valid_stack_name(stack) || !is_single_component(name)) {
    return base::fail(fmt::format("refusing to use secrets directory \"{}\" of stack \"{}\": not a name stackup makes", name, stack));
  }
  return {};
}

}  // namespace

std::string new_secrets_directory_name(const std::string& container) {
  return container + "-" + store::crypto::to_hex(store::crypto::random_bytes(name_token_length / 2));
}

bool is_secrets_directory_name(const std::string& name, const std::string& container) {
  if (container.empty() || name.size() != container.size() + 1 + name_token_length) return false;
  if (!name.starts_with(container + "-") || !is_single_component(name)) return false;
  return std::all_of(name.end() - name_token_length, name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_on_tmpfs(const std::string& path) {
  struct statfs info {};
  return ::statfs(path.c_str(), &info) == 0 && info.f_type == TMPFS_MAGIC;
}

TmpfsSecretFiles::TmpfsSecretFiles(std::string runtime_directory)
    : root_(std::move(runtime_directory)), mount_own_tmpfs_(::geteuid() == 0) {}

std::string TmpfsSecretFiles::host_path(const std::string& stack, const std::string& name) {
  return fmt::format("{}/{}/{}", root_, stack, name);
}

base::Result<void> TmpfsSecretFiles::materialize(const std::string& stack, const std::string& name,
                                                 const std::vector<SecretFile>& files) {
  if (auto ok = check_names(stack, name); !ok) return ok;
  const auto path = host_path(stack, name);
  auto root = make_private_directory(root_);
  if (!root) return std::unexpected(root.error());
  auto stack_directory = open_private_child(*root, stack, fmt::format("{}/{}", root_, stack), true);
  if (!stack_directory) return std::unexpected(stack_directory.error());
  if (has_entry(*stack_directory, name)) return base::fail(fmt::format("cannot create {}: it exists already", path));
  auto directory = open_private_child(*stack_directory, name, path, true);
  if (!directory) return std::unexpected(directory.error());
  auto undo = [&](base::Result<void> failure) {
    directory = base::fail("");  // closed before the directory goes
    (void)destroy(stack, name);
    return failure;
  };
  if (mount_own_tmpfs_) {
    // Mounted through the descriptor: the kernel mounts on exactly the directory we checked.
    const auto options = fmt::format("mode=0700,size={}", tmpfs_size(files));
    if (::mount("tmpfs", directory->proc_path().c_str(), "tmpfs", secret_mount_flags, options.c_str()) != 0) {
      return undo(base::fail(fmt::format("cannot mount a tmpfs for secrets on {}: {}", path, errno_text())));
    }
    directory = open_private_child(*stack_directory, name, path, false);  // now the tmpfs's root
    if (!directory || device_of(*directory) == device_of(*stack_directory) || !is_tmpfs(*directory)) {
      return undo(base::fail(fmt::format("cannot mount a tmpfs for secrets on {}: it did not appear there", path)));
    }
  } else if (!is_tmpfs(*directory)) {
    return undo(base::fail(fmt::format("refusing to write secrets to {}: it is not on a tmpfs, and mounting one needs "
                                       "root; run stackup as root, or set XDG_RUNTIME_DIR to a tmpfs",
                                       path)));
  }
  for (const auto& file : files) {
    if (auto written = write_file(*directory, path, file); !written) return undo(written);
  }
  if (mount_own_tmpfs_ && !make_read_only(*directory)) {
    return undo(base::fail(fmt::format("cannot remount {} read-only: {}", path, errno_text())));
  }
  if (!mount_own_tmpfs_) ::fchmod(directory->get(), 0500);
  return {};
}

base::Result<void> TmpfsSecretFiles::destroy(const std::string& stack, const std::string& name) {
  if (auto ok = check_names(stack, name); !ok) return ok;
  const auto path = host_path(stack, name);
  auto root = make_private_directory(root_);
  if (!root) return std::unexpected(root.error());
  if (!has_entry(*root, stack)) return {};
  auto stack_directory = open_private_child(*root, stack, fmt::format("{}/{}", root_, stack), false);
  if (!stack_directory) return std::unexpected(stack_directory.error());
  if (!has_entry(*stack_directory, name)) return {};
  auto directory = open_private_child(*stack_directory, name, path, false);
  if (!directory) return std::unexpected(directory.error());
  const bool mounted = device_of(*directory) != device_of(*stack_directory);
  if (mounted) {
    (void)make_writable(*directory, nullptr);
  } else {
    ::fchmod(directory->get(), 0700);
  }
  if (auto wiped = wipe_entries(*directory, path); !wiped) return wiped;
  if (mounted && ::umount2(directory->proc_path().c_str(), MNT_DETACH) != 0) {
    return base::fail(fmt::format("cannot unmount {}: {}", path, errno_text()));
  }
  directory = base::fail("");  // closed, so the directory can go
  if (::unlinkat(stack_directory->get(), name.c_str(), AT_REMOVEDIR) != 0) {
    return base::fail(fmt::format("cannot remove {}: {}", path, errno_text()));
  }
  return {};
}

void TmpfsSecretFiles::destroy_stack(const std::string& stack, const std::set<std::string>& keep) {
  if (!base::is_valid_stack_name(stack)) return;
  auto root = make_private_directory(root_);
  if (!root || !has_entry(*root, stack)) return;
  auto stack_directory = open_private_child(*root, stack, fmt::format("{}/{}", root_, stack), false);
  if (!stack_directory) return;
  for (const auto& name : entries_of(*stack_directory)) {
    if (!keep.contains(name)) (void)destroy(stack, name);
  }
  ::unlinkat(root->get(), stack.c_str(), AT_REMOVEDIR);
}

base::Result<void> TmpfsSecretFiles::replace(const std::string& stack, const std::string& name, int pid,
                                             const std::vector<Replacement>& files) {
  if (!mount_own_tmpfs_) return base::fail("rotating a secret in place needs root");
  if (auto ok = check_names(stack, name); !ok) return ok;
  const auto path = host_path(stack, name);
  auto root = open_private_directory(root_);
  if (!root) return std::unexpected(root.error());
  auto stack_directory = open_private_child(*root, stack, fmt::format("{}/{}", root_, stack), false);
  if (!stack_directory) return std::unexpected(stack_directory.error());
  auto directory = open_private_child(*stack_directory, name, path, false);
  if (!directory) return std::unexpected(directory.error());
  if (device_of(*directory) == device_of(*stack_directory) || !is_tmpfs(*directory)) {
    return base::fail(fmt::format("cannot rotate in place: {} is not a tmpfs of stackup's", path));
  }
  // Room for the new files beside what is there: an old file a reader still has open stays until
  // it is closed.
  struct statvfs usage {};
  if (::fstatvfs(directory->get(), &usage) != 0) return base::fail(fmt::format("cannot read {}: {}", path, errno_text()));
  std::vector<SecretFile> values;
  for (const auto& replacement : files) values.push_back(replacement.file);
  const auto size = (usage.f_blocks - usage.f_bfree) * usage.f_bsize + tmpfs_size(values);
  const auto options = fmt::format("size={}", size);
  base::Result<void> replaced;
  if (!make_writable(*directory, options.c_str())) replaced = base::fail(fmt::format("cannot remount {} writable: {}", path, errno_text()));
  for (const auto& replacement : files) {
    if (!replaced) break;
    replaced = replace_file(*directory, path, pid, replacement);
  }
  if (!make_read_only(*directory)) {
    const auto read_only = fmt::format("cannot remount {} read-only: {}", path, errno_text());
    return base::fail(replaced ? read_only : replaced.error().message + "; " + read_only);
  }
  return replaced;
}

// The new value is written beside the old file, mounted at the target in the container, and then
// renamed over the old file, so that the host path the container's configuration names (and a
// restart mounts) holds it too. The old file is unlinked, not wiped: a reader in the container that
// opened it just before may still be reading it, and must get the whole value; it is on this tmpfs,
// in memory only, and the kernel frees it when the last reader closes it.
base::Result<void> TmpfsSecretFiles::replace_file(const Descriptor& directory, const std::string& path, int pid,
                                                  const Replacement& replacement) {
  const auto& name = replacement.file.file_name;
  const auto shown = path + "/" + name;
  struct stat old {};
  if (!is_single_component(name) || ::fstatat(directory.get(), name.c_str(), &old, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISREG(old.st_mode)) {
    return base::fail(fmt::format("cannot rotate {} in place: it is not a file stackup made", shown));
  }
  auto next = replacement.file;
  next.file_name = ".next-" + name;
  // A .next- file is only ever unlinked, never wiped: one left by an interrupted rotation, or by a
  // swap that failed after mounting it, may be what a reader in the container has open.
  ::unlinkat(directory.get(), next.file_name.c_str(), 0);
  if (auto written = write_file(directory, path, next); !written) return written;
  auto swapped = swap_file_mount(pid, directory.get(), next.file_name, replacement.target, old);
  if (!swapped) {
    ::unlinkat(directory.get(), next.file_name.c_str(), 0);
    return swapped;
  }
  if (::renameat(directory.get(), next.file_name.c_str(), directory.get(), name.c_str()) != 0) {
    return base::fail(fmt::format("cannot rename {}/{} to {}: {}", path, next.file_name, name, errno_text()));
  }
  return {};
}

base::Result<MaterializedDirectory> TmpfsSecretFiles::inspect(const std::string& stack, const std::string& name) {
  MaterializedDirectory state;
  state.should_be_read_only = mount_own_tmpfs_;
  if (!is_single_component(stack) || !is_single_component(name)) return state;
  auto root = open_private_directory(root_);
  if (!root || !has_entry(*root, stack)) return state;
  auto stack_directory = open_private_child(*root, stack, fmt::format("{}/{}", root_, stack), false);
  if (!stack_directory || !has_entry(*stack_directory, name)) return state;
  const auto path = host_path(stack, name);
  auto directory = open_private_child(*stack_directory, name, path, false);
  if (!directory) return base::fail(directory.error().message);
  state.found = true;
  state.on_tmpfs = is_tmpfs(*directory);
  struct statvfs mount {};
  state.read_only = ::fstatvfs(directory->get(), &mount) == 0 && (mount.f_flag & ST_RDONLY) != 0;
  for (const auto& entry : entries_of(*directory)) {
    const Descriptor fd(::openat(directory->get(), entry.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat info {};
    if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    auto value = base::read_secret(fd.get());
    if (!value) return base::fail(fmt::format("cannot read {}/{}: {}", path, entry, value.error().message));
    state.files.push_back({entry, info.st_uid, info.st_gid, info.st_mode & 07777, std::move(*value)});
  }
  return state;
}

}  // namespace stackup::deploy
