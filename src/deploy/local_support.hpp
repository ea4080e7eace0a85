#pragma once
// Pieces the local orchestrator's apply and down share.
#include <string>

#include "base/error.hpp"
#include "engine/engine.hpp"

namespace stackup::deploy {

// "com.docker.stack.namespace=STACK": how the stack's objects are found.
std::string stack_filter(const std::string& stack);

// Removes one of the stack's networks, or says why the engine keeps it and what to do.
base::Result<void> remove_stack_network(engine::Engine& engine, const engine::Resource& network, const std::string& stack);

}  // namespace stackup::deploy
