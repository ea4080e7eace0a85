#pragma once
// What the store knows about a secret. Never its value: that is only in SecretBytes, on request.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stackup::store {

struct SecretUsage {
  std::string stack;
  std::string service;
  int version = 0;
  // For the audit log only: how a deploy brought this version to the service's containers
  // ("materialized in shop-web-1", "rotated in place in shop-web-1").
  std::string how = {};
};

// How one version came to be: `secret history`. Never its value.
struct VersionInfo {
  int version = 0;
  std::int64_t created_at = 0;  // microseconds since the epoch
  std::size_t size = 0;
  std::string origin;  // create, rotate, deploy (a changed file or variable), "rollback to version N"; "" if older than history
  std::string author;  // "alice (uid 1000)"
  std::vector<SecretUsage> held_by;  // the stack services that hold this version now
};

struct SecretInfo {
  std::string id;
  std::string name;
  int version = 0;  // the current version
  std::int64_t created_at = 0;  // microseconds since the epoch
  std::int64_t updated_at = 0;
  std::size_t size = 0;  // bytes in the current version
  std::map<std::string, std::string> labels;
  std::vector<SecretUsage> used_by;
};

// The audit log (store/audit.hpp): what was done, never a value.
struct AuditEvent {
  std::string action;  // create, rotate, rollback, reveal, rm, init, rekey, store, use, release
  std::string secret;  // "" for the store as a whole
  int version = 0;
  std::string detail;  // stack/service, or what else tells the event apart
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::int64_t at = 0;  // microseconds since the epoch
  std::uint32_t uid = 0;
  std::string user, action, secret;
  int version = 0;
  std::string detail, command;
};

struct LabelFilter {
  std::string key;
  std::optional<std::string> value;  // absent: the label only has to be there
};

}  // namespace stackup::store
