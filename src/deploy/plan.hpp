#pragma once
// A deploy's second phase: a pure function from what is wanted (Inputs) and what the engine has now
// (CurrentState) to the ordered list of changes, each with its reason. `deploy --dry-run` prints it;
// a deploy applies it. The secret side (which store versions to make) does not depend on the
// orchestrator; the container side is the local orchestrator's.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "deploy/container_config.hpp"
#include "deploy/inputs.hpp"
#include "engine/engine.hpp"

namespace stackup::deploy {

// What the engine has of a stack now.
struct CurrentState {
  std::map<std::string, engine::ContainerSummary> containers;  // by name
  std::map<std::string, engine::Resource> networks;            // by name
  std::map<std::string, engine::Resource> volumes;             // by name
  bool can_rotate_in_place = false;  // the secrets' host side can (secret_files.hpp: replaces_in_place)
};

base::Result<CurrentState> observe(engine::Engine& engine, const std::string& stack);

// The store versions a container holds, from its com.stackup.secret-versions label (name -> version).
std::map<std::string, std::string> secret_versions_of(const engine::ContainerSummary& container);
// The versions a container holds now: its label's, and where the store recorded another version for
// its service, that one (a rotation in place cannot change a label).
std::map<std::string, std::string> held_versions(const engine::ContainerSummary& container, const RecordedVersions& recorded);

struct SecretStep {
  enum class Kind { create, rotate, keep, external };
  Kind kind = Kind::keep;
  std::string key;   // in the compose file
  std::string name;  // in the store
  int version = 0;   // what the containers will hold
};

// What the store does with a secret's value: a new secret, a new version, nothing, or nothing
// because it is external; and that in words.
SecretStep::Kind secret_kind(const SecretInput& input);
std::string_view secret_reason(SecretStep::Kind kind);

struct ContainerStep {
  enum class Kind { create, recreate, rotate, keep, remove };  // rotate: new secret versions in place
  Kind kind = Kind::keep;
  std::string name;
  std::string reason;
  ContainerPlan container;                  // create, recreate, rotate and keep
  const compose::Service* service = nullptr;  // in the Inputs' project; null for a removal
  std::optional<engine::ContainerSummary> existing;  // recreate, rotate, keep and remove
  // rotate: the secrets whose new version goes in place, as indices into container.secrets (which
  // has the service's secrets' order)
  std::vector<std::size_t> rotations;
};

struct Plan {
  std::string stack;
  bool stack_was_empty = false;  // no container of the stack existed: a failure leaves nothing at all
  // Every container of the stack found, the ones the plan does not touch included (a service no
  // longer in the file, without --prune): their secrets stay.
  std::vector<engine::ContainerSummary> found;
  std::vector<std::string> pulls;  // images
  std::vector<SecretStep> secrets;
  std::vector<std::string> networks;  // to create
  std::vector<std::string> volumes;   // to create
  // Containers in depends_on order: a level only depends on earlier ones.
  std::vector<std::vector<ContainerStep>> levels;
  // Replicas beyond the count, services no longer in the file (--prune), and containers that a
  // killed deploy had set aside: removed once everything else succeeded.
  std::vector<ContainerStep> removals;

  [[nodiscard]] bool changes_nothing() const;
};

// The plan must be made from the same Inputs it is applied with: steps point into its project.
Plan make_plan(const Inputs& inputs, const CurrentState& current, bool prune);

// One line per change, with its reason ("container shop-web-1: recreate (secret shop_token version 2)");
// unchanged containers and secrets too, marked as such.
std::vector<std::string> describe(const Plan& plan);
engine::Json to_json(const Plan& plan);

struct DownOptions {
  std::string stack;
  int timeout_seconds = -1;  // -1: each container's stop_grace_period (the engine's default is 10 s)
  bool volumes = false;
  bool secrets = false;
};

// What `down` removes, in this order: the containers (side by side, each with its secrets), the
// networks, the volumes (with --volumes), and the stack's own secrets in the store (with --secrets,
// once no container is left to use them).
struct DownPlan {
  std::string stack;
  int timeout_seconds = -1;
  std::vector<engine::ContainerSummary> containers;
  std::vector<engine::Resource> networks;
  std::vector<engine::Resource> volumes;
  bool secrets = false;
  std::vector<std::string> stack_secrets;  // their names, with --secrets
};

// `stack_secrets`: the store's secrets labelled with the stack (never external ones).
DownPlan make_down_plan(const CurrentState& current, const std::vector<std::string>& stack_secrets,
                        const DownOptions& options);
std::vector<std::string> describe(const DownPlan& plan);

// A container set aside during a deploy is renamed STACK-service-N-replaced-<token>.
inline constexpr std::string_view set_aside_infix = "-replaced-";

}  // namespace stackup::deploy
