#pragma once
// Directories that hold plaintext secrets, opened so that nobody else can steer where we write, wipe
// or unmount. A path is walked from / one component at a time with O_NOFOLLOW: no symbolic link is
// followed anywhere, every level is owned by root or by us and cannot be changed by others (unless
// sticky, like /dev/shm), and the directory itself is ours and private (no group or other bits).
// Everything below it is then reached with openat() from the descriptor, never by a path string.
#include <string>

#include "base/error.hpp"

namespace stackup::deploy {

// An open file descriptor, closed when it goes.
class Descriptor {
 public:
  Descriptor() = default;
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(Descriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Descriptor& operator=(Descriptor&& other) noexcept;
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor();

  [[nodiscard]] int get() const { return fd_; }
  // The path the kernel resolves to exactly this descriptor's file, for calls that take no
  // descriptor (mount, umount2): /proc/self/fd/N.
  [[nodiscard]] std::string proc_path() const;

 private:
  int fd_ = -1;
};

// Opens an existing private directory, checking every level from /.
base::Result<Descriptor> open_private_directory(const std::string& path);
// The same, creating the last level (mode 0700) when it is missing.
base::Result<Descriptor> make_private_directory(const std::string& path);

// One level below an open private directory. `name` must be a single path component; `shown` is
// the path for messages. With `create`, a missing directory is made (mode 0700).
base::Result<Descriptor> open_private_child(const Descriptor& parent, const std::string& name, const std::string& shown,
                                            bool create);

// Whether `name` exists in `parent` (as anything, a symbolic link included).
bool has_entry(const Descriptor& parent, const std::string& name);

// True for a name that is one path component: not empty, not "." or "..", no '/' and no NUL.
bool is_single_component(const std::string& name);

}  // namespace stackup::deploy
