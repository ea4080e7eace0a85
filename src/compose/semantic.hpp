#pragma once
// Phase 6: the checks a schema cannot express: references between sections, one source per secret,
// file modes, uid/gid ranges, targets, names against Docker's rules, dependency cycles, the labels
// stackup reserves for itself, secret files on disk and secret variables.
// Like compose-go, the checks are a table keyed by document path (see semantic.cpp).
#include <string>

#include "base/diagnostic.hpp"
#include "compose/environment.hpp"
#include "compose/filesystem.hpp"
#include "compose/orchestrator_rules.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

struct SemanticContext {
  const Node& document;
  std::string stack_name;
  std::string project_directory;  // messages show paths relative to it, as the user wrote them
  bool strict = false;  // problems with secret files are errors, not warnings
  const FileSystem& files;
  const Environment& environment;
  base::Diagnostics& diagnostics;
  Orchestrator orchestrator = Orchestrator::local;
};

void check_semantics(const SemanticContext& context);

}  // namespace stackup::compose
