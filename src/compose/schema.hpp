#pragma once
// Phase 3: structural validation of one (interpolated) file against schemas/compose-spec.json, which
// is embedded in the binary. valijson does the checking; this unit turns its findings into
// compiler-style diagnostics at the offending key or value.
#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

void validate_schema(const Node& root, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
