#include "cli/store_options.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <bsd/readpassphrase.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

namespace stackup::cli {
namespace {

std::string empty_passphrase_file(const std::string& path) {
  return fmt::format("passphrase file {} is empty; an empty passphrase is not allowed", path);
}

// Like ssh with a private key: a passphrase file that its group or others can use is refused, as
// checked on the open descriptor.
base::Result<void> check_passphrase_file(const std::string& path, int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return base::fail(fmt::format("passphrase file {}: {}", path, std::strerror(errno)));
  const auto mode = info.st_mode & 07777;
  if (S_ISREG(info.st_mode) && (mode & 077) != 0) {
    return base::fail(fmt::format(
        "permissions {:04o} for {} are too open: other users could read it; run: chmod 600 {}", mode, path, path));
  }
  if (S_ISREG(info.st_mode) && info.st_size == 0) return base::fail(empty_passphrase_file(path));
  return {};
}

base::Result<base::SecretBytes> read_passphrase(const std::string& path, int fd) {
  if (auto checked = check_passphrase_file(path, fd); !checked) return base::fail(checked.error().message);
  auto value = base::read_secret(fd);
  if (!value) return base::fail(fmt::format("passphrase file {}: {}", path, value.error().message));
  return value;
}

base::Result<base::SecretBytes> passphrase_from_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::fail(fmt::format("passphrase file {}: {}", path, std::strerror(errno)));
  auto value = read_passphrase(path, fd);
  ::close(fd);
  if (!value) return value;
  std::size_t size = value->size();
  while (size > 0 && (value->data()[size - 1] == '\n' || value->data()[size - 1] == '\r')) --size;
  if (size == 0) return base::fail(empty_passphrase_file(path));
  base::SecretBytes trimmed(value->view().substr(0, size));
  return trimmed;
}

// Reads one line from the terminal with echo off, without its newline. readpassphrase(3) restores
// the terminal on every way out, Ctrl-C at the prompt included (it restores it, then passes the
// signal on), which a hand-rolled tcsetattr pair does not.
base::Result<base::SecretBytes> prompt(const std::string& question, std::string_view what) {
  constexpr std::size_t longest = 4096;
  base::SecretBytes buffer;  // wiped when it goes, like the value copied out of it
  buffer.resize_uninitialized(longest + 1);
  if (::readpassphrase(question.c_str(), buffer.data(), buffer.size(), RPP_REQUIRE_TTY) == nullptr) {
    return base::fail(fmt::format("no terminal to ask for the {} on", what));
  }
  base::SecretBytes line(std::string_view(buffer.data(), ::strnlen(buffer.data(), buffer.size())));
  if (line.size() >= longest) {
    return base::fail(fmt::format("a typed {} is one line of at most {} bytes; give a longer one in a file", what, longest - 1));
  }
  if (line.empty()) return base::fail(fmt::format("an empty {} is not allowed", what));
  return line;
}

base::Result<base::SecretBytes> prompt_passphrase(const std::string& question) {
  auto answer = prompt(question, "passphrase");
  if (!answer && answer.error().message.starts_with("no terminal")) {
    return base::fail(answer.error().message + "; set STACKUP_PASSPHRASE_FILE");
  }
  return answer;
}

}  // namespace

void StoreLocation::add_to(CLI::App& command) {
  command.add_option("--store", directory, "Secret store directory (default: STACKUP_STORE, /var/lib/stackup as root)")
      ->type_name("DIR");
}

store::StoreOptions StoreLocation::options(Context& context) const {
  store::StoreOptions options;
  options.directory = store::choose_store_directory({directory, context.variable("STACKUP_STORE"),
                                                     context.variable("HOME"), context.variable("XDG_DATA_HOME"),
                                                     ::geteuid() == 0});
  options.unlock.key_file = context.variable("STACKUP_KEY_FILE");
  options.unlock.notice = [&context](const std::string& message) { context.io.err << "stackup: " << message << '\n'; };
  options.unlock.passphrase = [&context](bool new_passphrase) -> base::Result<base::SecretBytes> {
    const auto file = context.variable(new_passphrase && !context.variable("STACKUP_NEW_PASSPHRASE_FILE").empty()
                                            ? "STACKUP_NEW_PASSPHRASE_FILE"
                                            : "STACKUP_PASSPHRASE_FILE");
    if (!file.empty()) return passphrase_from_file(file);
    if (!new_passphrase) return prompt_passphrase("Passphrase for the secret store: ");
    auto first = prompt_passphrase("New passphrase for the secret store: ");
    if (!first) return first;
    auto second = prompt_passphrase("Repeat the new passphrase: ");
    if (!second) return second;
    if (first->view() != second->view()) return base::fail("the two passphrases differ");
    return first;
  };
  return options;
}

base::Result<store::SecretStore> open_store_for_reading(const StoreLocation& location, Context& context) {
  return store::SecretStore::open_for_reading(location.options(context));
}

base::Result<store::SecretStore> open_store_for_writing(const StoreLocation& location, Context& context) {
  return store::SecretStore::open_for_writing(location.options(context));
}

base::Result<base::SecretBytes> read_value(const std::string& source, const std::string& name) {
  // Typed on a terminal: asked for with echo off, and the newline that ends it is not part of it.
  if (source == "-" && ::isatty(STDIN_FILENO)) return prompt(fmt::format("Value of secret {}: ", name), "value");
  if (source == "-") return base::read_secret(STDIN_FILENO);
  auto value = base::read_secret_file(source);
  if (!value && value.error().message != base::secret_size_message) {
    return base::fail(fmt::format("{}: {}", source, value.error().message));
  }
  return value;
}

}  // namespace stackup::cli
