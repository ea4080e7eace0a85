#pragma once
// The master key and how it is unlocked. A random 256-bit master key is kept in the database wrapped
// (AES-256-GCM) under a key-encryption key: either a random key in a key file (master.key beside the
// database, or STACKUP_KEY_FILE), or a key derived by scrypt from a passphrase. Changing how the store
// is unlocked (rekey) rewraps the master key; no secret is re-encrypted.
#include <functional>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/crypto.hpp"
#include "store/database.hpp"

namespace stackup::store {

enum class UnlockMethod { key_file, passphrase };

struct UnlockSources {
  std::string key_file;  // where the key file is or will be
  // Asks for the passphrase (STACKUP_PASSPHRASE_FILE or a no-echo prompt); `confirm` asks twice.
  std::function<base::Result<base::SecretBytes>(bool confirm)> passphrase;
  std::function<void(const std::string&)> notice;  // one-line notices for the user
};

struct Keys {
  std::string store_id;
  crypto::Key encryption;         // seals secret values
  crypto::Key change_detection;   // HMAC of values, to tell a changed value without decrypting
};

class Keyring {
 public:
  Keyring(Database& database, std::string store_directory, UnlockSources sources)
      : database_(database), directory_(std::move(store_directory)), sources_(std::move(sources)) {}

  [[nodiscard]] bool initialized();
  // Initializes a new store (the master key and its wrapping), inside the caller's transaction.
  base::Result<void> initialize(UnlockMethod method);
  base::Result<Keys> unlock();
  // Rewraps the master key for `method`: a new key file, or a new passphrase.
  base::Result<void> rekey(UnlockMethod method);

 private:
  base::Result<crypto::Key> unlock_master_key();
  base::Result<crypto::Key> key_encryption_key(bool confirm_new);
  base::Result<crypto::Key> read_key_file(const std::string& path);
  base::Result<crypto::Key> create_key_file(const std::string& path, bool announce);
  void wrap(const crypto::Key& master, const crypto::Key& kek, UnlockMethod method, const crypto::Bytes& salt);
  std::optional<std::string> meta(std::string_view key);
  void set_meta(std::string_view key, std::string_view value);
  std::string locked_message(std::string_view reason) const;

  Database& database_;
  std::string directory_;
  UnlockSources sources_;
};

}  // namespace stackup::store
