#pragma once
// A deploy's first write, the same for every orchestrator: each file: and environment: secret's value
// goes into the store, which keeps an unchanged one at its version.
#include <string>
#include <vector>

#include "base/error.hpp"
#include "deploy/inputs.hpp"
#include "deploy/plan.hpp"
#include "store/vault.hpp"

namespace stackup::deploy {

class Progress;

// Fails when a version is not the one the plan names (another stackup changed it meanwhile): what
// was planned for those values must not be applied with others. `created` gets the names of the
// secrets this call made, for a rollback to remove.
base::Result<void> store_secret_versions(store::Vault& store, const std::vector<SecretStep>& steps, const Inputs& inputs,
                                         Progress& progress, std::vector<std::string>& created);

}  // namespace stackup::deploy
