#pragma once
// Each secret's metadata is authenticated: an HMAC, under its own key derived from the master key,
// over its identity (id, name), its labels, its current version and the list of its versions (each
// one's number, size and value MAC), kept in its secrets row. Pointing a secret back at an older
// version, deleting or adding a version row, or moving rows between secrets then fails the way a
// flipped ciphertext byte does.
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "store/database.hpp"
#include "store/keyring.hpp"

namespace stackup::store {

// The one message for every tampering found, so none tells more than another.
std::string integrity_error(std::string_view name, int version);

// Checks the metadata MAC of the secret with `id`; `name` and `version` are for the message. A
// secret without a MAC passes only while the store is from before metadata MACs.
base::Result<void> check_metadata(Database& database, const Keys& keys, const std::string& id, std::string_view name,
                                  int version);

// Computes and stores the metadata MAC of the secret with `id`, after any change to it.
void seal_metadata(Database& database, const Keys& keys, const std::string& id);

// Gives a MAC to every secret that has none: a store from before metadata MACs, on its first write.
void seal_missing_metadata(Database& database, const Keys& keys);

}  // namespace stackup::store
