#pragma once
// The per-version rules of compose file format 3.x for secrets, from docker/cli's v3.x schemas:
// no secrets in 3.0, `name` from 3.5, `x-` keys from 3.7, `driver`/`template_driver` from 3.8,
// `environment` only in the compose-spec (no `version:`). A missing `version` means the newest.
#include <string>

#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

struct FormatVersion {
  bool declared = false;
  int major = 3;
  int minor = 99;  // "3" and no version at all mean the newest 3.x
  std::string text;
  base::Location location;

  [[nodiscard]] bool at_least(int wanted_major, int wanted_minor) const {
    return major > wanted_major || (major == wanted_major && minor >= wanted_minor);
  }
};

// Reads `version:`; an unreadable one is reported and treated as the newest.
FormatVersion read_format_version(const Node& root, base::Diagnostics& diagnostics);

void check_version_rules(const Node& root, const FormatVersion& version, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
