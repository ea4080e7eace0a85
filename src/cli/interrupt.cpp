#include "cli/interrupt.hpp"

namespace stackup::cli {
namespace {

constexpr int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};

// Lock-free, so setting it is safe in a signal handler.
std::atomic<bool> interrupted_flag = false;
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int /*signal*/) { interrupted_flag.store(true); }

}  // namespace

InterruptGuard::InterruptGuard() {
  interrupted_flag.store(false);
  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(handled_signals[i], &action, &previous_[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 3; ++i) sigaction(handled_signals[i], &previous_[i], nullptr);
}

const std::atomic<bool>& InterruptGuard::interrupted() const { return interrupted_flag; }

}  // namespace stackup::cli
