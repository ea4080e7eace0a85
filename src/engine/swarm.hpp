#pragma once
// Docker Swarm, as deploy needs it: whether this engine manages a swarm, its secrets and configs
// (immutable objects, so each value is an object of its own), services, tasks and nodes. DockerSwarm
// speaks the Engine API; tests use a fake. Service specs are Engine API JSON, built by deploy.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "engine/engine.hpp"

namespace stackup::engine {

struct SwarmInfo {
  std::string state;     // the node's LocalNodeState: inactive, pending, active, error, locked
  bool manager = false;  // ControlAvailable
};

enum class ObjectKind { secret, config };

struct SwarmObject {  // a secret or a config
  std::string id;
  std::string name;
  Labels labels;
};

// What an object is made of, its value aside.
struct ObjectSpec {
  std::string name;
  Labels labels;
  std::string driver;           // secrets: a secret driver plugin, which then supplies the value
  std::string template_driver;  // e.g. golang
};

struct ServiceSummary {
  std::string id;
  std::string name;
  std::uint64_t version = 0;  // the index an update must name
  Json spec;
  std::string update_state;    // UpdateStatus.State: updating, completed, paused, rollback_started, ...
  std::string update_message;  // UpdateStatus.Message
};

struct Task {
  std::string id;
  std::string service_id;
  std::string node_id;
  int slot = 0;
  std::string desired_state;  // running, shutdown, ...
  std::string state;          // Status.State: new, pending, running, failed, rejected, ...
  std::string message;        // Status.Message
  std::string error;          // Status.Err
  std::string timestamp;      // Status.Timestamp (RFC 3339)
  Json ports;                 // Status.PortStatus.Ports
};

struct SwarmNode {
  std::string id;
  std::string hostname;
};

class Swarm {
 public:
  virtual ~Swarm() = default;
  virtual base::Result<SwarmInfo> info() = 0;

  // `label` filters ("key" or "key=value"); empty: all of them.
  virtual base::Result<std::vector<SwarmObject>> list_objects(ObjectKind kind, const std::string& label) = 0;
  // The value goes to the engine in the request body only, which is wiped afterwards. A secret with a
  // driver has no value of ours.
  virtual base::Result<std::string> create_object(ObjectKind kind, const ObjectSpec& spec, const base::SecretBytes& value) = 0;
  // Gone already is success; in use by a service is an error.
  virtual base::Result<void> remove_object(ObjectKind kind, const std::string& id) = 0;

  virtual base::Result<std::vector<ServiceSummary>> list_services(const std::string& label) = 0;
  virtual base::Result<ServiceSummary> inspect_service(const std::string& id) = 0;
  virtual base::Result<std::string> create_service(const Json& spec) = 0;
  // `rollback`: back to the spec before the last update (the engine's rollback=previous); `spec` is
  // then the current one.
  virtual base::Result<void> update_service(const std::string& id, std::uint64_t version, const Json& spec,
                                            bool rollback = false) = 0;
  virtual base::Result<void> remove_service(const std::string& id) = 0;

  // The tasks of these services (all tasks when empty).
  virtual base::Result<std::vector<Task>> list_tasks(const std::vector<std::string>& service_ids) = 0;
  virtual base::Result<std::vector<SwarmNode>> list_nodes() = 0;
};

// The same engine as connect(settings), for its Swarm API.
base::Result<std::unique_ptr<Swarm>> connect_swarm(const EngineSettings& settings);

}  // namespace stackup::engine
