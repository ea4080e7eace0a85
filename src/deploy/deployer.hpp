#pragma once
// `stackup deploy` and `stackup down` on one engine.
#include <atomic>
#include <string>

#include "base/error.hpp"
#include "compose/environment.hpp"
#include "compose/model.hpp"
#include "deploy/secret_files.hpp"
#include "engine/engine.hpp"
#include "store/secret_store.hpp"

namespace stackup::deploy {

// Where deploy tells what it does: one subject (a container, a network, a secret) and its status.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void update(const std::string& subject, const std::string& status) = 0;
  virtual void warning(const std::string& message) = 0;
};

struct DeployOptions {
  std::string stack;
  bool prune = false;
  // Set (by a signal handler) to stop the deploy at its next step and roll back.
  const std::atomic<bool>* interrupted = nullptr;
};

struct DownOptions {
  std::string stack;
  int timeout_seconds = -1;  // -1: each container's stop_grace_period (the engine's default is 10 s)
  bool volumes = false;
  bool secrets = false;
};

class Deployer {
 public:
  Deployer(engine::Engine& engine, store::SecretStore& store, SecretFiles& secret_files,
           const compose::Environment& environment, Progress& progress)
      : engine_(engine), store_(store), secret_files_(secret_files), environment_(environment), progress_(progress) {}

  // Brings the stack to what the project describes, touching only what changed. On failure, what this
  // deploy created is removed and replaced containers are put back.
  base::Result<void> deploy(const compose::Project& project, const DeployOptions& options);
  base::Result<void> down(const DownOptions& options);
  // After a successful down, or a failed first deploy: nothing of the stack is left on this host.
  [[nodiscard]] bool stack_is_gone() const { return stack_is_gone_; }

 private:
  engine::Engine& engine_;
  store::SecretStore& store_;
  SecretFiles& secret_files_;
  const compose::Environment& environment_;
  Progress& progress_;
  bool stack_is_gone_ = false;
};

}  // namespace stackup::deploy
