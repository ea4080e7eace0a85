#pragma once
// A deploy's first phase: everything that can fail without changing anything, gathered into one
// value. Secret and config values (as SecretBytes), what the store holds of each secret now, what
// each service's env_files set, and which images are missing. Nothing is written: not the store, not
// the engine, not the disk; a dry run stops after planning on this value.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "compose/environment.hpp"
#include "compose/filesystem.hpp"
#include "compose/model.hpp"
#include "compose/orchestrator_rules.hpp"
#include "engine/engine.hpp"
#include "store/vault.hpp"

namespace stackup::deploy {

struct SecretInput {
  std::string name;  // in the store: <stack>_<key>, its name:, or the external name
  bool external = false;
  base::SecretBytes value;
  int stored_version = 0;  // the store's current version; 0 when it holds none yet
  bool changed = true;     // a file: or environment: value that differs from the stored version
  // Swarm only: an external secret the store lacks (the swarm may have it), and a secret whose
  // value a Swarm secret driver supplies: neither has a value here.
  bool in_store = true;
  std::string driver;
  // Its com.docker.ucp.access.label: from the store for an external secret, else from the file.
  std::optional<std::string> permission;

  // The version the containers hold once the deploy has stored the value.
  [[nodiscard]] int version() const { return external || !changed ? stored_version : stored_version + 1; }
};

// A content: or environment: config: materialized with the secrets.
struct ConfigInput {
  bool external = false;  // Swarm only: a config the swarm has under its name
  base::SecretBytes value;
  std::string fingerprint;  // a keyed digest, so the container hash tells a change
};

// What the store recorded at a stack's last deploy: secret name -> service -> the version its
// containers hold. A rotation in place cannot change a container's secret-versions label; this it
// changes.
using RecordedVersions = std::map<std::string, std::map<std::string, int>>;
base::Result<RecordedVersions> recorded_versions(store::Vault& store, const std::string& stack);

struct Inputs {
  compose::Project project;
  std::string stack;
  compose::Environment environment;  // stackup's own: for variables a service names without a value
  std::map<std::string, SecretInput> secrets;             // by key: those some service uses
  std::map<std::string, ConfigInput> configs;             // by key
  std::map<std::string, compose::Environment> env_files;  // by service: what its env_files set
  std::vector<std::string> missing_images;                // to pull before anything else
  RecordedVersions recorded;                              // for the whole stack, services not in the file too
};

// What gather reads, and never writes.
struct Sources {
  store::Vault& store;
  engine::Engine& engine;
  const compose::Environment& environment;
  const compose::FileSystem& files;  // secret files and env files
  // A dry run may meet a store that does not exist yet: its secrets and configs are then all new.
  bool store_may_be_missing = false;
  // Swarm reads file: configs as values too (they become Swarm configs), lets the swarm supply an
  // external secret or config, and leaves images to its nodes.
  compose::Orchestrator orchestrator = compose::Orchestrator::local;
};

base::Result<Inputs> gather(const compose::Project& project, const std::string& stack, const Sources& sources);

}  // namespace stackup::deploy
