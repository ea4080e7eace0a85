#pragma once
// The stackup command line. main() calls run() and nothing else.
#include <iosfwd>
#include <string>
#include <vector>

namespace stackup::cli {

struct Io {
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal = false;
  bool err_is_terminal = false;
};

// Exit codes: 0 ok, 1 invalid input or a failed operation, 2 usage or unreadable files.
enum ExitCode : int { exit_ok = 0, exit_failed = 1, exit_usage = 2 };

// `environment` is the process environment as NAME=VALUE strings; `working_directory` is absolute.
int run(const std::vector<std::string>& arguments, const std::vector<std::string>& environment,
        const std::string& working_directory, Io io);

}  // namespace stackup::cli
