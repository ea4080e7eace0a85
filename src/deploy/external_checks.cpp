#include "deploy/external_checks.hpp"

#include <fmt/format.h>

#include "compose/access_rules.hpp"
#include "compose/rules.hpp"

namespace stackup::deploy {

void check_external_secrets(const compose::Project& project, store::Vault& store, base::Diagnostics& diagnostics) {
  for (const auto& service : project.services) {
    for (std::size_t i = 0; i < service.secrets.size(); ++i) {
      const auto& reference = service.secrets[i];
      const auto& definition = project.secrets.at(reference.source);
      if (definition.source != compose::SecretSource::external) continue;
      const auto name = definition.object_name(project.name);
      const auto path = fmt::format("services.{}.secrets[{}]", service.name, i);
      auto info = store.lookup(name);
      if (!info) {
        diagnostics.error(compose::rules::secret_store_lookup, reference.location, path, info.error().message);
      } else if (!*info) {
        diagnostics.error(compose::rules::external_secret_missing, reference.location, path,
                          fmt::format("secret {} is not in the store; create it: stackup secret create {} FILE", name, name));
      } else if (auto violation = compose::permission_violation(service.name, compose::permission_of(service), name,
                                                                compose::permission_of((*info)->labels))) {
        diagnostics.error(compose::rules::permission_label, reference.location, path, std::move(*violation));
      }
    }
  }
}

}  // namespace stackup::deploy
