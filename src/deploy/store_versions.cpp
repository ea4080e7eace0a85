#include "deploy/store_versions.hpp"

#include <fmt/format.h>

#include "deploy/container_config.hpp"
#include "deploy/deployer.hpp"

namespace stackup::deploy {

base::Result<void> store_secret_versions(store::Vault& store, const std::vector<SecretStep>& steps, const Inputs& inputs,
                                         Progress& progress, std::vector<std::string>& created) {
  for (const auto& step : steps) {
    if (step.kind == SecretStep::Kind::external) continue;
    // The file's labels too (a permission label, say), so `secret ls --filter label=...` finds it.
    auto labels = inputs.project.secrets.at(step.key).labels;
    labels[std::string(namespace_label)] = inputs.stack;
    auto stored = store.put(step.name, inputs.secrets.at(step.key).value, labels);
    if (!stored) return base::fail(stored.error().message);
    const auto& [info, outcome] = *stored;
    if (outcome == store::PutOutcome::created) {
      created.push_back(step.name);
      progress.update("Secret " + step.name, "Created");
    } else if (outcome == store::PutOutcome::rotated) {
      progress.update("Secret " + step.name, fmt::format("Rotated to version {}", info.version));
    }
    if (info.version != step.version) {
      return base::fail(fmt::format("secret {} changed while this deploy ran (it is at version {} now); run stackup "
                                    "deploy again",
                                    step.name, info.version));
    }
  }
  return {};
}

}  // namespace stackup::deploy
