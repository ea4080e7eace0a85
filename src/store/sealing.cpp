#include "store/sealing.hpp"

#include <fmt/format.h>

#include <vector>

#include "store/metadata.hpp"

namespace stackup::store {
namespace {

std::string sealing_context(const std::string& store_id, const std::string& name, int version) {
  return fmt::format("stackup/v1/secret/{}/{}/{}", store_id, name, version);
}

struct SecretVersions {
  std::string id;
  std::string name;
  int current_version = 0;
  std::vector<int> versions;
};

std::vector<SecretVersions> all_versions(Database& database) {
  std::vector<SecretVersions> secrets;
  auto rows = database.prepare(
      "SELECT s.id, s.name, s.current_version, v.version FROM secrets s JOIN versions v ON v.secret_id = s.id "
      "ORDER BY s.id, v.version");
  while (rows.step()) {
    if (secrets.empty() || secrets.back().id != rows.text(0)) {
      secrets.push_back({rows.text(0), rows.text(1), static_cast<int>(rows.integer(2)), {}});
    }
    secrets.back().versions.push_back(static_cast<int>(rows.integer(3)));
  }
  return secrets;
}

SealedVersion read_version(Database& database, const std::string& id, int version) {
  auto row = database.prepare("SELECT sealed, size, mac FROM versions WHERE secret_id = ? AND version = ?");
  row.bind(1, id).bind(2, std::int64_t{version});
  if (!row.step()) return {};
  return {row.blob(0), static_cast<std::size_t>(row.integer(1)), row.blob(2)};
}

base::Result<void> reseal_version(Database& database, const Keys& current, const Keys& next,
                                  const SecretVersions& secret, int version) {
  auto value = open_value(current, secret.name, version, read_version(database, secret.id, version));
  if (!value) return base::fail(value.error().message);
  const auto sealed = seal_value(next, secret.name, version, *value);
  const auto mac = change_mac(next, *value);
  database.prepare("UPDATE versions SET sealed = ?, mac = ? WHERE secret_id = ? AND version = ?")
      .bind_blob(1, sealed.data(), sealed.size())
      .bind_blob(2, mac.data(), mac.size())
      .bind(3, secret.id)
      .bind(4, std::int64_t{version})
      .run();
  return {};
}

}  // namespace

crypto::Bytes seal_value(const Keys& keys, const std::string& name, int version, const base::SecretBytes& value) {
  return crypto::seal(keys.encryption, {value.bytes(), value.size()}, sealing_context(keys.store_id, name, version));
}

crypto::Bytes change_mac(const Keys& keys, const base::SecretBytes& value) {
  return crypto::mac(keys.change_detection, {value.bytes(), value.size()});
}

base::Result<base::SecretBytes> open_value(const Keys& keys, const std::string& name, int version,
                                           const SealedVersion& stored) {
  auto value = crypto::open(keys.encryption, stored.sealed, sealing_context(keys.store_id, name, version));
  if (!value || value->size() != stored.size || !crypto::equal_in_constant_time(change_mac(keys, *value), stored.mac)) {
    return base::fail(integrity_error(name, version));
  }
  return value;
}

base::Result<std::size_t> reseal_all(Database& database, const Keys& current, const Keys& next) {
  std::size_t count = 0;
  for (const auto& secret : all_versions(database)) {
    if (auto ok = check_metadata(database, current, secret.id, secret.name, secret.current_version); !ok) {
      return base::fail(ok.error().message);
    }
    for (const int version : secret.versions) {
      if (auto ok = reseal_version(database, current, next, secret, version); !ok) {
        return base::fail(ok.error().message);
      }
      ++count;
    }
    seal_metadata(database, next, secret.id);
  }
  return count;
}

}  // namespace stackup::store
