#pragma once
// While an InterruptGuard lives, SIGINT, SIGTERM and SIGHUP set a flag instead of ending stackup, so
// a deploy stops at its next step and rolls back rather than leave a half-made stack. Each handler
// fires once (SA_RESETHAND): a second Ctrl-C ends stackup at once, as usual.
#include <array>
#include <atomic>
#include <csignal>

namespace stackup::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  [[nodiscard]] const std::atomic<bool>& interrupted() const;

  // One per handled signal: SIGINT, SIGTERM, SIGHUP.
  using previous_handlers = std::array<struct sigaction, 3>;

 private:
  previous_handlers previous_{};
};

}  // namespace stackup::cli
