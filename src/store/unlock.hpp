#pragma once
// How a store is unlocked: a key file, or a passphrase (asked for through the caller's callbacks).
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/crypto.hpp"

namespace stackup::store {

enum class UnlockMethod { key_file, passphrase };

struct UnlockSources {
  std::string key_file;  // where the key file is or will be
  // STACKUP_KEY_FILE named the key file: one already there when a store is created was provisioned
  // for it and is used. The store's own master.key found beside a database that does not hold the
  // master key it unlocks is a lost store's, and is refused.
  bool key_file_named = false;
  // Asks for the passphrase (STACKUP_PASSPHRASE_FILE or a no-echo prompt); `confirm` asks for a new
  // one (STACKUP_NEW_PASSPHRASE_FILE, or twice).
  std::function<base::Result<base::SecretBytes>(bool confirm)> passphrase;
  std::function<void(const std::string&)> notice;  // one-line notices for the user
  crypto::ScryptCost scrypt_cost;                   // for new passphrase wrappings
};

}  // namespace stackup::store
