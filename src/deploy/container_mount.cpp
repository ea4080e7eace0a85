#include "deploy/container_mount.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/mount.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "deploy/private_directory.hpp"

namespace stackup::deploy {
namespace {

#ifdef MOVE_MOUNT_BENEATH
constexpr unsigned move_mount_beneath = MOVE_MOUNT_BENEATH;
#else
constexpr unsigned move_mount_beneath = 0x00000200;  // Linux 6.5; newer than Debian 12's headers
#endif

// Where the child stopped, sent to the parent with errno through a pipe.
// lost: the child ended without a report; timeout: it did not answer in time (and was killed).
enum class Step : int { done, enter, open, not_ours, mount, detach, lost, timeout };

struct Report {
  Step step = Step::done;
  int error = 0;
};

[[noreturn]] void finish(int pipe, Step step, int error) {
  const Report report{step, error};
  (void)!::write(pipe, &report, sizeof report);
  ::_exit(step == Step::done ? 0 : 1);
}

// Runs in a forked child: single-threaded, so it may join another mount namespace (a thread of a
// multi-threaded process may not), and it makes only system calls, as a child of a threaded fork must.
[[noreturn]] void swap_in_child(int pipe, int mount_namespace, int tree, const char* target, const struct stat& replaced) {
  if (::setns(mount_namespace, CLONE_NEWNS) != 0) finish(pipe, Step::enter, errno);
  const int at = ::open(target, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (at < 0) finish(pipe, Step::open, errno);
  struct stat seen {};
  if (::fstat(at, &seen) != 0 || seen.st_dev != replaced.st_dev || seen.st_ino != replaced.st_ino) {
    finish(pipe, Step::not_ours, 0);
  }
  constexpr unsigned by_descriptor = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
  if (::move_mount(tree, "", at, "", by_descriptor | move_mount_beneath) == 0) {
    if (::umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) != 0) finish(pipe, Step::detach, errno);
    finish(pipe, Step::done, 0);
  }
  if (errno != EINVAL) finish(pipe, Step::mount, errno);
  if (::move_mount(tree, "", at, "", by_descriptor) != 0) finish(pipe, Step::mount, errno);  // before Linux 6.5
  finish(pipe, Step::done, 0);
}

std::string errno_text() { return std::strerror(errno); }

std::string describe(const Report& report, const std::string& target) {
  const std::string cause = report.error ? std::strerror(report.error) : "";
  switch (report.step) {
    case Step::enter: return "cannot enter the container's mount namespace: " + cause;
    case Step::open: return fmt::format("cannot open {} in the container: {}", target, cause);
    case Step::not_ours:
      return fmt::format("{} in the container is not the secret file stackup mounted there; recreate the container "
                         "(stop it and run stackup deploy)",
                         target);
    case Step::mount: return fmt::format("cannot mount the new file at {} in the container: {}", target, cause);
    case Step::detach:
      return fmt::format("the new file is mounted beneath the old one at {} in the container, but the old one could not "
                         "be detached: {}; recreate the container (stop it and run stackup deploy)",
                         target, cause);
    case Step::lost: return fmt::format("mounting the new file at {} in the container ended without an answer", target);
    case Step::timeout: return fmt::format("mounting the new file at {} in the container did not finish in 10 s", target);
    default: return "";
  }
}

// Waits for the child's report, at most `limit`: a path lookup that hangs inside the container
// must not hang the deploy. A child that ends without a report (killed) is a failure too.
Report await_report(int reading, pid_t child, std::chrono::milliseconds limit) {
  Report report{Step::lost, 0};
  pollfd ready{reading, POLLIN, 0};
  int polled = 0;
  while ((polled = ::poll(&ready, 1, static_cast<int>(limit.count()))) < 0 && errno == EINTR) {
  }
  if (polled == 0) {
    ::kill(child, SIGKILL);
    report = {Step::timeout, 0};
  } else if (polled > 0 && ::read(reading, &report, sizeof report) != static_cast<ssize_t>(sizeof report)) {
    report = {Step::lost, 0};
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return report;
}

}  // namespace

base::Result<void> swap_file_mount(int pid, int directory, const std::string& name, const std::string& target,
                                   const struct stat& replaced) {
  const Descriptor mount_namespace(::open(fmt::format("/proc/{}/ns/mnt", pid).c_str(), O_RDONLY | O_CLOEXEC));
  struct stat theirs {}, ours {};
  if (mount_namespace.get() < 0 || ::fstat(mount_namespace.get(), &theirs) != 0 || ::stat("/proc/self/ns/mnt", &ours) != 0) {
    return base::fail(fmt::format("cannot reach the container's mount namespace: {}", errno_text()));
  }
  if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
    return base::fail("the container's process is in stackup's own mount namespace: refusing to mount there");
  }
  // A detached copy of the new file's mount, read-only like every secret mount, and private: as a
  // clone it would otherwise stay a peer of the host's tmpfs mount (shared under /run with
  // systemd), and a later mount at the target would propagate back to the host.
  const Descriptor tree(::open_tree(directory, name.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW));
  struct mount_attr attributes {};
  attributes.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  attributes.propagation = MS_PRIVATE;
  if (tree.get() < 0 || ::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attributes, sizeof attributes) != 0) {
    return base::fail(fmt::format("cannot make a read-only mount of the new file: {}", errno_text()));
  }
  int channel[2];
  if (::pipe2(channel, O_CLOEXEC) != 0) return base::fail(fmt::format("cannot make a pipe: {}", errno_text()));
  const Descriptor reading(channel[0]);
  Descriptor writing(channel[1]);
  // _Fork, not fork: no atfork handlers (a library's, such as GnuTLS's) run in a child that may only make
  // system calls; and the child blocks every signal, so stackup's own handlers never run there.
  sigset_t all, before;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t child = ::_Fork();
  if (child == 0) swap_in_child(writing.get(), mount_namespace.get(), tree.get(), target.c_str(), replaced);
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (child < 0) return base::fail(fmt::format("cannot fork: {}", errno_text()));
  writing = Descriptor();  // so that the read ends when the child does
  const auto report = await_report(reading.get(), child, std::chrono::seconds(10));
  if (report.step != Step::done) return base::fail(describe(report, target));
  return {};
}

}  // namespace stackup::deploy
