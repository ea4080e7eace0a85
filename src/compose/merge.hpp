#pragma once
// Phase 4: merging several compose files (compose-spec 13-merge.md). Later files override earlier
// ones; mappings merge key by key; a service's secrets and configs merge by target and its volumes by
// container path; environment-like lists merge as mappings; command and entrypoint are replaced;
// other lists are appended without repeats. `!reset` removes a value, `!override` replaces it whole.
#include "compose/node.hpp"

namespace stackup::compose {

void merge_into(Node& base, Node overlay);

// One service over another by the same rules, as `extends:` does (the overlay is the extending service).
void merge_service(Node& base, Node overlay);

// Drops the !reset values a single file may carry (they only mean something against a base).
void strip_resets(Node& node);

}  // namespace stackup::compose
