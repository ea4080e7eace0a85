#pragma once
// While an InterruptGuard lives, SIGINT, SIGTERM and SIGHUP set a flag instead of ending stackup, so
// a deploy stops at its next step and rolls back rather than leave a half-made stack. Each handler
// fires once (SA_RESETHAND): a second Ctrl-C ends stackup at once, as usual.
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

 private:
  struct sigaction previous_[3] {};
};

}  // namespace stackup::cli
