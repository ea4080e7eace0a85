#pragma once
// The store's audit log: an append-only table of what was done to secrets (create, rotate, rollback,
// reveal, rm, store init and rekey, and deploy's stores, uses and releases), with time, uid, user
// name and command, never a value. Each entry has a MAC of its own and a MAC chained to the one
// before, both under a key derived from the master key, and the store's meta table holds a MAC of
// the last entry: `audit verify` tells an edited, deleted, reordered or truncated entry apart.
#include <cstdint>
#include <string>
#include <vector>

#include "store/crypto.hpp"
#include "store/database.hpp"
#include "store/model.hpp"

namespace stackup::store {

// Inside the caller's write transaction, so an action and its entry are committed together.
void append_audit(Database& database, const crypto::Key& key, const AuditEvent& event);
std::vector<AuditEntry> read_audit(Database& database);
// What is wrong with the log, one sentence each; empty when it is intact.
std::vector<std::string> verify_audit(Database& database, const crypto::Key& key);
// `store rekey --new-master-key`: every MAC of the log under the new key. Returns what was wrong
// with the log under the old one (verify_audit's sentences), for the rekey's own entry to say.
std::vector<std::string> remac_audit(Database& database, const crypto::Key& old_key, const crypto::Key& new_key);

}  // namespace stackup::store
