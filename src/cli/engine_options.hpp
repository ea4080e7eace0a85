#pragma once
// What deploy, down, ps and ls share: the engine (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH),
// where secrets are materialized, and progress output.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.hpp"
#include "deploy/deployer.hpp"
#include "engine/engine.hpp"
#include "engine/swarm.hpp"

namespace stackup::cli {

base::Result<std::unique_ptr<engine::Engine>> connect_engine(const Context& context);
// The same engine's Swarm API.
base::Result<std::unique_ptr<engine::Swarm>> connect_swarm(const Context& context);

// /run/stackup as root; otherwise $XDG_RUNTIME_DIR/stackup, else /dev/shm/stackup-<uid>.
std::string secrets_runtime_directory(const Context& context);

// One line per subject. On a terminal the lines are updated in place, like Compose (subjects in bold
// unless NO_COLOR); otherwise each change is a new plain line. Quiet prints nothing but warnings.
class ProgressPrinter final : public deploy::Progress {
 public:
  ProgressPrinter(Context& context, bool quiet);
  void update(const std::string& subject, const std::string& status) override;
  void warning(const std::string& message) override;

 private:
  Context& context_;
  bool quiet_;
  bool in_place_;
  std::string bold_;
  std::string reset_;
  std::vector<std::pair<std::string, std::string>> lines_;
};

}  // namespace stackup::cli
