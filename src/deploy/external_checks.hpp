#pragma once
// `validate --store`: what deploy would refuse about external secrets, which only the store knows,
// reported like the file's own problems: each at the service's secret reference.
#include "base/diagnostic.hpp"
#include "compose/model.hpp"
#include "store/vault.hpp"

namespace stackup::deploy {

// An external secret the store lacks, or whose permission label the service does not share.
void check_external_secrets(const compose::Project& project, store::Vault& store, base::Diagnostics& diagnostics);

}  // namespace stackup::deploy
