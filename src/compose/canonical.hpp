#pragma once
// Phase 5: the canonical form of a merged document. Service secrets and configs in long syntax with
// defaults (target = source, uid/gid "0", mode 0444); environment and labels lists as mappings;
// relative `file:`, `env_file`, bind and build context paths made absolute against the project directory; `~` expanded.
#include <string>

#include "compose/node.hpp"

namespace stackup::compose {

struct PathContext {
  std::string project_directory;  // absolute
  std::string home;               // for `~`; empty when unknown
  [[nodiscard]] std::string absolute(const std::string& path) const;
};

void canonicalize(Node& document, const PathContext& paths);

// Only the path part of canonicalize: relative host paths (env_file, bind sources, build context,
// secret and config files) made absolute. An extended or included file's paths count from its own
// directory, so they are made absolute before its services join the project.
void make_paths_absolute(Node& document, const PathContext& paths);
void make_service_paths_absolute(Node& service, const PathContext& paths);

}  // namespace stackup::compose
