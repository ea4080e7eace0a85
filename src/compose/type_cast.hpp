#pragma once
// Phase 2b, after interpolation: booleans and modes read as compose-go reads them. YAML 1.2 reads
// `init: yes` as a string, and a quoted "${MODE}" stays one; compose-go casts the strings at these
// places (booleans: y/yes/true/on and n/no/false/off, in any case; modes in base 8). Numbers are not
// cast: a plain ${N} interpolates to a number already, as docker-compose 1.x read it.
#include "compose/node.hpp"

namespace stackup::compose {

void cast_typed_values(Node& root);

}  // namespace stackup::compose
