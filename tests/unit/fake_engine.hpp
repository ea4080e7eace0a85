#pragma once
// An in-memory Docker engine and secret-files stand-in for deploy's unit tests.
#include <map>
#include <mutex>
#include <set>
#include <string>

#include <fmt/format.h>

#include "deploy/secret_files.hpp"
#include "engine/engine.hpp"

namespace stackup::testing {

class FakeEngine final : public engine::Engine {
 public:
  struct Container {
    std::string name;
    engine::Json config;
    bool running = false;
  };
  std::map<std::string, Container> containers;  // by id
  std::map<std::string, engine::Labels> networks;
  std::set<std::string> images{"app:1"};
  std::set<std::string> pullable;  // images a pull finds
  std::string fail_start_of;  // containers created under this name fail to start
  std::set<std::string> failing;
  std::map<std::string, engine::NetworkInUse> networks_in_use;  // networks the engine refuses to remove
  std::set<std::string> failing_stop;  // containers that fail to stop
  bool fail_rename = false;
  int created = 0;

  [[nodiscard]] std::string address() const override {
    const std::lock_guard lock(mutex_);
    return "fake://";
  }
  base::Result<void> ping() override {
    const std::lock_guard lock(mutex_);
    return {};
  }
  base::Result<bool> image_exists(const std::string& image) override {
    const std::lock_guard lock(mutex_);
    return images.contains(image);
  }
  base::Result<void> pull_image(const std::string& image, const std::function<bool(const std::string&)>& progress) override {
    if (!pullable.contains(image)) return base::fail("pull access denied for " + image);
    if (!progress("Downloading")) return base::fail("pull of " + image + " stopped");
    const std::lock_guard lock(mutex_);
    images.insert(image);
    return {};
  }
  base::Result<std::vector<engine::ContainerSummary>> list_containers(const std::string& label) override {
    const std::lock_guard lock(mutex_);
    std::vector<engine::ContainerSummary> out;
    for (const auto& [id, c] : containers) {
      const auto labels = c.config["Labels"].get<engine::Labels>();
      const auto equals = label.find('=');
      const auto it = labels.find(label.substr(0, equals));
      if (it == labels.end() || (equals != std::string::npos && it->second != label.substr(equals + 1))) continue;
      out.push_back({id, c.name, c.running ? "running" : "exited", "", c.config["Image"], labels});
    }
    return out;
  }
  base::Result<std::string> create_container(const std::string& name, const engine::Json& config) override {
    const std::lock_guard lock(mutex_);
    for (const auto& [id, c] : containers) {
      if (c.name == name) return base::fail("name in use: " + name);
    }
    const auto id = "c" + std::to_string(++created);
    containers[id] = {name, config, false};
    if (name == fail_start_of) failing.insert(id);
    return id;
  }
  base::Result<void> start_container(const std::string& id) override {
    const std::lock_guard lock(mutex_);
    if (failing.contains(id)) return base::fail("cannot start container: exec failed");
    containers.at(id).running = true;
    return {};
  }
  base::Result<void> stop_container(const std::string& id, int) override {
    const std::lock_guard lock(mutex_);
    if (failing_stop.contains(containers.at(id).name)) return base::fail("cannot stop container: permission denied");
    containers.at(id).running = false;
    return {};
  }
  base::Result<void> remove_container(const std::string& id) override {
    const std::lock_guard lock(mutex_);
    containers.erase(id);
    return {};
  }
  base::Result<void> kill_container(const std::string& id, const std::string& signal) override {
    const std::lock_guard lock(mutex_);
    signals.push_back(containers.at(id).name + " " + signal);
    return {};
  }
  std::vector<std::string> signals;  // "<name> <signal>" per kill
  base::Result<void> rename_container(const std::string& id, const std::string& name) override {
    const std::lock_guard lock(mutex_);
    if (fail_rename) return base::fail("cannot rename container: conflict");
    containers.at(id).name = name;
    return {};
  }
  base::Result<engine::ContainerState> inspect_container(const std::string&) override {
    const std::lock_guard lock(mutex_);
    return engine::ContainerState{"running", "healthy", 0, 4242};
  }
  base::Result<std::vector<engine::Resource>> list_networks(const std::string&) override {
    const std::lock_guard lock(mutex_);
    std::vector<engine::Resource> out;
    for (const auto& [name, labels] : networks) out.push_back({name, name, labels, "bridge"});
    return out;
  }
  base::Result<std::string> create_network(const std::string& name, const engine::Json&) override {
    const std::lock_guard lock(mutex_);
    networks[name] = {};
    return name;
  }
  base::Result<void> connect_network(const std::string&, const std::string&, const engine::Json&) override {
    const std::lock_guard lock(mutex_);
    return {};
  }
  base::Result<std::optional<engine::NetworkInUse>> remove_network(const std::string& id) override {
    const std::lock_guard lock(mutex_);
    if (const auto it = networks_in_use.find(id); it != networks_in_use.end()) return it->second;
    networks.erase(id);
    return std::nullopt;
  }
  base::Result<std::vector<engine::Resource>> list_volumes(const std::string&) override {
    const std::lock_guard lock(mutex_);
    return std::vector<engine::Resource>{};
  }
  base::Result<void> create_volume(const std::string&, const engine::Json&) override {
    const std::lock_guard lock(mutex_);
    return {};
  }
  base::Result<void> remove_volume(const std::string&) override {
    const std::lock_guard lock(mutex_);
    return {};
  }

