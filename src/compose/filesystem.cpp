#include "compose/filesystem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace stackup::compose {
namespace {

// Closes the descriptor on every way out of read().
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

std::string too_large_message() {
  return "is larger than 64 MiB; compose and env files are text, and stackup reads at most 64 MiB of one";
}

// Reads to the end, but never more than `limit` bytes: a file that grows while it is read (or a
// procfs file that claims size 0) cannot make the read unbounded.
base::Result<std::string> read_at_most(int fd, std::size_t limit) {
  std::string text;
  char chunk[65536];
  while (true) {
    // One byte past the limit is enough to know the file is too large.
    const auto wanted = std::min(sizeof chunk, limit + 1 - text.size());
    const auto count = ::read(fd, chunk, wanted);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) return base::fail(std::strerror(errno));
    if (count == 0) return text;
    text.append(chunk, static_cast<std::size_t>(count));
    if (text.size() > limit) return base::fail(too_large_message());
  }
}

}  // namespace

base::Result<std::string> DiskFileSystem::read(const std::string& path) const {
  // O_NONBLOCK: opening a FIFO that no one writes to must not hang before it is refused below.
  const Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) return base::fail(std::strerror(errno));
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) return base::fail(std::strerror(errno));
  // Checked on the opened descriptor, so the file cannot be swapped for another after the check.
  if (S_ISDIR(info.st_mode)) return base::fail("is a directory, not a regular file");
  if (!S_ISREG(info.st_mode)) return base::fail("is not a regular file");
  if (static_cast<std::uintmax_t>(info.st_size) > max_text_file_size) return base::fail(too_large_message());
  return read_at_most(file.get(), max_text_file_size);
}

FileStatus DiskFileSystem::status(const std::string& path) const {
  FileStatus status;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return status;
  status.exists = true;
  status.is_directory = S_ISDIR(info.st_mode);
  status.is_special = !status.is_directory && !S_ISREG(info.st_mode);
  status.readable = ::access(path.c_str(), R_OK) == 0;
  if (S_ISREG(info.st_mode)) status.size = static_cast<std::uintmax_t>(info.st_size);
  return status;
}

base::Result<std::string> MemoryFileSystem::read(const std::string& path) const {
  const auto it = files_.find(path);
  if (it == files_.end()) return base::fail("No such file or directory");
  return it->second;
}

FileStatus MemoryFileSystem::status(const std::string& path) const {
  if (const auto it = files_.find(path); it != files_.end()) return {true, false, true, it->second.size()};
  const auto directory = path.ends_with('/') ? path : path + "/";
  const auto it = files_.lower_bound(directory);
  if (it != files_.end() && it->first.starts_with(directory)) return {true, true, true, 0};
  return {};
}

base::Result<base::SecretBytes> DiskFileSystem::read_secret(const std::string& path) const {
  return base::read_secret_file(path);
}

base::Result<base::SecretBytes> MemoryFileSystem::read_secret(const std::string& path) const {
  auto text = read(path);
  if (!text) return std::unexpected(text.error());
  return base::SecretBytes(*text);
}

}  // namespace stackup::compose
