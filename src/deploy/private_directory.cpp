#include "deploy/private_directory.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace stackup::deploy {
namespace {

std::string errno_text() { return std::strerror(errno); }

// "mallory (uid 1001)", or "uid 1001" for an unknown user.
std::string owner_text(uid_t uid) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  std::vector<char> buffer(4096);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return fmt::format("{} (uid {})", found->pw_name, uid);
  }
  return fmt::format("uid {}", uid);
}

std::string refusal(const std::string& path, const std::string& why) {
  return fmt::format("refusing to use {} for secrets: {}", path, why);
}

// A level on the way: root's or ours, and not changeable by others unless sticky (then the next
// level's owner is what counts).
base::Result<void> check_ancestor(const struct stat& info, const std::string& path) {
  if (info.st_uid != 0 && info.st_uid != ::geteuid()) {
    return base::fail(refusal(path, fmt::format("it is owned by {}, neither root nor this user", owner_text(info.st_uid))));
  }
  if ((info.st_mode & 022) != 0 && (info.st_mode & S_ISVTX) == 0) {
    return base::fail(refusal(path, fmt::format("other users can change it (mode {:04o})", info.st_mode & 07777)));
  }
  return {};
}

// The directory itself: ours and private.
base::Result<void> check_private(const struct stat& info, const std::string& path) {
  if (info.st_uid != ::geteuid()) {
    return base::fail(refusal(path, fmt::format("it is owned by {}, but stackup runs as {}; another user may have made it "
                                                "to read or swap secrets: remove it",
                                                owner_text(info.st_uid), owner_text(::geteuid()))));
  }
  if ((info.st_mode & 077) != 0) {
    return base::fail(refusal(path, fmt::format("its mode is {:04o}, and it must be private to this user: run chmod 700 {}",
                                                info.st_mode & 07777, path)));
  }
  return {};
}

// Opens one level without following a link; says what is there instead of a directory.
base::Result<Descriptor> open_level(int parent, const std::string& name, const std::string& path, int flags) {
  const int fd = ::openat(parent, name.c_str(), flags | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) return Descriptor(fd);
  const int failure = errno;
  struct stat info {};
  if (::fstatat(parent, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(info.st_mode)) return base::fail(refusal(path, "it is a symbolic link"));
    if (!S_ISDIR(info.st_mode)) return base::fail(refusal(path, "it is not a directory"));
  }
  return base::fail(fmt::format("cannot open {}: {}", path, std::strerror(failure)));
}

base::Result<struct stat> status_of(const Descriptor& descriptor, const std::string& path) {
  struct stat info {};
  if (::fstat(descriptor.get(), &info) != 0) return base::fail(fmt::format("cannot inspect {}: {}", path, errno_text()));
  return info;
}

base::Result<Descriptor> open_path(const std::string& path, bool create) {
  if (path.empty() || path.front() != '/') return base::fail(refusal(path, "it is not an absolute path"));
  std::vector<std::string> names;
  for (std::size_t start = 1; start <= path.size();) {
    const auto end = std::min(path.find('/', start), path.size());
    if (end > start) names.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (names.empty()) return base::fail(refusal(path, "it is the root directory"));
  Descriptor current(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (current.get() < 0) return base::fail(fmt::format("cannot open /: {}", errno_text()));
  std::string walked;
  for (std::size_t i = 0; i + 1 < names.size(); ++i) {
    if (!is_single_component(names[i])) return base::fail(refusal(path, "it has a . or .. component"));
    walked += "/" + names[i];
    auto next = open_level(current.get(), names[i], walked, O_PATH);
    if (!next) return std::unexpected(next.error());
    auto info = status_of(*next, walked);
    if (!info) return std::unexpected(info.error());
    if (auto ok = check_ancestor(*info, walked); !ok) return std::unexpected(ok.error());
    current = std::move(*next);
  }
  return open_private_child(current, names.back(), path, create);
}

}  // namespace

Descriptor& Descriptor::operator=(Descriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Descriptor::~Descriptor() {
  if (fd_ >= 0) ::close(fd_);
}

std::string Descriptor::proc_path() const { return fmt::format("/proc/self/fd/{}", fd_); }

bool is_single_component(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

bool has_entry(const Descriptor& parent, const std::string& name) {
  struct stat info {};
  return ::fstatat(parent.get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
}

base::Result<Descriptor> open_private_child(const Descriptor& parent, const std::string& name, const std::string& shown,
                                            bool create) {
  if (!is_single_component(name)) return base::fail(refusal(shown, "its name is not a single path component"));
  if (create && ::mkdirat(parent.get(), name.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::fail(fmt::format("cannot create {}: {}", shown, errno_text()));
  }
  auto opened = open_level(parent.get(), name, shown, O_RDONLY);
  if (!opened) return opened;
  auto info = status_of(*opened, shown);
  if (!info) return std::unexpected(info.error());
  if (auto ok = check_private(*info, shown); !ok) return std::unexpected(ok.error());
  return opened;
}

base::Result<Descriptor> open_private_directory(const std::string& path) { return open_path(path, false); }

base::Result<Descriptor> make_private_directory(const std::string& path) { return open_path(path, true); }

}  // namespace stackup::deploy
