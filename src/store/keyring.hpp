#pragma once
// The master key and how it is unlocked. A random 256-bit master key is kept in the database wrapped
// (AES-256-GCM) under a key-encryption key: either a random key in a key file (master.key beside the
// database, or STACKUP_KEY_FILE), or a key derived by scrypt from a passphrase. Changing how the store
// is unlocked (rekey) rewraps the master key; a new master key also needs every secret re-sealed,
// which the secret store does in the same transaction.
#include <functional>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/crypto.hpp"
#include "store/database.hpp"
#include "store/unlock.hpp"

namespace stackup::store {

struct Keys {
  std::string store_id;
  crypto::Key encryption;        // seals secret values
  crypto::Key change_detection;  // HMAC of values, to tell a changed value without decrypting
  crypto::Key metadata;          // HMAC of each secret's metadata (store/metadata.hpp)
  crypto::Key audit;             // HMACs of the audit log (store/audit.hpp)
  // False for a store from before metadata MACs: a secret without one is accepted until the first
  // write gives every secret its MAC and rewraps the master key to say so.
  bool metadata_authenticated = true;
};

class Keyring {
 public:
  Keyring(Database& database, std::string store_directory, UnlockSources sources)
      : database_(database), directory_(std::move(store_directory)), sources_(std::move(sources)) {}

  [[nodiscard]] bool initialized();
  // Initializes a new store (the master key and its wrapping) inside the caller's transaction; the
  // caller calls `finish` after its commit.
  base::Result<void> initialize(UnlockMethod method);
  base::Result<Keys> unlock();
  // Records, inside the caller's transaction, that every secret now carries a metadata MAC: the
  // master key is rewrapped with associated data that says so. Needs `unlock` first.
  void mark_metadata_authenticated();
  // Inside the caller's transaction, wraps the master key, or with `new_master_key` a new random
  // one, for `method` (none: unlocked as it is now, with the same key file or passphrase). Returns
  // the keys to seal with from now on; the caller calls `finish` after its commit.
  base::Result<Keys> rekey(std::optional<UnlockMethod> method, bool new_master_key);
  // After the caller's commit: puts a new key file in place, overwrites and removes one the store
  // no longer uses, and removes temporaries.
  void finish();
  // After the caller rolled back a rekey: removes the new key file it had written.
  void abandon();

 private:
  struct Unlocked {
    crypto::Key master;
    crypto::Key key_encryption;
    UnlockMethod method = UnlockMethod::key_file;
    bool metadata_authenticated = true;
  };
  enum class AfterCommit { nothing, forget_temporaries, install_new_key_file, remove_key_file };

  base::Result<Unlocked> unlock_master_key();
  base::Result<Unlocked> unwrap(const crypto::Key& key_encryption, UnlockMethod method);
  base::Result<Unlocked> unlock_with_key_file();
  base::Result<crypto::Key> read_key_file(const std::string& path);
  base::Result<crypto::Key> provide_key_file();
  base::Result<crypto::Key> create_key_file(const std::string& path, bool announce);
  base::Result<crypto::Key> new_passphrase_key();
  base::Result<crypto::Key> passphrase_key();
  base::Result<base::SecretBytes> ask_passphrase(bool confirm);
  base::Result<crypto::ScryptCost> stored_scrypt_cost();
  base::Result<std::uint64_t> scrypt_parameter(std::string_view name, std::uint64_t former);
  void wrap(const crypto::Key& master, const crypto::Key& key_encryption, UnlockMethod method);
  [[nodiscard]] Keys keys_of(const Unlocked& unlocked);
  std::optional<std::string> meta(std::string_view key);
  void set_meta(std::string_view key, std::string_view value);
  std::string locked_message(std::string_view reason) const;
  void notice(const std::string& message) const;
  [[nodiscard]] std::string pending_key_file() const { return sources_.key_file + ".new"; }

  Database& database_;
  std::string directory_;
  UnlockSources sources_;
  std::optional<Unlocked> unlocked_;
  AfterCommit after_commit_ = AfterCommit::nothing;
};

}  // namespace stackup::store
