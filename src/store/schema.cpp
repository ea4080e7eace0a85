#include "store/schema.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "store/directory.hpp"
#include "store/key_file.hpp"

namespace stackup::store {
namespace {

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS secrets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  labels TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  current_version INTEGER NOT NULL,
  meta_mac BLOB
);
CREATE TABLE IF NOT EXISTS versions (
  secret_id TEXT NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mac BLOB NOT NULL,
  sealed BLOB NOT NULL,
  origin TEXT,
  author TEXT,
  PRIMARY KEY (secret_id, version)
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  user TEXT NOT NULL,
  action TEXT NOT NULL,
  secret TEXT NOT NULL,
  version INTEGER NOT NULL,
  detail TEXT NOT NULL,
  command TEXT NOT NULL,
  entry_mac BLOB NOT NULL,
  chain_mac BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS usages (
  secret_id TEXT NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
  stack TEXT NOT NULL,
  service TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (secret_id, stack, service)
);
)sql";

bool has_every_table(Database& database) {
  return database.has_table("meta") && database.has_table("secrets") && database.has_table("versions") &&
         database.has_table("usages");
}

void create_tables(Database& database) {
  Database::Transaction transaction(database);
  database.execute(schema);
  transaction.commit();
}

// Stores from before metadata MACs get the column here (their rows get a MAC on the first write),
// stores from before history the versions' origin and author (unknown for the old versions), and
// stores from before the audit log its table (the log starts then).
void add_later_columns(Database& database) {
  if (database.has_column("secrets", "meta_mac") && database.has_column("versions", "origin") &&
      database.has_table("audit")) {
    return;
  }
  Database::Transaction transaction(database);
  if (!database.has_table("audit")) {
    const auto start = schema.find("CREATE TABLE IF NOT EXISTS audit");
    database.execute(std::string(schema.substr(start, schema.find(");", start) + 2 - start)));
  }
  if (!database.has_column("secrets", "meta_mac")) database.execute("ALTER TABLE secrets ADD COLUMN meta_mac BLOB");
  if (!database.has_column("versions", "origin")) {
    database.execute("ALTER TABLE versions ADD COLUMN origin TEXT; ALTER TABLE versions ADD COLUMN author TEXT");
  }
  transaction.commit();
}

// A key file that cannot even be looked at counts as holding a key: refusing is the safe side.
bool holds_a_key(const std::string& key_file) {
  const auto found = key_file::find(key_file);
  return !found || *found == key_file::Found::key || *found == key_file::Found::interrupted;
}

std::string empty_database_message(const std::string& directory, const std::string& path, const std::string& key_file) {
  return fmt::format(
      "the secret store at {} has a key file ({}) but an empty database ({}): its secrets are gone, and stackup will "
      "not start a new store over them; restore stackup.db from your backup, or move {} away to start a new, empty "
      "store",
      directory, key_file, path, key_file);
}

// Under the directory lock: no other stackup is between creating the file and its tables.
base::Result<bool> set_up(Database& database, bool existed, bool create, const std::string& directory,
                          const std::string& path, const std::string& key_file) {
  if (!database.has_table("meta")) {
    if (existed && holds_a_key(key_file)) return base::fail(empty_database_message(directory, path, key_file));
    if (!create) return false;
  }
  if (!has_every_table(database)) create_tables(database);
  add_later_columns(database);
  return true;
}

std::optional<std::uintmax_t> size_of(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return std::nullopt;
  return size;
}

}  // namespace

base::Result<std::optional<Database>> open_store_database(const std::string& directory, const std::string& key_file,
                                                          bool create) {
  const auto path = directory + "/" + std::string(database_file);
  const auto lock = DirectoryLock::acquire(directory);
  if (!lock) return base::fail(lock.error().message);
  // A 0-byte file is judged before SQLite opens it: turning it to WAL would write to it.
  const auto size = size_of(path);
  if (size == 0u && holds_a_key(key_file)) return base::fail(empty_database_message(directory, path, key_file));
  if (size.value_or(0) == 0 && !create) return std::optional<Database>();
  const bool existed = size.has_value();
  auto database = Database::open(path, create);
  if (!database) return base::fail(fmt::format("cannot open the secret store {}: {}", path, database.error().message));
  if (auto usable = check_private(path, false); !usable) return base::fail(usable.error().message);
  try {
    const auto usable = set_up(*database, existed, create, directory, path, key_file);
    if (!usable) return base::fail(usable.error().message);
    if (!*usable) return std::optional<Database>();
  } catch (const DatabaseError& failure) {
    return base::fail(fmt::format("cannot open the secret store {}: {}", path, failure.message));
  }
  return std::optional<Database>(std::move(*database));
}

}  // namespace stackup::store
