#pragma once
// `stackup check`: whether a stack's containers still hold what the store says they should, without
// revealing a value. For each container of the stack: that stackup started it; that its secrets
// directory is there, on a tmpfs, read-only; that each file's content is the version the container
// holds (compared by keyed digest, as the change detection does); and, given the compose file, that
// each file's uid, gid and mode are the file's.
#include <string>
#include <vector>

#include "base/error.hpp"
#include "compose/model.hpp"
#include "deploy/secret_files.hpp"
#include "engine/engine.hpp"
#include "store/vault.hpp"

namespace stackup::deploy {

struct DriftFinding {
  std::string container;
  std::string subject;  // "container", "secrets directory", "secret NAME"
  std::string status;   // "ok", or what is wrong
  bool drift = false;
};

// `project` may be null (no compose file at hand): owners and modes are then not checked.
base::Result<std::vector<DriftFinding>> check_drift(engine::Engine& engine, store::Vault& store, SecretFiles& files,
                                                    const std::string& stack, const compose::Project* project);

}  // namespace stackup::deploy
