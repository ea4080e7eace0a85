#include "cli/interrupt.hpp"

#include <unistd.h>

#include <iterator>
#include <tuple>

namespace stackup::cli {
namespace {

constexpr int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};
static_assert(std::size(handled_signals) == std::tuple_size_v<InterruptGuard::previous_handlers>);

// Lock-free, so setting it is safe in a signal handler.
std::atomic<bool> interrupted_flag = false;
static_assert(std::atomic<bool>::is_always_lock_free);

// Says at once that the signal was heard: a deploy may be in a long step (a pull, a health wait).
// write(2) is async-signal-safe; iostreams are not.
extern "C" void on_signal(int /*signal*/) {
  interrupted_flag.store(true);
  static constexpr char notice[] = "\nstackup: stopping at the next step and rolling back; interrupt again to quit at once\n";
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, notice, sizeof notice - 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  interrupted_flag.store(false);
  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < std::size(handled_signals); ++i) sigaction(handled_signals[i], &action, &previous_[i]);
}

InterruptGuard::~InterruptGuard() {
  for (std::size_t i = 0; i < std::size(handled_signals); ++i) sigaction(handled_signals[i], &previous_[i], nullptr);
}

const std::atomic<bool>& InterruptGuard::interrupted() const { return interrupted_flag; }

}  // namespace stackup::cli
