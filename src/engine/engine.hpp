#pragma once
// The Docker Engine, as deploy needs it. DockerEngine speaks the Engine API; tests use a fake.
// Container, network and volume configurations are Engine API JSON, built by deploy.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace stackup::engine {

using Json = nlohmann::json;
using Labels = std::map<std::string, std::string>;

// A label's value, or "" when the label is not there.
inline std::string label_value(const Labels& labels, std::string_view key) {
  const auto it = labels.find(std::string(key));
  return it == labels.end() ? std::string() : it->second;
}

struct PortBinding {
  std::string ip;        // where it is published; "" when it is not
  int private_port = 0;  // in the container
  int public_port = 0;   // 0 when not published
  std::string type;      // tcp, udp, sctp
};

struct ContainerSummary {
  std::string id;
  std::string name;  // without the leading '/'
  std::string state;  // created, running, exited, ...
  std::string status;  // "Up 3 minutes"
  std::string image;
  Labels labels;
  std::vector<PortBinding> ports = {};
};

struct ContainerState {
  std::string status;  // running, exited, ...
  std::string health;  // healthy, unhealthy, starting, or empty without a healthcheck
  int exit_code = 0;
  int pid = 0;  // its main process on the host; 0 when it does not run
};

struct Resource {  // a network or a volume
  std::string id;
  std::string name;
  Labels labels;
  std::string driver;  // bridge, overlay, local, ...
};

// Why the engine would not remove a network: it counts endpoints on it.
struct NetworkInUse {
  std::vector<std::string> containers;  // the containers attached to it, by name; may be none (see Deployer::down)
};

// Once ping() has succeeded, an Engine may be called from several threads at once.
class Engine {
 public:
  virtual ~Engine() = default;

  // The address in the words the user gave it, for messages.
  [[nodiscard]] virtual std::string address() const = 0;
  virtual base::Result<void> ping() = 0;

  virtual base::Result<bool> image_exists(const std::string& image) = 0;
  // Calls `progress` with one line of pull status at a time; when it returns false the pull stops and
  // fails with "pull of IMAGE stopped".
  virtual base::Result<void> pull_image(const std::string& image, const std::function<bool(const std::string&)>& progress) = 0;

  virtual base::Result<std::vector<ContainerSummary>> list_containers(const std::string& label) = 0;
  virtual base::Result<std::string> create_container(const std::string& name, const Json& config) = 0;
  virtual base::Result<void> start_container(const std::string& id) = 0;
  // A negative timeout waits as long as the container's own stop timeout.
  virtual base::Result<void> stop_container(const std::string& id, int timeout_seconds) = 0;
  virtual base::Result<void> remove_container(const std::string& id) = 0;
  // Sends a signal ("SIGHUP") to the container's main process.
  virtual base::Result<void> kill_container(const std::string& id, const std::string& signal) = 0;
  virtual base::Result<void> rename_container(const std::string& id, const std::string& name) = 0;
  virtual base::Result<ContainerState> inspect_container(const std::string& id) = 0;

  virtual base::Result<std::vector<Resource>> list_networks(const std::string& label) = 0;
  virtual base::Result<std::string> create_network(const std::string& name, const Json& config) = 0;
  virtual base::Result<void> connect_network(const std::string& network, const std::string& container, const Json& endpoint) = 0;
  // Nothing when the network is gone (or already was); what keeps it when the engine refuses.
  virtual base::Result<std::optional<NetworkInUse>> remove_network(const std::string& id) = 0;

  virtual base::Result<std::vector<Resource>> list_volumes(const std::string& label) = 0;
  virtual base::Result<void> create_volume(const std::string& name, const Json& config) = 0;
  virtual base::Result<void> remove_volume(const std::string& name) = 0;
};

struct EngineSettings {
  std::string docker_host;  // DOCKER_HOST; empty: unix:///var/run/docker.sock
  bool tls_verify = false;  // DOCKER_TLS_VERIFY
  std::string cert_path;    // DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)
};

// Connects lazily; the first call fails with "cannot connect to the Docker engine at ...: is it running?"
// when nothing answers there.
base::Result<std::unique_ptr<Engine>> connect(const EngineSettings& settings);

}  // namespace stackup::engine
