#include "store/secret_store.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "base/log.hpp"
#include "store/audit.hpp"
#include "store/database.hpp"
#include "store/directory.hpp"
#include "store/key_file.hpp"
#include "store/keyring.hpp"
#include "store/metadata.hpp"
#include "store/names.hpp"
#include "store/schema.hpp"
#include "store/sealing.hpp"

namespace stackup::store {

struct SecretStore::State {
  StoreOptions options;
  std::optional<Database> database;
  std::optional<Keyring> keyring;
  std::optional<Keys> keys;
  bool temporaries_checked = false;
  bool writable = false;  // opened for writing: a first use may create the key

  void attach(Database opened) {
    database.emplace(std::move(opened));
    keyring.emplace(*database, options.directory, options.unlock);
  }
};

namespace {

// Columns of a secret and its current version, in this order, for read_info.
constexpr std::string_view info_columns =
    "s.id, s.name, s.current_version, s.created_at, s.updated_at, s.labels, v.size "
    "FROM secrets s JOIN versions v ON v.secret_id = s.id AND v.version = s.current_version";

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Docker-like IDs: 25 characters of [a-z0-9].
std::string new_id() {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  while (id.size() < 25) {
    for (const auto byte : crypto::random_bytes(32)) {
      if (byte < 252 && id.size() < 25) id += alphabet[byte % 36];  // 252 = 7 * 36: no bias
    }
  }
  return id;
}

SecretInfo read_info(const Statement& row) {
  SecretInfo info;
  info.id = row.text(0);
  info.name = row.text(1);
  info.version = static_cast<int>(row.integer(2));
  info.created_at = row.integer(3);
  info.updated_at = row.integer(4);
  info.labels = nlohmann::json::parse(row.text(5)).get<std::map<std::string, std::string>>();
  info.size = static_cast<std::size_t>(row.integer(6));
  return info;
}

bool matches(const SecretInfo& info, const std::vector<LabelFilter>& filters) {
  return std::all_of(filters.begin(), filters.end(), [&](const LabelFilter& filter) {
    const auto it = info.labels.find(filter.key);
    return it != info.labels.end() && (!filter.value || it->second == *filter.value);
  });
}

base::Result<void> check_value(const base::SecretBytes& value) {
  if (value.empty() || value.size() > base::max_secret_size) return base::fail(std::string(base::secret_size_message));
  return {};
}

base::Result<void> check_name(const std::string& name) {
  if (!is_valid_secret_name(name)) return base::fail(fmt::format("invalid secret name \"{}\": {}", name, secret_name_rule));
  return {};
}

std::string not_found(const std::string& name) { return fmt::format("secret not found: {}", name); }

// SQLite and JSON failures inside the store become error values at its edge.
template <class Function>
auto guarded(Function&& function) -> decltype(function()) {
  try {
    return function();
  } catch (const DatabaseError& error) {
    return base::fail(fmt::format("secret store database: {}", error.message));
  } catch (const nlohmann::json::exception& error) {
    return base::fail(fmt::format("secret store database holds damaged labels: {}", error.what()));
  }
}

std::optional<SecretInfo> find(Database& database, const std::string& name) {
  auto statement = database.prepare(std::string("SELECT ") + std::string(info_columns) + " WHERE s.name = ?");
  statement.bind(1, name);
  if (!statement.step()) return std::nullopt;
  return read_info(statement);
}

// The audit detail of a deploy's store: "shop/ (a changed value)", the stack first, so that
// `audit --stack shop` finds it beside the stack's uses.
std::string deploy_detail(const std::map<std::string, std::string>& labels, std::string_view what) {
  const auto stack = labels.find("com.docker.stack.namespace");
  return fmt::format("{}/ ({})", stack == labels.end() ? "?" : stack->second, what);
}

// Who runs this stackup, for history: "alice (uid 1000)".
std::string current_author() {
  const auto uid = ::geteuid();
  const auto* entry = ::getpwuid(uid);
  return fmt::format("{} (uid {})", entry != nullptr ? entry->pw_name : "?", uid);
}

void insert_version(Database& database, const Keys& keys, const SecretInfo& secret, int version,
                    const base::SecretBytes& value, std::int64_t now, const std::string& origin) {
  const auto sealed = seal_value(keys, secret.name, version, value);
  const auto fingerprint = change_mac(keys, value);
  database
      .prepare("INSERT INTO versions (secret_id, version, created_at, size, mac, sealed, origin, author) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, secret.id)
      .bind(2, std::int64_t{version})
      .bind(3, now)
      .bind(4, static_cast<std::int64_t>(value.size()))
      .bind_blob(5, fingerprint.data(), fingerprint.size())
      .bind_blob(6, sealed.data(), sealed.size())
      .bind(7, origin)
      .bind(8, current_author())
      .run();
}

StoreOptions with_default_key_file(StoreOptions options) {
  options.unlock.key_file_named = !options.unlock.key_file.empty();
  if (options.unlock.key_file.empty()) options.unlock.key_file = options.directory + "/master.key";
  return options;
}

// The old wrapping and the old sealed values stay in the write-ahead log until a checkpoint. Best
// effort: a reader can hold it back, and the rekey has committed already.
void checkpoint(Database& database) {
  try {
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const DatabaseError&) {  // the next checkpoint will do
  }
}

// A new store's master key, inside the caller's transaction. A database that holds secrets is not
// a new store, whatever became of its master key record.
base::Result<void> initialize_store(Database& database, Keyring& keyring, const std::string& directory,
                                    UnlockMethod method) {
  if (database.prepare("SELECT 1 FROM secrets LIMIT 1").step()) {
    return base::fail(fmt::format("the secret store at {} holds secrets but no master key: its database was changed, "
                                  "and stackup will not start a new store over it; restore stackup.db from your backup",
                                  directory));
  }
  return keyring.initialize(method);
}

}  // namespace

SecretStore::SecretStore(std::unique_ptr<State> state) : state_(std::move(state)) {}
SecretStore::~SecretStore() = default;
SecretStore::SecretStore(SecretStore&&) noexcept = default;

const std::string& SecretStore::directory() const { return state_->options.directory; }

base::Result<SecretStore> SecretStore::open_for_reading(StoreOptions options) {
  auto state = std::make_unique<State>();
  state->options = with_default_key_file(std::move(options));
  const auto& directory = state->options.directory;
  if (std::filesystem::exists(directory)) {
    if (auto usable = check_private(directory, true); !usable) return base::fail(usable.error().message);
    auto database = open_store_database(directory, state->options.unlock.key_file, false);
    if (!database) return base::fail(database.error().message);
    if (*database) state->attach(std::move(**database));
  }
  return SecretStore(std::move(state));
}

base::Result<SecretStore> SecretStore::open_for_writing(StoreOptions options) {
  ::umask(077);  // SQLite creates its -wal and -shm files later: they must be private too
  auto state = std::make_unique<State>();
  state->options = with_default_key_file(std::move(options));
  const auto& directory = state->options.directory;
  if (auto created = ensure_private_directory(directory); !created) return base::fail(created.error().message);
  auto database = open_store_database(directory, state->options.unlock.key_file, true);
  if (!database) return base::fail(database.error().message);
  state->attach(std::move(**database));
  state->writable = true;
  return SecretStore(std::move(state));
}

namespace {

// The first write to a new store initializes it with a key file.
base::Result<void> initialize_on_first_write(Database& database, Keyring& keyring, const std::string& directory) {
  if (keyring.initialized()) return {};
  Database::Transaction transaction(database);
  if (keyring.initialized()) return {};  // another process was first
  if (auto initialized = initialize_store(database, keyring, directory, UnlockMethod::key_file); !initialized) {
    return initialized;
  }
  transaction.commit();
  keyring.finish();
  return {};
}

// A store from before metadata MACs gets them on its first write (see Keys::metadata_authenticated).
void authenticate_metadata(Database& database, Keyring& keyring, Keys& keys) {
  Database::Transaction transaction(database);
  seal_missing_metadata(database, keys);
  keyring.mark_metadata_authenticated();
  transaction.commit();
  keys.metadata_authenticated = true;
}

}  // namespace

base::Result<const Keys*> SecretStore::unlocked(bool for_writing) {
  auto& state = *state_;
  if (!state.keys && !state.writable && !state.keyring->initialized()) {
    // Opened for reading (a dry run, say): a store without a key yet stays without one.
    return base::fail(fmt::format("the secret store at {} has no key yet: it holds no secret", directory()));
  }
  if (!state.keys) {
    const bool fresh = !state.keyring->initialized();
    if (auto ok = initialize_on_first_write(*state.database, *state.keyring, directory()); !ok) {
      return base::fail(ok.error().message);
    }
    auto keys = state.keyring->unlock();
    if (!keys) return base::fail(keys.error().message);
    state.keys.emplace(std::move(*keys));
    if (fresh) {
      Database::Transaction transaction(*state.database);
      append_audit(*state.database, state.keys->audit, {"init", "", 0, "a key file, on the first write"});
      transaction.commit();
    }
  }
  if (for_writing && !state.keys->metadata_authenticated) {
    authenticate_metadata(*state.database, *state.keyring, *state.keys);
    base::log::debug("gave every secret of the store at {} a metadata MAC", directory());
  }
  return &*state.keys;
}

base::Result<void> SecretStore::check_if_unlocked(const SecretInfo& info) {
  if (!state_->keys) return {};
  return check_metadata(*state_->database, *state_->keys, info.id, info.name, info.version);
}

base::Result<void> SecretStore::initialize(UnlockMethod method) {
  return guarded([&]() -> base::Result<void> {
    auto& database = *state_->database;
    Database::Transaction transaction(database);
    if (state_->keyring->initialized()) {
      return base::fail(fmt::format("the secret store at {} is already initialized; use `stackup store rekey` to change "
                                    "how it is unlocked",
                                    directory()));
    }
    if (auto initialized = initialize_store(database, *state_->keyring, directory(), method); !initialized) {
      return initialized;
    }
    auto keys = state_->keyring->unlock();
    if (!keys) return base::fail(keys.error().message);
    append_audit(database, keys->audit, {"init", "", 0, "store init"});
    transaction.commit();
    state_->keyring->finish();
    return {};
  });
}

base::Result<std::size_t> SecretStore::rekey(const RekeyRequest& request) {
  return guarded([&]() -> base::Result<std::size_t> {
    auto& database = *state_->database;
    auto& keyring = *state_->keyring;
    if (!keyring.initialized()) return base::fail(fmt::format("the secret store at {} is not initialized", directory()));
    // One transaction: a rekey that stops anywhere before its commit changed nothing.
    Database::Transaction transaction(database);
    const auto current = keyring.unlock();
    if (!current) return base::fail(current.error().message);
    const auto next = keyring.rekey(request.method, request.new_master_key);
    if (!next) return base::fail(next.error().message);
    std::size_t resealed = 0;
    std::string detail = request.new_master_key ? "a new master key" : "a new way to unlock";
    if (request.new_master_key) {
      const auto count = reseal_all(database, *current, *next);
      if (!count) {
        keyring.abandon();
        return base::fail(count.error().message);
      }
      resealed = *count;
      // The log's MACs move to the new key; what was wrong before is said, not laundered.
      if (const auto problems = remac_audit(database, current->audit, next->audit); !problems.empty()) {
        detail += fmt::format("; the log did not verify before: {}", fmt::join(problems, "; "));
      }
    } else if (!current->metadata_authenticated) {
      seal_missing_metadata(database, *next);  // the new wrapping says every secret has its MAC
    }
    append_audit(database, next->audit, {"rekey", "", 0, detail});
    transaction.commit();
    keyring.finish();
    state_->keys = *next;
    checkpoint(database);
    return resealed;
  });
}

// A write: unlock, then run `work(database, keys, transaction)` inside one write transaction.
template <class Work>
auto SecretStore::write(Work work) {
  using Outcome = decltype(work(std::declval<Database&>(), std::declval<const Keys&>(),
                                std::declval<Database::Transaction&>()));
  return guarded([&]() -> Outcome {
    auto keys = unlocked(true);
    if (!keys) return base::fail(keys.error().message);
    Database::Transaction transaction(*state_->database);
    // A first write killed between its commit and removing its key file's temporary left that as a
    // second name of the key. Nothing creates key files while this write holds the lock.
    if (!std::exchange(state_->temporaries_checked, true)) {
      key_file::forget_temporaries(state_->options.unlock.key_file);
    }
    return work(*state_->database, **keys, transaction);
  });
}

namespace {

SecretInfo insert_secret(Database& database, const Keys& keys, const std::string& name, const base::SecretBytes& value,
                         const std::map<std::string, std::string>& labels, const std::string& origin) {
  const auto now = now_micros();
  SecretInfo info{new_id(), name, 1, now, now, value.size(), labels, {}};
  database.prepare("INSERT INTO secrets (id, name, labels, created_at, updated_at, current_version) VALUES (?, ?, ?, ?, ?, 1)")
      .bind(1, info.id)
      .bind(2, name)
      .bind(3, nlohmann::json(labels).dump())
      .bind(4, now)
      .bind(5, now)
      .run();
  insert_version(database, keys, info, 1, value, now, origin);
  seal_metadata(database, keys, info.id);
  base::log::debug("created secret {} ({}), version 1, {} bytes", name, info.id, value.size());
  return info;
}

SecretInfo add_version(Database& database, const Keys& keys, SecretInfo info, const base::SecretBytes& value,
                       const std::string& origin) {
  const auto now = now_micros();
  info.version += 1;
  info.updated_at = now;
  info.size = value.size();
  insert_version(database, keys, info, info.version, value, now, origin);
  database.prepare("UPDATE secrets SET current_version = ?, updated_at = ? WHERE id = ?")
      .bind(1, std::int64_t{info.version})
      .bind(2, now)
      .bind(3, info.id)
      .run();
  seal_metadata(database, keys, info.id);
  base::log::debug("secret {} is now at version {}, {} bytes", info.name, info.version, value.size());
  return info;
}

void set_labels(Database& database, const Keys& keys, SecretInfo& info,
                const std::map<std::string, std::string>& labels) {
  database.prepare("UPDATE secrets SET labels = ? WHERE id = ?")
      .bind(1, nlohmann::json(labels).dump())
      .bind(2, info.id)
      .run();
  seal_metadata(database, keys, info.id);
  info.labels = labels;
}

bool unchanged(Database& database, const Keys& keys, const SecretInfo& info, const base::SecretBytes& value) {
  auto current = database.prepare("SELECT mac FROM versions WHERE secret_id = ? AND version = ?");
  current.bind(1, info.id).bind(2, std::int64_t{info.version});
  return current.step() && crypto::equal_in_constant_time(current.blob(0), change_mac(keys, value));
}

}  // namespace

base::Result<SecretInfo> SecretStore::create(const std::string& name, const base::SecretBytes& value,
                                             const std::map<std::string, std::string>& labels) {
  if (auto ok = check_name(name); !ok) return base::fail(ok.error().message);
  if (auto ok = check_value(value); !ok) return base::fail(ok.error().message);
  return write([&](Database& database, const Keys& keys, Database::Transaction& transaction) -> base::Result<SecretInfo> {
    if (find(database, name)) return base::fail(fmt::format("secret {} already exists", name));
    auto info = insert_secret(database, keys, name, value, labels, "create");
    append_audit(database, keys.audit, {"create", name, 1, ""});
    transaction.commit();
    return info;
  });
}

base::Result<SecretInfo> SecretStore::rotate(const std::string& name, const base::SecretBytes& value) {
  if (auto ok = check_value(value); !ok) return base::fail(ok.error().message);
  return write([&](Database& database, const Keys& keys, Database::Transaction& transaction) -> base::Result<SecretInfo> {
    auto info = find(database, name);
    if (!info) return base::fail(not_found(name));
    if (auto ok = check_metadata(database, keys, info->id, name, info->version); !ok) {
      return base::fail(ok.error().message);
    }
    auto rotated = add_version(database, keys, std::move(*info), value, "rotate");
    append_audit(database, keys.audit, {"rotate", name, rotated.version, ""});
    transaction.commit();
    return rotated;
  });
}

base::Result<std::pair<SecretInfo, PutOutcome>> SecretStore::put(const std::string& name, const base::SecretBytes& value,
                                                                  const std::map<std::string, std::string>& labels) {
  if (auto ok = check_name(name); !ok) return base::fail(ok.error().message);
  if (auto ok = check_value(value); !ok) return base::fail(ok.error().message);
  // One transaction from the lookup to the insert: two deploys racing on a new secret both succeed.
  using Outcome = base::Result<std::pair<SecretInfo, PutOutcome>>;
  return write([&](Database& database, const Keys& keys, Database::Transaction& transaction) -> Outcome {
    auto info = find(database, name);
    if (!info) {
      auto created = insert_secret(database, keys, name, value, labels, "deploy");
      append_audit(database, keys.audit, {"store", name, 1, deploy_detail(labels, "a new secret")});
      transaction.commit();
      return std::pair{std::move(created), PutOutcome::created};
    }
    if (auto ok = check_metadata(database, keys, info->id, name, info->version); !ok) {
      return base::fail(ok.error().message);
    }
    if (info->labels != labels) set_labels(database, keys, *info, labels);
    if (unchanged(database, keys, *info, value)) {
      transaction.commit();
      return std::pair{std::move(*info), PutOutcome::unchanged};
    }
    auto rotated = add_version(database, keys, std::move(*info), value, "deploy");
    append_audit(database, keys.audit, {"store", name, rotated.version, deploy_detail(labels, "a changed value")});
    transaction.commit();
    return std::pair{std::move(rotated), PutOutcome::rotated};
  });
}

base::Result<std::vector<SecretInfo>> SecretStore::list(const std::vector<LabelFilter>& filters) {
  std::vector<SecretInfo> secrets;
  if (!state_->database) return secrets;
  return guarded([&]() -> base::Result<std::vector<SecretInfo>> {
    auto statement = state_->database->prepare(std::string("SELECT ") + std::string(info_columns) + " ORDER BY s.name");
    std::map<std::string, std::size_t> by_id;
    while (statement.step()) {
      auto info = read_info(statement);
      if (!matches(info, filters)) continue;
      if (auto ok = check_if_unlocked(info); !ok) return base::fail(ok.error().message);
      by_id[info.id] = secrets.size();
      secrets.push_back(std::move(info));
    }
    // Which services use them, in one query for all (`secret ls --filter in-use=...`).
    auto usages = state_->database->prepare("SELECT secret_id, stack, service, version FROM usages ORDER BY stack, service");
    while (usages.step()) {
      if (const auto it = by_id.find(usages.text(0)); it != by_id.end()) {
        secrets[it->second].used_by.push_back({usages.text(1), usages.text(2), static_cast<int>(usages.integer(3))});
      }
    }
    return secrets;
  });
}

base::Result<SecretInfo> SecretStore::inspect(const std::string& name) {
  if (!state_->database) return base::fail(not_found(name));
  return guarded([&]() -> base::Result<SecretInfo> {
    auto info = find(*state_->database, name);
    if (!info) return base::fail(not_found(name));
    if (auto ok = check_if_unlocked(*info); !ok) return base::fail(ok.error().message);
    auto usages = state_->database->prepare("SELECT stack, service, version FROM usages WHERE secret_id = ? ORDER BY stack, service");
    usages.bind(1, info->id);
    while (usages.step()) info->used_by.push_back({usages.text(0), usages.text(1), static_cast<int>(usages.integer(2))});
    return *info;
  });
}

base::Result<std::optional<SecretInfo>> SecretStore::lookup(const std::string& name) {
  auto info = inspect(name);
  if (info) return std::optional<SecretInfo>(std::move(*info));
  if (info.error().message == not_found(name)) return std::optional<SecretInfo>();
  return std::unexpected(info.error());
}

base::Result<void> SecretStore::remove(const std::string& name) {
  if (!state_->database) return base::fail(not_found(name));
  return guarded([&]() -> base::Result<void> {
    auto& database = *state_->database;
    if (!find(database, name)) return base::fail(not_found(name));
    auto keys = unlocked(true);
    if (!keys) return base::fail(keys.error().message);
    Database::Transaction transaction(database);
    auto info = find(database, name);
    if (!info) return base::fail(not_found(name));
    auto usages = database.prepare("SELECT stack || '_' || service FROM usages WHERE secret_id = ? ORDER BY 1");
    usages.bind(1, info->id);
    std::vector<std::string> users;
    while (usages.step()) users.push_back(usages.text(0));
    if (!users.empty()) {
      return base::fail(fmt::format("secret '{}' is in use by the following service{}: {}", name,
                                    users.size() == 1 ? "" : "s", fmt::join(users, ", ")));
    }
    database.prepare("DELETE FROM secrets WHERE id = ?").bind(1, info->id).run();
    append_audit(database, (*keys)->audit, {"rm", name, info->version, ""});
    transaction.commit();
    base::log::debug("removed secret {} ({})", name, info->id);
    return {};
  });
}

base::Result<base::SecretBytes> SecretStore::reveal(const std::string& name, std::optional<int> version) {
  if (!state_->database) return base::fail(not_found(name));
  return guarded([&]() -> base::Result<base::SecretBytes> {
    auto& database = *state_->database;
    auto info = find(database, name);
    if (!info) return base::fail(not_found(name));
    const int wanted = version.value_or(info->version);
    auto keys = unlocked(false);
    if (!keys) return base::fail(keys.error().message);
    if (auto ok = check_metadata(database, **keys, info->id, name, wanted); !ok) return base::fail(ok.error().message);
    if (wanted < 1 || wanted > info->version) {
      return base::fail(fmt::format("secret '{}' has no version {}; it has versions 1 to {}", name, wanted, info->version));
    }
    auto row = database.prepare("SELECT sealed, size, mac FROM versions WHERE secret_id = ? AND version = ?");
    row.bind(1, info->id).bind(2, std::int64_t{wanted});
    if (!row.step()) return base::fail(integrity_error(name, wanted));
    return open_value(**keys, name, wanted, {row.blob(0), static_cast<std::size_t>(row.integer(1)), row.blob(2)});
  });
}

base::Result<base::SecretBytes> SecretStore::reveal_for_user(const std::string& name, std::optional<int> version) {
  auto value = reveal(name, version);
  if (!value) return value;
  auto logged = guarded([&]() -> base::Result<void> {
    auto& database = *state_->database;
    Database::Transaction transaction(database);
    const auto info = find(database, name);
    append_audit(database, state_->keys->audit, {"reveal", name, version.value_or(info ? info->version : 0), ""});
    transaction.commit();
    return {};
  });
  if (!logged) return base::fail(logged.error().message);
  return value;
}

base::Result<std::vector<AuditEntry>> SecretStore::audit_log() {
  if (!state_->database) return std::vector<AuditEntry>{};
  return guarded([&]() -> base::Result<std::vector<AuditEntry>> { return read_audit(*state_->database); });
}

base::Result<std::vector<std::string>> SecretStore::verify_audit_log() {
  if (!state_->database) return std::vector<std::string>{};
  return guarded([&]() -> base::Result<std::vector<std::string>> {
    auto keys = unlocked(false);
    if (!keys) return base::fail(keys.error().message);
    return verify_audit(*state_->database, (*keys)->audit);
  });
}

base::Result<SecretInfo> SecretStore::rollback(const std::string& name, std::optional<int> to_version) {
  return write([&](Database& database, const Keys& keys, Database::Transaction& transaction) -> base::Result<SecretInfo> {
    auto info = find(database, name);
    if (!info) return base::fail(not_found(name));
    if (auto ok = check_metadata(database, keys, info->id, name, info->version); !ok) return base::fail(ok.error().message);
    const int target = to_version.value_or(info->version - 1);
    if (!to_version && target < 1) {
      return base::fail(fmt::format("secret {} has only version 1: there is no earlier version to roll back to", name));
    }
    if (target == info->version) return base::fail(fmt::format("secret {} is at version {} already", name, target));
    if (target < 1 || target > info->version) {
      return base::fail(fmt::format("secret '{}' has no version {}; it has versions 1 to {}", name, target, info->version));
    }
    auto row = database.prepare("SELECT sealed, size, mac FROM versions WHERE secret_id = ? AND version = ?");
    row.bind(1, info->id).bind(2, std::int64_t{target});
    if (!row.step()) return base::fail(integrity_error(name, target));
    auto value = open_value(keys, name, target, {row.blob(0), static_cast<std::size_t>(row.integer(1)), row.blob(2)});
    if (!value) return base::fail(value.error().message);
    auto rolled = add_version(database, keys, std::move(*info), *value, fmt::format("rollback to version {}", target));
    append_audit(database, keys.audit, {"rollback", name, rolled.version, fmt::format("to version {}", target)});
    transaction.commit();
    return rolled;
  });
}

base::Result<std::vector<VersionInfo>> SecretStore::history(const std::string& name) {
  auto info = inspect(name);
  if (!info) return base::fail(info.error().message);
  return guarded([&]() -> base::Result<std::vector<VersionInfo>> {
    std::vector<VersionInfo> versions;
    auto rows = state_->database->prepare(
        "SELECT version, created_at, size, COALESCE(origin, ''), COALESCE(author, '') FROM versions WHERE secret_id = ? "
        "ORDER BY version");
    rows.bind(1, info->id);
    while (rows.step()) {
      VersionInfo version{static_cast<int>(rows.integer(0)), rows.integer(1), static_cast<std::size_t>(rows.integer(2)),
                          rows.text(3), rows.text(4), {}};
      for (const auto& usage : info->used_by) {
        if (usage.version == version.version) version.held_by.push_back(usage);
      }
      versions.push_back(std::move(version));
    }
    return versions;
  });
}

base::Result<bool> SecretStore::holds_value(const std::string& name, int version, const base::SecretBytes& value) {
  if (!state_->database) return base::fail(not_found(name));
  return guarded([&]() -> base::Result<bool> {
    auto& database = *state_->database;
    const auto info = find(database, name);
    if (!info) return base::fail(not_found(name));
    auto keys = unlocked(false);
    if (!keys) return base::fail(keys.error().message);
    auto row = database.prepare("SELECT mac FROM versions WHERE secret_id = ? AND version = ?");
    row.bind(1, info->id).bind(2, std::int64_t{version});
    return row.step() && crypto::equal_in_constant_time(row.blob(0), change_mac(**keys, value));
  });
}

base::Result<std::string> SecretStore::fingerprint(const base::SecretBytes& value) {
  if (!state_->database) return base::fail("the secret store is not open for writing");
  return guarded([&]() -> base::Result<std::string> {
    auto keys = unlocked(false);
    if (!keys) return base::fail(keys.error().message);
    return crypto::to_hex(change_mac(**keys, value));
  });
}

base::Result<void> SecretStore::set_usages(const std::string& stack,
                                           const std::vector<std::pair<std::string, SecretUsage>>& usages) {
  if (!state_->database) return base::fail("the secret store is not open for writing");
  return guarded([&]() -> base::Result<void> {
    auto& database = *state_->database;
    // What the stack held before, as "name service version", so the log says what changed.
    std::set<std::string> before;
    auto held = database.prepare(
        "SELECT s.name || ' ' || u.service || ' ' || u.version FROM usages u JOIN secrets s ON s.id = u.secret_id "
        "WHERE u.stack = ?");
    held.bind(1, stack);
    while (held.step()) before.insert(held.text(0));
    // Nothing held and nothing to hold (a down on a new host): no key is needed, and none is made.
    if (before.empty() && usages.empty()) return base::Result<void>{};
    auto keys = unlocked(true);
    if (!keys) return base::fail(keys.error().message);
    Database::Transaction transaction(database);
    database.prepare("DELETE FROM usages WHERE stack = ?").bind(1, stack).run();
    std::set<std::string> after;
    for (const auto& [name, usage] : usages) {
      auto info = find(database, name);
      if (!info) return base::fail(not_found(name));
      database.prepare("INSERT OR REPLACE INTO usages (secret_id, stack, service, version) VALUES (?, ?, ?, ?)")
          .bind(1, info->id)
          .bind(2, usage.stack)
          .bind(3, usage.service)
          .bind(4, std::int64_t{usage.version})
          .run();
      const auto key = fmt::format("{} {} {}", name, usage.service, usage.version);
      after.insert(key);
      if (!before.contains(key)) {
        const auto where = fmt::format("{}/{}", stack, usage.service);
        append_audit(database, (*keys)->audit,
                     {"use", name, usage.version, usage.how.empty() ? where : fmt::format("{}: {}", where, usage.how)});
      }
    }
    for (const auto& key : before) {
      if (after.contains(key)) continue;
      const auto first = key.find(' ');
      const auto last = key.rfind(' ');
      append_audit(database, (*keys)->audit,
                   {"release", key.substr(0, first), std::atoi(key.substr(last + 1).c_str()),
                    fmt::format("{}/{}", stack, key.substr(first + 1, last - first - 1))});
    }
    transaction.commit();
    return {};
  });
}

}  // namespace stackup::store
