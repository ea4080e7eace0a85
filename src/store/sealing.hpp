#pragma once
// How a secret's value is kept: sealed with AES-256-GCM under a fresh nonce, with associated data
// binding it to the store, the secret's name and the version, beside an HMAC of the value that tells
// a changed value without decrypting.
#include <string>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"
#include "store/database.hpp"
#include "store/keyring.hpp"

namespace stackup::store {

crypto::Bytes seal_value(const Keys& keys, const std::string& name, int version, const base::SecretBytes& value);
crypto::Bytes change_mac(const Keys& keys, const base::SecretBytes& value);

// A version as stored.
struct SealedVersion {
  crypto::Bytes sealed;
  std::size_t size = 0;
  crypto::Bytes mac;
};
// Opens a version, and checks the value against the size and MAC recorded beside it (which the
// metadata MAC covers): a ciphertext of the same name and version swapped in from elsewhere fails.
base::Result<base::SecretBytes> open_value(const Keys& keys, const std::string& name, int version,
                                           const SealedVersion& stored);

// Re-seals every version of every secret under `next` (rekey --new-master-key), inside the caller's
// transaction: each value is opened with `current`, sealed and MACed under `next`, and each secret's
// metadata MAC is checked before and recomputed after. Returns how many versions were re-sealed.
base::Result<std::size_t> reseal_all(Database& database, const Keys& current, const Keys& next);

}  // namespace stackup::store
