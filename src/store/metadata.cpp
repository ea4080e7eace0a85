#include "store/metadata.hpp"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace stackup::store {
namespace {

constexpr std::string_view metadata_purpose = "stackup/v1/metadata";

// What the MAC covers, each field length-prefixed so that no two different rows encode alike.
class MacInput {
 public:
  void add(std::int64_t number) {
    for (int shift = 56; shift >= 0; shift -= 8) bytes_.push_back(static_cast<unsigned char>(number >> shift));
  }
  void add(crypto::ByteView field) {
    add(static_cast<std::int64_t>(field.size()));
    bytes_.insert(bytes_.end(), field.begin(), field.end());
  }
  void add(std::string_view text) { add(crypto::as_bytes(text)); }
  [[nodiscard]] crypto::ByteView bytes() const { return bytes_; }

 private:
  crypto::Bytes bytes_;
};

struct SecretRow {
  std::string name;
  std::string labels;
  std::int64_t current_version = 0;
  crypto::Bytes mac;  // empty: none yet
};

std::optional<SecretRow> read_row(Database& database, const std::string& id) {
  auto row = database.prepare("SELECT name, labels, current_version, meta_mac FROM secrets WHERE id = ?");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return SecretRow{row.text(0), row.text(1), row.integer(2), row.blob(3)};
}

crypto::Bytes mac_of(Database& database, const Keys& keys, const std::string& id, const SecretRow& row) {
  MacInput input;
  input.add(metadata_purpose);
  input.add(id);
  input.add(row.name);
  input.add(row.labels);
  input.add(row.current_version);
  auto versions = database.prepare("SELECT version, size, mac FROM versions WHERE secret_id = ? ORDER BY version");
  versions.bind(1, id);
  while (versions.step()) {
    input.add(versions.integer(0));
    input.add(versions.integer(1));
    input.add(versions.blob(2));
  }
  return crypto::mac(keys.metadata, input.bytes());
}

}  // namespace

std::string integrity_error(std::string_view name, int version) {
  return fmt::format("integrity check failed for secret '{}' (version {})", name, version);
}

base::Result<void> check_metadata(Database& database, const Keys& keys, const std::string& id, std::string_view name,
                                  int version) {
  const auto row = read_row(database, id);
  if (!row) return base::fail(integrity_error(name, version));
  if (row->mac.empty() && !keys.metadata_authenticated) return {};
  if (!crypto::equal_in_constant_time(row->mac, mac_of(database, keys, id, *row))) {
    return base::fail(integrity_error(name, version));
  }
  return {};
}

void seal_metadata(Database& database, const Keys& keys, const std::string& id) {
  const auto row = read_row(database, id);
  if (!row) return;
  const auto mac = mac_of(database, keys, id, *row);
  database.prepare("UPDATE secrets SET meta_mac = ? WHERE id = ?")
      .bind_blob(1, mac.data(), mac.size())
      .bind(2, id)
      .run();
}

void seal_missing_metadata(Database& database, const Keys& keys) {
  std::vector<std::string> ids;
  auto missing = database.prepare("SELECT id FROM secrets WHERE meta_mac IS NULL OR length(meta_mac) = 0");
  while (missing.step()) ids.push_back(missing.text(0));
  for (const auto& id : ids) seal_metadata(database, keys, id);
}

}  // namespace stackup::store
