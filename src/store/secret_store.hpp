#pragma once
// The local encrypted secret store: one directory, an SQLite database of metadata and sealed
// values, and the key that unlocks it. Safe with several stackup processes at once.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/model.hpp"
#include "store/unlock.hpp"
#include "store/vault.hpp"

namespace stackup::store {

struct StoreOptions {
  std::string directory;
  UnlockSources unlock;  // unlock.key_file empty: <directory>/master.key
};

// `stackup store rekey`: how the store is unlocked from now on (none: as now), and whether its
// master key is replaced, every secret version re-sealed under the new one.
struct RekeyRequest {
  std::optional<UnlockMethod> method;
  bool new_master_key = false;
};

struct Keys;

class SecretStore final : public Vault {
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
  // Returns how many secret versions were re-sealed (none without a new master key).
  base::Result<std::size_t> rekey(const RekeyRequest& request);

  base::Result<SecretInfo> create(const std::string& name, const base::SecretBytes& value,
                                  const std::map<std::string, std::string>& labels);
  base::Result<SecretInfo> rotate(const std::string& name, const base::SecretBytes& value);
  // A new version whose value is version `to_version`'s (default: the one before the current), like
  // git revert: versions never change.
  base::Result<SecretInfo> rollback(const std::string& name, std::optional<int> to_version);
  // reveal, recorded in the audit log: `stackup secret reveal` (deploy's comparisons are not reveals).
  base::Result<base::SecretBytes> reveal_for_user(const std::string& name, std::optional<int> version);
  // The audit log (store/audit.hpp), and what `audit verify` finds wrong with it.
  base::Result<std::vector<AuditEntry>> audit_log();
  base::Result<std::vector<std::string>> verify_audit_log();
  // Every version: when and how it was made, by whom, its size, and which services hold it now.
  base::Result<std::vector<VersionInfo>> history(const std::string& name);
  // Deploy's write: creates, keeps the current version when the value is unchanged, or adds a version.
  base::Result<std::pair<SecretInfo, PutOutcome>> put(const std::string& name, const base::SecretBytes& value,
                                                       const std::map<std::string, std::string>& labels) override;
  // Listing and inspecting need no key, so they check metadata MACs only once this SecretStore has
  // been unlocked (by a write or a reveal); reveal, rotate and put always check them.
  base::Result<std::vector<SecretInfo>> list(const std::vector<LabelFilter>& filters = {}) override;
  base::Result<SecretInfo> inspect(const std::string& name) override;
  base::Result<std::optional<SecretInfo>> lookup(const std::string& name) override;
  base::Result<void> remove(const std::string& name) override;
  base::Result<base::SecretBytes> reveal(const std::string& name, std::optional<int> version = std::nullopt) override;

  // A keyed digest (HMAC) of a value, in hex: tells a change without revealing the value, even to
  // someone who can guess it.
  base::Result<std::string> fingerprint(const base::SecretBytes& value) override;
  base::Result<bool> holds_value(const std::string& name, int version, const base::SecretBytes& value) override;

  // Which stack services use which versions (deploy records them; rm refuses while any remain).
  base::Result<void> set_usages(const std::string& stack,
                                const std::vector<std::pair<std::string, SecretUsage>>& usages) override;

  [[nodiscard]] const std::string& directory() const;

 private:
  struct State;
  explicit SecretStore(std::unique_ptr<State> state);
  // The keys, initializing the store with a key file on its first write; a write also gives a store
  // from before metadata MACs its MACs.
  base::Result<const Keys*> unlocked(bool for_writing);
  base::Result<void> check_if_unlocked(const SecretInfo& info);
  // Runs work(database, keys, transaction) in one write transaction; defined (and only used) in the .cpp,
  // so no database type shows in this header.
  template <class Work>
  auto write(Work work);
  std::unique_ptr<State> state_;
};

}  // namespace stackup::store
