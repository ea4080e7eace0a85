#include "store/key_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "store/directory.hpp"

namespace stackup::store::key_file {
namespace {

// 64 hex digits and a line ending, with room to notice a file that holds more.
using KeyText = std::array<char, 2 * crypto::key_size + 4>;

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string temporary_prefix(const std::string& path) {
  return std::filesystem::path(path).filename().string() + ".tmp-";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::string open_error(const std::string& path, int error) {
  if (error == ELOOP) {
    return fmt::format("key file {} is a symbolic link, which stackup does not follow; point STACKUP_KEY_FILE at the "
                       "file itself",
                       path);
  }
  return fmt::format("key file {}: {}; restore it from your backup or set STACKUP_KEY_FILE", path,
                     std::strerror(error));
}

// O_NOFOLLOW: a link planted at the key's path is refused, not followed; O_NONBLOCK: a FIFO there
// cannot hang stackup before fstat refuses it.
constexpr int key_file_flags = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

// fstat on the descriptor already open, so what is checked is what is read.
base::Result<struct stat> status_of(const std::string& path, const Descriptor& fd) {
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return base::fail(open_error(path, errno));
  if (!S_ISREG(info.st_mode)) return base::fail(fmt::format("key file {} is not a regular file", path));
  return info;
}

// Reads what fits in `text`; the count, or -1.
ssize_t read_some(int fd, KeyText& text) {
  std::size_t size = 0;
  while (size < text.size()) {
    const auto count = ::read(fd, text.data() + size, text.size() - size);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) return -1;
    if (count == 0) break;
    size += static_cast<std::size_t>(count);
  }
  return static_cast<ssize_t>(size);
}

base::Result<crypto::Key> parse(const std::string& path, std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto key = crypto::key_from_hex(text);
  if (!key) return base::fail(fmt::format("key file {} does not hold a 256-bit key in hex", path));
  return key;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto count = ::write(fd, data, size);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return false;
    data += count;
    size -= static_cast<std::size_t>(count);
  }
  return true;
}

std::vector<std::string> temporaries_of(const std::string& path) {
  std::vector<std::string> found;
  const auto directory = directory_of(path);
  const auto prefix = temporary_prefix(path);
  DIR* listing = ::opendir(directory.c_str());
  if (listing == nullptr) return found;
  while (const auto* entry = ::readdir(listing)) {
    if (std::string_view(entry->d_name).starts_with(prefix)) found.push_back(directory + "/" + entry->d_name);
  }
  ::closedir(listing);
  return found;
}

bool has_temporary_twin(const std::string& path, const struct stat& info) {
  for (const auto& temporary : temporaries_of(path)) {
    struct stat twin {};
    if (::lstat(temporary.c_str(), &twin) == 0 && twin.st_dev == info.st_dev && twin.st_ino == info.st_ino) return true;
  }
  return false;
}

base::Result<void> write_temporary(const std::string& path, const std::string& temporary, const crypto::Key& key) {
  Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return base::fail(fmt::format("cannot create the key file {}: {}", path, std::strerror(errno)));
  std::array<char, 2 * crypto::key_size + 1> text{};
  crypto::key_to_hex(key, text.data());
  text.back() = '\n';
  const bool written = write_all(fd.get(), text.data(), text.size()) && ::fsync(fd.get()) == 0;
  const int saved = errno;
  base::wipe(text.data(), text.size());
  if (!written) return base::fail(fmt::format("cannot write the key file {}: {}", path, std::strerror(saved)));
  return {};
}

}  // namespace

base::Result<crypto::Key> read(const std::string& path) {
  const Descriptor fd(::open(path.c_str(), O_RDONLY | key_file_flags));
  if (!fd.valid()) return base::fail(open_error(path, errno));
  const auto info = status_of(path, fd);
  if (!info) return base::fail(info.error().message);
  if (auto usable = check_private(path, *info, false); !usable) return base::fail(usable.error().message);
  KeyText text{};
  const auto size = read_some(fd.get(), text);
  base::Result<crypto::Key> key = base::fail(open_error(path, errno));
  if (size >= 0) key = parse(path, std::string_view(text.data(), static_cast<std::size_t>(size)));
  base::wipe(text.data(), text.size());
  return key;
}

base::Result<Found> find(const std::string& path) {
  const Descriptor fd(::open(path.c_str(), O_RDONLY | key_file_flags));
  if (!fd.valid()) {
    if (errno == ENOENT) return Found::nothing;
    return base::fail(open_error(path, errno));
  }
  const auto info = status_of(path, fd);
  if (!info) return base::fail(info.error().message);
  if (info->st_size == 0) return Found::empty;
  if (info->st_nlink > 1 && has_temporary_twin(path, *info)) return Found::interrupted;
  return Found::key;
}

base::Result<crypto::Key> create(const std::string& path) {
  const auto temporary = directory_of(path) + "/" + temporary_prefix(path) + crypto::to_hex(crypto::random_bytes(8));
  const auto key = crypto::random_key();
  if (auto written = write_temporary(path, temporary, key); !written) {
    ::unlink(temporary.c_str());
    return base::fail(written.error().message);
  }
  if (::link(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    if (saved == EEXIST) {
      return base::fail(fmt::format("cannot create the key file {}: it already exists, and stackup never replaces a "
                                    "key file",
                                    path));
    }
    return base::fail(fmt::format("cannot create the key file {}: {}", path, std::strerror(saved)));
  }
  if (auto synced = sync_directory(directory_of(path)); !synced) return base::fail(synced.error().message);
  return key;
}

void forget_temporaries(const std::string& path) {
  // Unlinked, never overwritten: ours is a second name of the key file itself.
  for (const auto& temporary : temporaries_of(path)) ::unlink(temporary.c_str());
}

base::Result<void> destroy(const std::string& path) {
  const Descriptor fd(::open(path.c_str(), O_WRONLY | key_file_flags));
  if (!fd.valid() && errno == ENOENT) return {};
  if (!fd.valid()) return base::fail(fmt::format("cannot remove the key file {}: {}", path, std::strerror(errno)));
  const auto info = status_of(path, fd);
  if (!info) return base::fail(info.error().message);
  // Only the last name's bytes are overwritten: another name (a backup made with ln) keeps the file,
  // and overwriting would destroy that copy rather than free blocks.
  const std::vector<char> zeros(info->st_nlink == 1 ? static_cast<std::size_t>(info->st_size) : 0, 0);
  if (!write_all(fd.get(), zeros.data(), zeros.size()) || ::fsync(fd.get()) != 0 || ::unlink(path.c_str()) != 0) {
    return base::fail(fmt::format("cannot remove the key file {}: {}", path, std::strerror(errno)));
  }
  return sync_directory(directory_of(path));
}

}  // namespace stackup::store::key_file
