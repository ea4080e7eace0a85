#pragma once
// What deploy needs of a secret store, and nothing more: SecretStore implements it over SQLite, deploy's
// unit tests over memory. No database or crypto library shows through it.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/model.hpp"

namespace stackup::store {

enum class PutOutcome { created, unchanged, rotated };

class Vault {
 public:
  virtual ~Vault() = default;
  virtual base::Result<SecretInfo> inspect(const std::string& name) = 0;
  // Like inspect, but a secret that is not there is nothing rather than an error.
  virtual base::Result<std::optional<SecretInfo>> lookup(const std::string& name) = 0;
  virtual base::Result<std::vector<SecretInfo>> list(const std::vector<LabelFilter>& filters) = 0;
  // The current version when `version` is empty.
  virtual base::Result<base::SecretBytes> reveal(const std::string& name, std::optional<int> version) = 0;
  // Creates, keeps the current version when the value is unchanged, or adds a version.
  virtual base::Result<std::pair<SecretInfo, PutOutcome>> put(const std::string& name, const base::SecretBytes& value,
                                                               const std::map<std::string, std::string>& labels) = 0;
  virtual base::Result<void> remove(const std::string& name) = 0;
  // Whether `value` is version `version` of the secret, by its keyed digest (the stored value is
  // not decrypted): `stackup check` compares what a container holds.
  virtual base::Result<bool> holds_value(const std::string& name, int version, const base::SecretBytes& value) = 0;
  // A keyed digest (HMAC) of a value, in hex: tells a change without revealing the value.
  virtual base::Result<std::string> fingerprint(const base::SecretBytes& value) = 0;
  // Which stack services use which versions (deploy records them; rm refuses while any remain).
  virtual base::Result<void> set_usages(const std::string& stack,
                                        const std::vector<std::pair<std::string, SecretUsage>>& usages) = 0;
};

}  // namespace stackup::store
