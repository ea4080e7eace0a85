#pragma once
// What a service is to Swarm: Engine API ServiceSpec JSON built from the typed model, the way
// `docker stack deploy` builds it (STACK_service, the stack's labels), so `docker stack ps|services|rm`
// understand a stackup stack. Pure functions; deploy fills in the object IDs at apply time.
#include <string>
#include <vector>

#include "compose/environment.hpp"
#include "compose/model.hpp"
#include "engine/engine.hpp"

namespace stackup::deploy {

inline constexpr std::string_view stack_image_label = "com.docker.stack.image";
// On a Swarm secret or config: the store's name and version it was pushed from.
inline constexpr std::string_view store_secret_label = "com.stackup.secret";
inline constexpr std::string_view store_version_label = "com.stackup.version";
// On a service: a hash of its TaskTemplate as stackup sent it. When it is unchanged, an update makes
// no new task (replicas, labels, update_config), and deploy waits for the tasks that are there.
inline constexpr std::string_view task_hash_label = "com.stackup.task-hash";

// STACK_service, as docker stack deploy names it.
std::string swarm_service_name(const std::string& stack, const std::string& service);

// A store name as a Swarm object name: Swarm allows no '/', so a path's slashes become dots
// (developer/db-password is developer.db-password in the swarm).
std::string swarm_safe_name(std::string name);

// Swarm objects are immutable, so each value is an object of its own: `base` plus "-" and `suffix`
// ("shop_db_password-v3"), within Docker's 64 characters: a long base is cut and a hash of it
// keeps two cut names apart.
std::string swarm_object_name(const std::string& base, const std::string& suffix);

// A secret or config file in a task: which object, and where.
struct ObjectMount {
  std::string object;  // the Swarm object's name
  const compose::FileReference* reference = nullptr;
  std::string path;  // the file's absolute path in the container
};

struct ServiceSpecInputs {
  std::vector<ObjectMount> secrets;
  std::vector<ObjectMount> configs;
  const compose::Environment* environment = nullptr;      // stackup's, for names without a value
  const compose::Environment* env_file_values = nullptr;  // what the service's env_files set
};

// The spec without object IDs, with a hash label of itself (com.stackup.config-hash): a redeploy
// compares hashes, never Swarm's normalized copy of a spec.
engine::Json service_spec(const compose::Project& project, const compose::Service& service, const std::string& stack,
                          const ServiceSpecInputs& inputs);

// The secret and config names a spec refers to (the wanted one, or a service's current one).
std::vector<std::string> referenced_objects(const engine::Json& spec);

// The spec with SecretID/ConfigID set from `ids` (by object name); what the engine is sent.
engine::Json with_object_ids(engine::Json spec, const std::map<std::string, std::string>& ids);

}  // namespace stackup::deploy
