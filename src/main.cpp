#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.hpp"

extern char** environ;

// stackup holds plaintext secrets in memory: a crash must not write them to a core file, and other
// processes of the same user may not read its memory (ptrace, /proc/PID/mem) while it runs.
void keep_memory_private() {
  ::prctl(PR_SET_DUMPABLE, 0);
  const struct rlimit no_core {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
}

int main(int argc, char** argv) {
  keep_memory_private();
  std::vector<std::string> arguments(argv + 1, argv + argc);
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) environment.emplace_back(*variable);
  std::error_code error;
  const auto working_directory = std::filesystem::current_path(error).string();
  return stackup::cli::run(arguments, environment, working_directory,
                           {std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1, ::isatty(STDERR_FILENO) == 1});
}
