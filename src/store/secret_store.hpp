#pragma once
// The local encrypted secret store: one directory, an SQLite database of metadata and sealed
// values, and the key that unlocks it. Safe with several stackup processes at once.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/database.hpp"
#include "store/keyring.hpp"
#include "store/model.hpp"

namespace stackup::store {

struct StoreOptions {
  std::string directory;
  UnlockSources unlock;  // unlock.key_file empty: <directory>/master.key
};

enum class PutOutcome { created, unchanged, rotated };

class SecretStore {
 public:
  // For reading: a store that does not exist yet reads as empty and is not created.
  static base::Result<SecretStore> open_for_reading(StoreOptions options);
  // For writing: creates the directory (0700) and the database (0600) on first use.
  static base::Result<SecretStore> open_for_writing(StoreOptions options);

  ~SecretStore();
  SecretStore(SecretStore&&) noexcept;
  SecretStore& operator=(SecretStore&&) = delete;

  // `stackup store init --passphrase`; a store is otherwise initialized with a key file on first write.
  base::Result<void> initialize(UnlockMethod method);
  base::Result<void> rekey(UnlockMethod method);

  base::Result<SecretInfo> create(const std::string& name, const base::SecretBytes& value,
                                  const std::map<std::string, std::string>& labels);
  base::Result<SecretInfo> rotate(const std::string& name, const base::SecretBytes& value);
  // Deploy's write: creates, keeps the current version when the value is unchanged, or adds a version.
  base::Result<std::pair<SecretInfo, PutOutcome>> put(const std::string& name, const base::SecretBytes& value,
                                                       const std::map<std::string, std::string>& labels);
  base::Result<std::vector<SecretInfo>> list(const std::vector<LabelFilter>& filters = {});
  base::Result<SecretInfo> inspect(const std::string& name);
  base::Result<void> remove(const std::string& name);
  base::Result<base::SecretBytes> reveal(const std::string& name, std::optional<int> version = std::nullopt);

  // A keyed digest (HMAC) of a value, in hex: tells a change without revealing the value, even to
  // someone who can guess it.
  base::Result<std::string> fingerprint(const base::SecretBytes& value);

  // Which stack services use which versions (deploy records them; rm refuses while any remain).
  base::Result<void> set_usages(const std::string& stack, const std::vector<std::pair<std::string, SecretUsage>>& usages);

  [[nodiscard]] const std::string& directory() const;

 private:
  struct State;
  explicit SecretStore(std::unique_ptr<State> state);
  template <class Work>
  auto write(Work work) -> decltype(work(std::declval<Database&>(), std::declval<const Keys&>(),
                                         std::declval<Database::Transaction&>()));
  std::unique_ptr<State> state_;
};

}  // namespace stackup::store
