#pragma once
// Phase 5: the canonical form of a merged document. Service secrets and configs in long syntax with
// defaults (target = source, uid/gid "0", mode 0444); environment and labels lists as mappings;
// relative `file:`, `env_file` and bind paths made absolute against the project directory; `~` expanded.
#include <string>

#include "compose/node.hpp"

namespace stackup::compose {

struct PathContext {
  std::string project_directory;  // absolute
  std::string home;               // for `~`; empty when unknown
  [[nodiscard]] std::string absolute(const std::string& path) const;
};

void canonicalize(Node& document, const PathContext& paths);

}  // namespace stackup::compose
