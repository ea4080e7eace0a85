#include "deploy/start_gate.hpp"

#include <thread>

#include "base/log.hpp"

namespace stackup::deploy {

StartGate::StartGate(engine::Engine& engine) : engine_(engine) {
  auto watch = engine_.watch_network_connects([this](const std::string& id) {
    const std::lock_guard lock(mutex_);
    ++joined_[id];
    joined_a_network_.notify_all();
  });
  if (watch) {
    watch_ = std::move(*watch);
  } else {
    base::log::info("starts are not held back while containers join networks: {}", watch.error().message);
  }
}

base::Result<void> StartGate::start(const std::string& id, std::size_t networks) {
  if (!watch_ || networks == 0) return engine_.start_container(id);
  std::unique_lock turn(turn_);
  bool finished = false;
  base::Result<void> result;
  std::jthread starter([&] {
    auto started = engine_.start_container(id);
    const std::lock_guard lock(mutex_);
    result = std::move(started);
    finished = true;
    joined_a_network_.notify_all();
  });
  {
    std::unique_lock lock(mutex_);
    // A start that fails before joining ends the wait too.
    joined_a_network_.wait(lock, [&] { return finished || joined_[id] >= networks; });
    joined_.erase(id);
    base::log::debug("container {}: {}", id.substr(0, 12), finished ? "started before its networks were reported" : "joined its networks");
  }
  turn.unlock();
  starter.join();
  return result;
}

}  // namespace stackup::deploy
