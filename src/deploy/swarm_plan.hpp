#pragma once
// A Swarm deploy's plan: a pure function from the Inputs (the same as the local orchestrator's) and
// what the swarm has now to the changes. Secrets and configs become immutable Swarm objects, one per
// value (name-v3); a service is created, updated in place, or kept when its spec's hash is the same;
// objects of the stack that no service will use once the deploy is done are removed.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "deploy/inputs.hpp"
#include "deploy/plan.hpp"
#include "engine/engine.hpp"
#include "engine/swarm.hpp"

namespace stackup::deploy {

struct SwarmState {
  std::map<std::string, engine::ServiceSummary> services;  // the stack's, by name
  std::map<std::string, engine::SwarmObject> secrets;      // all of the swarm's, by name
  std::map<std::string, engine::SwarmObject> configs;      // all of the swarm's, by name
  std::map<std::string, engine::Resource> networks;        // the stack's, by name
  std::set<std::string> used_by_other_stacks;              // objects other stacks' services refer to
};

base::Result<SwarmState> observe_swarm(engine::Engine& engine, engine::Swarm& swarm, const std::string& stack);

// A Swarm secret or config that the stack's services will use.
struct ObjectStep {
  engine::ObjectKind kind = engine::ObjectKind::secret;
  std::string key;   // in the compose file
  std::string name;  // in the swarm
  bool create = false;  // else the swarm has it already
  std::string reason;
  engine::Labels labels;
  std::string driver, template_driver;
};

struct ServiceStep {
  enum class Kind { create, update, keep, remove };
  Kind kind = Kind::keep;
  std::string name;
  std::string reason;
  engine::Json spec;  // without object IDs; none for a removal
  std::optional<engine::ServiceSummary> existing;
  bool new_tasks = true;  // an update that changes the TaskTemplate: Swarm replaces the tasks
};

struct SwarmPlan {
  std::string stack;
  bool stack_was_empty = false;  // no service of the stack existed
  std::vector<SecretStep> secrets;  // versions in the store, as for the local orchestrator
  std::vector<ObjectStep> objects;
  std::vector<std::string> networks;  // overlay networks to create
  std::vector<ServiceStep> services;
  std::vector<ServiceStep> removals;  // services no longer in the file, with --prune
  // The stack's own objects that no service uses once the deploy is done (old versions).
  std::vector<std::pair<engine::ObjectKind, engine::SwarmObject>> obsolete;

  [[nodiscard]] bool changes_nothing() const;
};

// Fails, changing nothing, when an external secret or config is in neither the swarm nor the store.
base::Result<SwarmPlan> make_swarm_plan(const Inputs& inputs, const SwarmState& state, bool prune);

std::vector<std::string> describe(const SwarmPlan& plan);
engine::Json to_json(const SwarmPlan& plan);

// What `down --orchestrator swarm` removes, in order: the services (and waits for their tasks), the
// networks, the stack's own secrets and configs in the swarm (never external ones), and with
// --secrets the stack's secrets in the store.
struct SwarmDownPlan {
  std::string stack;
  std::vector<engine::ServiceSummary> services;
  std::vector<engine::Resource> networks;
  std::vector<std::pair<engine::ObjectKind, engine::SwarmObject>> objects;
  std::vector<std::string> stack_secrets;  // in the store, with --secrets
};

SwarmDownPlan make_swarm_down_plan(const SwarmState& state, const std::string& stack,
                                   const std::vector<std::string>& stack_secrets);
std::vector<std::string> describe(const SwarmDownPlan& plan);

}  // namespace stackup::deploy
