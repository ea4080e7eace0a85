#pragma once
// Phase 1: YAML text to a Node tree with 1-based positions. Anchors, aliases and `<<` merge keys are
// resolved here; alias expansion is bounded so a "billion laughs" file is refused, not expanded, and
// so is nesting, aliases expanded, so later phases can recurse safely. A NUL byte or invalid UTF-8 is
// refused before libyaml sees the text.
#include <memory>
#include <optional>

#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

// Returns the document's root (a null node for an empty document), or nullopt after reporting a
// syntax error. Duplicate keys and bad merge keys are reported too, but still yield a tree.
std::optional<Node> parse_yaml(const std::shared_ptr<const base::SourceFile>& source, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
