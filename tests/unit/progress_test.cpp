// Deploy progress: lines updated in place on a terminal, plain lines otherwise; NO_COLOR drops the
// bold, not the in-place updates.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/engine_options.hpp"

namespace stackup::cli {
namespace {

std::string progress_of(bool terminal, const std::vector<std::string>& environment) {
  std::ostringstream out;
  std::ostringstream err;
  Context context{{out, err, terminal, terminal}, compose::Environment::from_strings(environment), "/"};
  ProgressPrinter printer(context, false);
  printer.update("Container a", "Creating");
  printer.update("Container b", "Creating");
  printer.update("Container a", "Started");
  return err.str();
}

TEST(ProgressPrinter, UpdatesLinesInPlaceOnATerminal) {
  EXPECT_EQ(progress_of(true, {"TERM=xterm"}),
            " \033[1mContainer a\033[0m Creating\n"
            " \033[1mContainer b\033[0m Creating\n"
            "\033[2A\r\033[K \033[1mContainer a\033[0m Started\033[2B\r");
}

TEST(ProgressPrinter, NoColorKeepsInPlaceUpdatesWithoutBold) {
  EXPECT_EQ(progress_of(true, {"TERM=xterm", "NO_COLOR=1"}),
            " Container a Creating\n"
            " Container b Creating\n"
            "\033[2A\r\033[K Container a Started\033[2B\r");
}

TEST(ProgressPrinter, PrintsPlainLinesOffATerminalOrOnADumbOne) {
  const std::string plain = " Container a Creating\n Container b Creating\n Container a Started\n";
  EXPECT_EQ(progress_of(false, {"TERM=xterm"}), plain);
  EXPECT_EQ(progress_of(true, {"TERM=dumb"}), plain);
}

}  // namespace
}  // namespace stackup::cli
