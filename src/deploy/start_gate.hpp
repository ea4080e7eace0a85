#pragma once
// Starts containers side by side, but lets only one at a time join its networks.
//
// Why: Docker 20.10's network library can count an endpoint twice when two containers join one
// network at the same moment, and then refuses to remove that network until the engine restarts
// (seen in about 1 of 20 deploys of 30 services). Joining is the first, short part of a start; the
// engine reports its end on its event stream, and the next start goes then, while the rest of the
// previous one (most of its time) runs on.
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/error.hpp"
#include "engine/engine.hpp"

namespace stackup::deploy {

class StartGate {
 public:
  // Without the engine's event stream, starts are not held back.
  explicit StartGate(engine::Engine& engine);

  // Starts the container, once no other start is joining networks; `networks` is how many it joins.
  base::Result<void> start(const std::string& id, std::size_t networks);

 private:
  engine::Engine& engine_;
  std::mutex turn_;  // held by the start that is joining its networks
  std::mutex mutex_;  // guards joined_
  std::condition_variable joined_a_network_;
  std::map<std::string, std::size_t> joined_;  // networks joined, by container id
  std::unique_ptr<engine::Watch> watch_;  // last: it calls into the members above until destroyed
};

}  // namespace stackup::deploy
