#pragma once
// Phase 7: the canonical, validated document as plain C++ types.
#include "compose/model.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

// Fills project.services/secrets/configs/networks/volumes; assumes the document passed validation.
void bind(const Node& document, Project& project);

}  // namespace stackup::compose
