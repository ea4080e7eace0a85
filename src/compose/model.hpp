#pragma once
// Phase 7's output: plain C++ types for a loaded, valid project. The store and deploy consume these;
// they know nothing of YAML. Every item keeps the place it was written, for later messages.
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "base/source.hpp"
#include "compose/node.hpp"
#include "compose/units.hpp"

namespace stackup::compose {

inline constexpr std::uint32_t default_secret_mode = 0444;
inline constexpr std::string_view secrets_directory = "/run/secrets";

enum class SecretSource { file, environment, external, driver, command };

// `x-stackup: {command: [...], timeout: 30s}` on a secret: its value is the command's standard output.
inline constexpr std::string_view extension_key = "x-stackup";
inline constexpr std::chrono::seconds default_command_timeout{30};

// A top-level `secrets:` (or `configs:`) entry.
struct SecretDefinition {
  std::string key;   // its key in the file
  std::string name;  // `name:` as written; empty when not set
  SecretSource source = SecretSource::file;
  std::string file;         // absolute path, for SecretSource::file
  std::string environment;  // variable name, for SecretSource::environment
  std::string content;      // configs only: inline content
  std::vector<std::string> command;  // for SecretSource::command: argv, run without a shell
  std::chrono::nanoseconds command_timeout = default_command_timeout;
  std::string driver;
  std::string template_driver;
  std::map<std::string, std::string> labels;
  base::Location location;

  // The name of the object in the store or engine: `name:` as is, else `<stack>_<key>`; an external
  // one is looked up by `name:` or its key, never prefixed.
  [[nodiscard]] std::string object_name(std::string_view stack) const;
};

// One entry of a service's `secrets:` (or `configs:`), in long syntax with defaults applied.
struct FileReference {
  std::string source;
  std::string target;  // as written, or the source; relative targets land under /run/secrets
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint32_t mode = default_secret_mode;
  base::Location location;

  [[nodiscard]] std::string mount_path() const;
};

enum class DependencyCondition { started, healthy, completed_successfully };

struct Dependency {
  std::string service;
  DependencyCondition condition = DependencyCondition::started;
  bool restart = false;
  bool required = true;
};

struct PortMapping {
  std::string host_ip;
  std::string published;  // empty: an ephemeral host port
  std::string target;
  std::string protocol = "tcp";
  std::string mode;  // long syntax only: ingress or host (Swarm); empty for the default
};

enum class MountType { volume, bind, tmpfs, npipe, cluster, image };
// As compose and the Engine API spell it.
std::string_view mount_type_name(MountType type);

struct VolumeMount {
  MountType type = MountType::volume;
  std::string source;  // the volume's key for named volumes; a host path for binds
  std::string target;
  bool read_only = false;
};

struct Healthcheck {
  std::vector<std::string> test;  // ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]
  std::optional<std::chrono::nanoseconds> interval, timeout, start_period;
  int retries = 0;
};

struct ServiceNetwork {
  std::string key;  // the top-level network's key, or "default"
  std::vector<std::string> aliases;
};

// A rolling update or rollback, as deploy.update_config / rollback_config give it (Swarm).
struct UpdatePolicy {
  std::optional<std::int64_t> parallelism;
  std::optional<std::chrono::nanoseconds> delay, monitor;
  std::string failure_action, order;  // empty: Swarm's default
  std::optional<double> max_failure_ratio;
};

// deploy.restart_policy (Swarm).
struct SwarmRestartPolicy {
  std::string condition;  // none, on-failure, any
  std::optional<std::chrono::nanoseconds> delay, window;
  std::optional<std::int64_t> max_attempts;
};

// What `deploy:` says beyond replicas and resource limits: Swarm reads it, the local orchestrator
// warns that it ignores it.
struct Deployment {
  std::string mode;           // replicated (default) or global
  std::string endpoint_mode;  // vip (default) or dnsrr
  std::map<std::string, std::string> labels;  // on the service, not its containers
  std::vector<std::string> constraints;
  std::vector<std::string> spread_preferences;
  std::optional<std::int64_t> max_replicas_per_node;
  std::optional<std::int64_t> nano_cpus_reservation, memory_reservation;
  std::optional<SwarmRestartPolicy> restart_policy;
  std::optional<UpdatePolicy> update_config, rollback_config;
};

// How a service's containers take a new version of a secret (`x-stackup: {change_mode: ...}` on
// the service, after Nomad's change_mode): recreated, or given the new file in place and then a
// signal, or nothing more.
enum class ChangeMode { restart, signal, noop };

struct Service {
  std::string name;
  std::string image;  // empty when only `build:` is given
  bool has_build = false;
  int replicas = 1;
  std::vector<FileReference> secrets;
  std::vector<FileReference> configs;
  std::vector<Dependency> depends_on;
  std::vector<ServiceNetwork> networks;  // "default" when none is named
  // As the engine wants them; `command: "a b"` (a string) is split the way a shell would.
  std::optional<std::vector<std::string>> command;
  std::optional<std::vector<std::string>> entrypoint;
  std::map<std::string, std::optional<std::string>> environment;  // no value: taken from stackup's environment
  std::vector<std::string> env_files;                              // absolute; read at deploy time
  std::set<std::string> optional_env_files;                        // those with `required: false`: skipped when missing
  std::map<std::string, std::string> labels;
  std::string user, working_dir, hostname, stop_signal;
  std::optional<RestartPolicy> restart;
  std::optional<std::chrono::nanoseconds> stop_grace_period;
  std::vector<PortMapping> ports;
  std::vector<std::string> expose;
  std::vector<VolumeMount> volumes;
  std::vector<std::string> tmpfs;
  std::optional<Healthcheck> healthcheck;
  bool read_only = false;
  bool init = false;
  std::optional<std::int64_t> nano_cpus_limit, memory_limit;  // deploy.resources.limits (memory in bytes)
  Deployment deployment;
  ChangeMode change_mode = ChangeMode::restart;
  std::string change_signal = "SIGHUP";  // with ChangeMode::signal
  base::Location location;
};

struct NamedResource {  // a top-level network or volume
  std::string key;
  std::string name;  // `name:` or empty
  bool external = false;
  base::Location location;
};

struct Project {
  std::string name;  // the stack name
  std::string space;  // x-stackup-space or --space: which path-named secrets it may use (access_rules.hpp)
  std::string working_directory;
  std::vector<std::string> files;
  std::vector<Service> services;  // in file order
  std::map<std::string, SecretDefinition> secrets;
  std::map<std::string, SecretDefinition> configs;
  std::map<std::string, NamedResource> networks;
  std::map<std::string, NamedResource> volumes;

  [[nodiscard]] const Service* find_service(std::string_view service_name) const;
};

}  // namespace stackup::compose
