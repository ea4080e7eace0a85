#include "deploy/command_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace stackup::deploy {
namespace {

constexpr std::size_t max_error_text = 400;  // the end of standard error, in a message

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) == 0) {
      read = ends[0];
      write = ends[1];
    }
  }
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_write() {
    ::close(write);
    write = -1;
  }
};

std::string last_line_of(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  for (auto& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text.size() > max_error_text ? "..." + text.substr(text.size() - max_error_text) : text;
}

// Reads both pipes until they close or the deadline passes: the value into `value` (no copy outside
// SecretBytes; the chunk buffer is wiped), standard error into `error`.
bool drain(Pipe& out, Pipe& err, base::SecretBytes& value, std::string& error, bool& too_big,
           std::chrono::steady_clock::time_point deadline) {
  std::array<char, 4096> chunk{};
  bool out_open = true;
  bool err_open = true;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    std::array<pollfd, 2> fds{{{out_open ? out.read : -1, POLLIN, 0}, {err_open ? err.read : -1, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const auto count = ::read(out.read, chunk.data(), chunk.size());
      if (count <= 0) {
        out_open = false;
      } else if (value.size() + static_cast<std::size_t>(count) > base::max_secret_size) {
        too_big = true;
      } else {
        value.append(chunk.data(), static_cast<std::size_t>(count));
      }
      base::wipe(chunk.data(), chunk.size());
    }
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      std::array<char, 1024> text{};
      const auto count = ::read(err.read, text.data(), text.size());
      if (count <= 0) {
        err_open = false;
      } else if (error.size() < 64 * 1024) {
        error.append(text.data(), static_cast<std::size_t>(count));
      }
    }
  }
  return true;
}

}  // namespace

base::Result<base::SecretBytes> run_secret_command(const std::vector<std::string>& argv, std::chrono::nanoseconds timeout) {
  if (argv.empty()) return base::fail("the command is empty");
  const auto shown = fmt::format("{}", fmt::join(argv, " "));
  Pipe out;
  Pipe err;
  if (out.read < 0 || err.read < 0) return base::fail(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
  // Its own process group, so that a timeout stops what it started too (pass runs gpg).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0].c_str(), &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) return base::fail(fmt::format("cannot run {}: {}", argv[0], std::strerror(spawned)));
  out.close_write();
  err.close_write();

  base::SecretBytes value;
  std::string error;
  bool too_big = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool finished = drain(out, err, value, error, too_big, deadline);
  // It may close its output and go on running: the deadline holds for its exit too.
  int status = 0;
  while (finished) {
    const auto waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid || (waited < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() > deadline) finished = false;
    if (finished) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!finished) {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (!finished) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    return base::fail(fmt::format("{} did not finish within {} and was stopped", shown,
                                  ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms)));
  }
  const auto stderr_text = last_line_of(std::move(error));
  const auto said = stderr_text.empty() ? std::string() : ": " + stderr_text;
  if (WIFSIGNALED(status)) return base::fail(fmt::format("{} was killed by signal {}{}", shown, WTERMSIG(status), said));
  if (WEXITSTATUS(status) != 0) return base::fail(fmt::format("{} exited with code {}{}", shown, WEXITSTATUS(status), said));
  if (too_big) return base::fail(fmt::format("{} printed too much: {}", shown, base::secret_size_message));
  while (!value.empty() && (value.data()[value.size() - 1] == '\n' || value.data()[value.size() - 1] == '\r')) {
    value.data()[value.size() - 1] = '\0';
    value.resize_uninitialized(value.size() - 1);
  }
  if (value.empty()) return base::fail(fmt::format("{} printed nothing", shown));
  return value;
}

}  // namespace stackup::deploy
