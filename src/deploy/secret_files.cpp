#include "deploy/secret_files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace stackup::deploy {
namespace {

constexpr unsigned long secret_mount_flags = MS_NODEV | MS_NOSUID | MS_NOEXEC;

std::string errno_text() { return std::strerror(errno); }

base::Result<void> make_private_directory(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::fail(fmt::format("cannot create {}: {}", path, errno_text()));
  }
  return {};
}

// Page-rounded room for the values, plus slack for the files' metadata.
std::size_t tmpfs_size(const std::vector<SecretFile>& files) {
  std::size_t size = 64 * 1024;
  for (const auto& file : files) size += (file.value->size() + 4095) / 4096 * 4096;
  return size;
}

base::Result<void> write_file(const std::string& directory, const SecretFile& file) {
  const auto path = directory + "/" + file.file_name;
  // Without root the file stays ours: fine for uid/gid 0 (root in the container reads anything) and
  // our own ids; any other owner is refused rather than silently not honoured.
  const bool as_root = ::geteuid() == 0;
  const bool keep_owner = !as_root && (file.uid == 0 || file.uid == ::geteuid()) && (file.gid == 0 || file.gid == ::getegid());
  if (!as_root && !keep_owner) {
    return base::fail(fmt::format("secret file owner {}:{} needs root: run stackup as root, or drop uid/gid", file.uid,
                                  file.gid));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return base::fail(fmt::format("cannot create {}: {}", path, errno_text()));
  std::size_t written = 0;
  while (written < file.value->size()) {
    const auto count = ::write(fd, file.value->data() + written, file.value->size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) break;
    written += static_cast<std::size_t>(count);
  }
  const bool ok = written == file.value->size() && (keep_owner || ::fchown(fd, file.uid, file.gid) == 0) &&
                  ::fchmod(fd, file.mode) == 0;
  const auto failure = errno_text();
  ::close(fd);
  if (!ok) return base::fail(fmt::format("cannot write {}: {}", path, failure));
  return {};
}

// Overwrites a file's bytes with zeros before it is unlinked.
void overwrite(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    const std::string zeros(static_cast<std::size_t>(info.st_size), '\0');
    (void)::write(fd, zeros.data(), zeros.size());
  }
  ::close(fd);
}

bool is_mount_point(const std::string& path) {
  struct stat self {};
  struct stat parent {};
  if (::stat(path.c_str(), &self) != 0) return false;
  if (::stat(std::filesystem::path(path).parent_path().c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev;
}

}  // namespace

bool is_on_tmpfs(const std::string& path) {
  struct statfs info {};
  return ::statfs(path.c_str(), &info) == 0 && info.f_type == TMPFS_MAGIC;
}

TmpfsSecretFiles::TmpfsSecretFiles(std::string runtime_directory)
    : root_(std::move(runtime_directory)), mount_own_tmpfs_(::geteuid() == 0) {}

std::string TmpfsSecretFiles::directory_for(const std::string& stack, const std::string& instance) {
  return fmt::format("{}/{}/{}", root_, stack, instance);
}

base::Result<void> TmpfsSecretFiles::materialize(const std::string& directory, const std::vector<SecretFile>& files) {
  if (auto made = make_private_directory(directory); !made) return made;
  if (mount_own_tmpfs_) {
    const auto options = fmt::format("mode=0700,size={}", tmpfs_size(files));
    if (::mount("tmpfs", directory.c_str(), "tmpfs", secret_mount_flags, options.c_str()) != 0) {
      const auto failure = errno_text();
      ::rmdir(directory.c_str());
      return base::fail(fmt::format("cannot mount a tmpfs for secrets on {}: {}", directory, failure));
    }
  } else if (!is_on_tmpfs(directory)) {
    ::rmdir(directory.c_str());
    return base::fail(fmt::format("refusing to write secrets to {}: it is not on a tmpfs, and mounting one needs root; "
                                  "run stackup as root, or set XDG_RUNTIME_DIR to a tmpfs",
                                  directory));
  }
  for (const auto& file : files) {
    if (auto written = write_file(directory, file); !written) {
      (void)destroy(directory);
      return written;
    }
  }
  if (mount_own_tmpfs_ &&
      ::mount(nullptr, directory.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | secret_mount_flags, nullptr) != 0) {
    const auto failure = errno_text();
    (void)destroy(directory);
    return base::fail(fmt::format("cannot remount {} read-only: {}", directory, failure));
  }
  if (!mount_own_tmpfs_) ::chmod(directory.c_str(), 0500);
  return {};
}

base::Result<void> TmpfsSecretFiles::destroy(const std::string& directory) {
  if (!std::filesystem::exists(directory)) return {};
  const bool mounted = is_mount_point(directory);
  if (mounted) ::mount(nullptr, directory.c_str(), nullptr, MS_REMOUNT | secret_mount_flags, nullptr);
  ::chmod(directory.c_str(), 0700);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    overwrite(entry.path().string());
    ::unlink(entry.path().c_str());
  }
  if (mounted && ::umount2(directory.c_str(), MNT_DETACH) != 0) {
    return base::fail(fmt::format("cannot unmount {}: {}", directory, errno_text()));
  }
  if (::rmdir(directory.c_str()) != 0) return base::fail(fmt::format("cannot remove {}: {}", directory, errno_text()));
  return {};
}

void TmpfsSecretFiles::destroy_stack(const std::string& stack, const std::set<std::string>& keep) {
  const auto directory = fmt::format("{}/{}", root_, stack);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (!keep.contains(entry.path().string())) (void)destroy(entry.path().string());
  }
  ::rmdir(directory.c_str());
}

}  // namespace stackup::deploy
