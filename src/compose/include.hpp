#pragma once
// `include:` (compose-spec 14-include.md): other compose applications, each loaded with its own
// project directory and environment, whose resources are copied into this one. The loader does the
// loading (it reads files); this unit reads the entries and copies what they bring.
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

struct IncludeEntry {
  std::vector<std::string> paths;      // the first is the application, the others override it
  std::string project_directory;       // empty: the first path's directory
  std::vector<std::string> env_files;  // empty: <project directory>/.env when there is one
  base::Location location;
};

// The entries of a document's `include:` (short and long forms; the schema has checked their shape).
std::vector<IncludeEntry> include_entries(const Node& include);

// Copies the services, networks, volumes, secrets and configs of an included application into
// `document`. A name defined in both is kept as `document` has it; when the two definitions differ
// that is a warning, as the spec says (Compose "displays a warning ... and doesn't try to merge").
void import_resources(Node& document, const Node& included, const IncludeEntry& entry, base::Diagnostics& diagnostics);

}  // namespace stackup::compose
