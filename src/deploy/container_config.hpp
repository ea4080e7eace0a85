#pragma once
// What a service's container looks like to the engine: Engine API JSON built from the typed model,
// and a hash of everything that defines it (its configuration and its secrets' versions), so a
// redeploy touches exactly the containers whose hash changed.
#include <string>
#include <vector>

#include "compose/environment.hpp"
#include "compose/model.hpp"
#include "engine/engine.hpp"

namespace stackup::deploy {

inline constexpr std::string_view namespace_label = "com.docker.stack.namespace";
inline constexpr std::string_view hash_label = "com.stackup.config-hash";
inline constexpr std::string_view secrets_label = "com.stackup.secrets-directory";
// The store versions a container holds ("shop_token=2,shop_key=1"), outside its hash: lets a later
// plan say which secret makes it recreated.
inline constexpr std::string_view secret_versions_label = "com.stackup.secret-versions";
// On the container of a Swarm task: the Swarm stack's, not the local orchestrator's.
inline constexpr std::string_view swarm_task_label = "com.docker.swarm.service.id";

// A file materialized in the container's secrets directory and bind-mounted read-only: a secret, or
// a config given by `content:` or `environment:`.
struct SecretMount {
  std::string secret;  // store name; for a config, its key
  int version = 0;     // secrets only
  std::string file_name;    // in the container's secrets directory
  std::string target;       // the absolute path in the container
  std::string fingerprint;  // configs only: a keyed digest of the content
  std::uint32_t uid = 0;    // the file's owner and mode, as the compose file asks
  std::uint32_t gid = 0;
  std::uint32_t mode = compose::default_secret_mode;
};

struct ContainerPlan {
  std::string name;  // STACK-service-N
  std::string service;
  int number = 1;
  engine::Json config;  // without the secret mounts' host paths, which are per materialization
  std::string hash;
  std::vector<SecretMount> secrets;
  std::vector<SecretMount> configs;
  std::vector<std::pair<std::string, engine::Json>> extra_networks;  // connected after create
};

// What a container or a Swarm task is given: the environment (`environment:` over env_file, a name
// without a value from stackup's environment), the healthcheck, and a short stable hash for labels.
engine::Json environment_of(const compose::Service& service, const compose::Environment& environment,
                            const compose::Environment& env_file_values);
engine::Json healthcheck_of(const compose::Healthcheck& check);
std::string fnv1a_hex(std::string_view text);

std::string container_name(const std::string& stack, const std::string& service, int number);
std::string network_name(const compose::Project& project, const std::string& stack, const std::string& key);
std::string volume_name(const compose::Project& project, const std::string& stack, const std::string& key);

// Where a config is mounted: its target, absolute (relative ones are under /), else /<key>.
std::string config_mount_path(const compose::FileReference& reference);

// A pure function: `environment` is stackup's own (for variables given without a value) and
// `env_file_values` what the service's env_files set, read beforehand. File-backed configs are bind
// mounts in the plan's config; `configs` are those materialized with the secrets.
ContainerPlan plan_container(const compose::Project& project, const compose::Service& service, const std::string& stack,
                             int number, std::vector<SecretMount> secrets, const compose::Environment& environment,
                             const compose::Environment& env_file_values = compose::Environment{},
                             std::vector<SecretMount> configs = {});

// The plan's config with its secrets and materialized configs bind-mounted from `directory` (the host
// path), and its labels: the directory's name among them only when something is mounted from it.
engine::Json config_with_secrets(const ContainerPlan& plan, const std::string& directory,
                                 const std::string& directory_name);

}  // namespace stackup::deploy
