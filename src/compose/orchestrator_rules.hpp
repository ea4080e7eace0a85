#pragma once
// What an orchestrator can run, checked when loading, so that a clean `stackup validate` means the
// file deploys there. The local orchestrator does not build images, keeps secrets in stackup's store
// (no drivers), reads no Swarm configs, gives each replica its own container (no shared fixed host
// port), and ignores fields that need Swarm (a warning names each, at its place).
#include <optional>
#include <string_view>

#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

enum class Orchestrator { local, swarm };

// "local" or "swarm"; nothing for anything else.
std::optional<Orchestrator> parse_orchestrator(std::string_view name);

void check_orchestrator_rules(const Node& document, Orchestrator orchestrator, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
