// Secret values from a command: its standard output, or an error that says what went wrong.
#include <gtest/gtest.h>

#include "deploy/command_source.hpp"

namespace stackup::deploy {
namespace {

using namespace std::chrono_literals;

std::string run(const std::vector<std::string>& argv, std::chrono::nanoseconds timeout = 10s) {
  auto value = run_secret_command(argv, timeout);
  return value ? "value: " + std::string(value->view()) : "error: " + value.error().message;
}

TEST(SecretCommand, TheValueIsStandardOutputWithoutTrailingNewlines) {
  EXPECT_EQ(run({"printf", "s3cret\\n\\n"}), "value: s3cret");
  EXPECT_EQ(run({"printf", "two\\nlines\\n"}), "value: two\nlines");
  // No shell: a shell's characters are plain arguments.
  EXPECT_EQ(run({"echo", "$HOME", "|", "x"}), "value: $HOME | x");
}

TEST(SecretCommand, FailuresSayWhatHappenedWithTheEndOfStandardError) {
  EXPECT_EQ(run({"sh", "-c", "echo 'Error: db is not in the password store.' >&2; exit 1"}),
            "error: sh -c echo 'Error: db is not in the password store.' >&2; exit 1 exited with code 1: Error: db is not "
            "in the password store.");
  EXPECT_EQ(run({"true"}), "error: true printed nothing");
  EXPECT_EQ(run({"no-such-password-manager", "read"}), "error: cannot run no-such-password-manager: No such file or directory");
  EXPECT_EQ(run({"sh", "-c", "kill -9 $$"}), "error: sh -c kill -9 $$ was killed by signal 9");
  EXPECT_EQ(run({"sleep", "5"}, 200ms), "error: sleep 5 did not finish within 200ms and was stopped");
  // Output closed, still running: the timeout holds for its exit too.
  EXPECT_EQ(run({"sh", "-c", "exec >&- 2>&-; sleep 5"}, 300ms),
            "error: sh -c exec >&- 2>&-; sleep 5 did not finish within 300ms and was stopped");
  EXPECT_EQ(run({"head", "-c", "600000", "/dev/zero"}),
            "error: head -c 600000 /dev/zero printed too much: secret data must be larger than 0 and less than 512000 bytes");
}

}  // namespace
}  // namespace stackup::deploy