  mutable std::mutex mutex_;  // the real engine takes concurrent calls; so does this one

  [[nodiscard]] std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& [id, c] : containers) out.insert(c.name);
    return out;
  }
  [[nodiscard]] std::string id_of(const std::string& name) const {
    for (const auto& [id, c] : containers) {
      if (c.name == name) return id;
    }
    return "";
  }
};

// Keeps "materialized" secrets in memory: directory -> file name -> value.
class MemorySecretFiles final : public deploy::SecretFiles {
 public:
  std::map<std::string, std::map<std::string, std::string>> directories;
  bool fail_destroy = false;
  std::vector<std::string> destroyed;  // every directory name destroy() was asked for

  std::string host_path(const std::string& stack, const std::string& name) override { return "/mem/" + stack + "/" + name; }
  base::Result<void> materialize(const std::string& stack, const std::string& name,
                                 const std::vector<deploy::SecretFile>& files) override {
    for (const auto& file : files) directories[host_path(stack, name)][file.file_name] = std::string(file.value->view());
    return {};
  }
  base::Result<void> destroy(const std::string& stack, const std::string& name) override {
    destroyed.push_back(name);
    if (fail_destroy) return base::fail("cannot unmount " + host_path(stack, name) + ": device busy");
    directories.erase(host_path(stack, name));
    return {};
  }
  void destroy_stack(const std::string& stack, const std::set<std::string>& keep) override {
    std::erase_if(directories, [&](const auto& entry) {
      const auto prefix = "/mem/" + stack + "/";
      return entry.first.starts_with(prefix) && !keep.contains(entry.first.substr(prefix.size()));
    });
  }
  base::Result<deploy::MaterializedDirectory> inspect(const std::string& stack, const std::string& name) override {
    deploy::MaterializedDirectory state;
    const auto it = directories.find(host_path(stack, name));
    if (it == directories.end()) return state;
    state.found = state.on_tmpfs = state.read_only = state.should_be_read_only = true;
    for (const auto& [file, value] : it->second) state.files.push_back({file, 0, 0, 0444, base::SecretBytes(value)});
    return state;
  }
  base::Result<void> replace(const std::string& stack, const std::string& name, int pid,
                             const std::vector<deploy::Replacement>& files) override {
    if (fail_replace) return base::fail("cannot mount the new file: permission denied");
    for (const auto& file : files) {
      directories[host_path(stack, name)][file.file.file_name] = std::string(file.file.value->view());
      replaced.push_back(fmt::format("{} {} pid {}", name, file.target, pid));
    }
    return {};
  }
  [[nodiscard]] bool replaces_in_place() const override { return in_place; }
  bool in_place = true;
  bool fail_replace = false;
  std::vector<std::string> replaced;  // "<directory> <target> pid <pid>" per file
};

}  // namespace stackup::testing
