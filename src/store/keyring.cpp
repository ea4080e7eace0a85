#include "store/keyring.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "store/directory.hpp"
#include "store/key_file.hpp"

namespace stackup::store {
namespace {

// The master key is wrapped with associated data that names the store and, since metadata MACs,
// says that every secret carries one ("v2"). Without the key-encryption key, a store from before
// them ("v1") cannot pass for one after them, nor one after them be turned back into one before.
constexpr std::string_view master_key_purpose = "stackup/v2/master-key/";
constexpr std::string_view former_master_key_purpose = "stackup/v1/master-key/";

std::string method_name(UnlockMethod method) { return method == UnlockMethod::key_file ? "key-file" : "passphrase"; }

bool is_power_of_two(std::uint64_t n) { return n >= 2 && (n & (n - 1)) == 0; }

void sync_directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path().string();
  (void)sync_directory(parent.empty() ? "." : parent);
}

}  // namespace

std::optional<std::string> Keyring::meta(std::string_view key) {
  auto statement = database_.prepare("SELECT value FROM meta WHERE key = ?");
  statement.bind(1, key);
  if (!statement.step()) return std::nullopt;
  return statement.text(0);
}

void Keyring::set_meta(std::string_view key, std::string_view value) {
  database_.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").bind(1, key).bind(2, value).run();
}

bool Keyring::initialized() { return meta("wrapped_master_key").has_value(); }

std::string Keyring::locked_message(std::string_view reason) const {
  return fmt::format("cannot unlock the secret store at {}: {}", directory_, reason);
}

void Keyring::notice(const std::string& message) const {
  if (sources_.notice) sources_.notice(message);
}

// --- key files ---------------------------------------------------------------------------------

base::Result<crypto::Key> Keyring::read_key_file(const std::string& path) {
  auto key = key_file::read(path);
  if (!key) return base::fail(locked_message(key.error().message));
  return key;
}

base::Result<crypto::Key> Keyring::create_key_file(const std::string& path, bool announce) {
  auto key = key_file::create(path);
  if (key && announce) {
    notice(fmt::format("created the secret store's key at {}; back it up: without it the secrets cannot be read",
                       path));
  }
  return key;
}

// The key file a new store is locked with: see key_file::Found for what may already be there.
base::Result<crypto::Key> Keyring::provide_key_file() {
  const auto& path = sources_.key_file;
  const auto found = key_file::find(path);
  if (!found) return base::fail(found.error().message);
  after_commit_ = AfterCommit::forget_temporaries;
  switch (*found) {
    case key_file::Found::interrupted:
      return read_key_file(path);
    case key_file::Found::key:
      if (sources_.key_file_named) return read_key_file(path);
      return base::fail(fmt::format(
          "the secret store at {} has a key file ({}) but its database does not hold the master key that file "
          "unlocks: stackup.db was deleted or replaced, and stackup will not start a new store over it; restore "
          "stackup.db from your backup, set STACKUP_KEY_FILE={} to start a new store locked by this key file, or "
          "move {} away to start a new, empty store",
          directory_, path, path, path));
    case key_file::Found::empty:
      ::unlink(path.c_str());
      [[fallthrough]];
    case key_file::Found::nothing:
      key_file::forget_temporaries(path);
      return create_key_file(path, true);
  }
  std::unreachable();
}

// --- passphrases -------------------------------------------------------------------------------

base::Result<base::SecretBytes> Keyring::ask_passphrase(bool confirm) {
  // Before asking: a passphrase that cannot be used is not worth typing.
  if (auto usable = crypto::check_passphrases_usable(); !usable) {
    return base::fail(locked_message(usable.error().message));
  }
  if (!sources_.passphrase) {
    return base::fail(locked_message("it is locked with a passphrase and none can be asked for"));
  }
  auto passphrase = sources_.passphrase(confirm);
  if (!passphrase) return base::fail(locked_message(passphrase.error().message));
  if (passphrase->empty()) return base::fail(locked_message("an empty passphrase is not allowed"));
  return passphrase;
}

base::Result<std::uint64_t> Keyring::scrypt_parameter(std::string_view name, std::uint64_t former) {
  const auto text = meta(name == "N" ? "scrypt_n" : fmt::format("scrypt_{}", name));
  if (!text) return former;
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [stop, error] = std::from_chars(text->data(), end, value);
  const bool valid = error == std::errc() && stop == end && (name == "N" ? is_power_of_two(value) : value >= 1);
  if (!valid) return base::fail(locked_message(fmt::format("its scrypt parameter {} is damaged", name)));
  return value;
}

base::Result<crypto::ScryptCost> Keyring::stored_scrypt_cost() {
  const auto n = scrypt_parameter("N", crypto::former_scrypt_cost.n);
  if (!n) return base::fail(n.error().message);
  const auto r = scrypt_parameter("r", crypto::former_scrypt_cost.r);
  if (!r) return base::fail(r.error().message);
  const auto p = scrypt_parameter("p", crypto::former_scrypt_cost.p);
  if (!p) return base::fail(p.error().message);
  return crypto::ScryptCost{*n, *r, *p};
}

// The key-encryption key of a passphrase store, with the salt and cost it was wrapped with.
base::Result<crypto::Key> Keyring::passphrase_key() {
  const auto salt = crypto::from_hex(meta("scrypt_salt").value_or(""));
  if (!salt || salt->empty()) return base::fail(locked_message("its scrypt salt is damaged"));
  const auto cost = stored_scrypt_cost();
  if (!cost) return base::fail(cost.error().message);
  const auto passphrase = ask_passphrase(false);
  if (!passphrase) return base::fail(passphrase.error().message);
  auto key = crypto::key_from_passphrase(passphrase->view(), *salt, *cost);
  if (!key) {
    return base::fail(locked_message(
        fmt::format("its scrypt parameters (N={}, r={}, p={}) are damaged: scrypt refuses them", cost->n, cost->r,
                    cost->p)));
  }
  return key;
}

// A key-encryption key from a new passphrase, under a fresh salt at today's cost (both recorded).
base::Result<crypto::Key> Keyring::new_passphrase_key() {
  const auto passphrase = ask_passphrase(true);
  if (!passphrase) return base::fail(passphrase.error().message);
  const auto salt = crypto::random_bytes(16);
  const auto& cost = sources_.scrypt_cost;
  auto key = crypto::key_from_passphrase(passphrase->view(), salt, cost);
  if (!key) return base::fail(locked_message(key.error().message));
  set_meta("scrypt_salt", crypto::to_hex(salt));
  set_meta("scrypt_n", std::to_string(cost.n));
  set_meta("scrypt_r", std::to_string(cost.r));
  set_meta("scrypt_p", std::to_string(cost.p));
  return key;
}

// --- wrapping and unwrapping -------------------------------------------------------------------

void Keyring::wrap(const crypto::Key& master, const crypto::Key& key_encryption, UnlockMethod method) {
  const auto store_id = meta("store_id").value();
  const auto wrapped = crypto::seal(key_encryption, master.view(), std::string(master_key_purpose) + store_id);
  set_meta("unlock", method_name(method));
  set_meta("wrapped_master_key", crypto::to_hex(wrapped));
  if (method == UnlockMethod::key_file) {
    database_.execute("DELETE FROM meta WHERE key IN ('scrypt_salt', 'scrypt_n', 'scrypt_r', 'scrypt_p')");
  }
}

base::Result<Keyring::Unlocked> Keyring::unwrap(const crypto::Key& key_encryption, UnlockMethod method) {
  const auto wrapped = crypto::from_hex(meta("wrapped_master_key").value_or(""));
  if (!wrapped) return base::fail(locked_message("its wrapped master key is damaged"));
  const auto store_id = meta("store_id").value_or("");
  for (const auto& [purpose, authenticated] :
       {std::pair{master_key_purpose, true}, std::pair{former_master_key_purpose, false}}) {
    const auto opened = crypto::open(key_encryption, *wrapped, std::string(purpose) + store_id);
    if (!opened || opened->size() != crypto::key_size) continue;
    Unlocked unlocked{{}, key_encryption, method, authenticated};
    std::copy(opened->bytes(), opened->bytes() + crypto::key_size, unlocked.master.data());
    return unlocked;
  }
  return base::fail(locked_message("wrong key or passphrase"));
}

base::Result<Keyring::Unlocked> Keyring::unlock_with_key_file() {
  const auto key = read_key_file(sources_.key_file);
  auto unlocked = key ? unwrap(*key, UnlockMethod::key_file) : base::Result<Unlocked>(base::fail(key.error().message));
  if (unlocked) return unlocked;
  // A rekey that stopped between its commit and putting the new key file in place left the new key
  // beside the old one (which it may have overwritten already).
  const auto pending = pending_key_file();
  if (const auto pending_key = key_file::read(pending)) {
    if (auto recovered = unwrap(*pending_key, UnlockMethod::key_file)) {
      if (::rename(pending.c_str(), sources_.key_file.c_str()) == 0) sync_directory_of(sources_.key_file);
      return recovered;
    }
  }
  return unlocked;
}

base::Result<Keyring::Unlocked> Keyring::unlock_master_key() {
  if (unlocked_) return *unlocked_;
  if (!initialized() || !meta("store_id")) return base::fail(locked_message("it has no master key yet"));
  base::Result<Unlocked> unlocked = base::fail("");
  if (meta("unlock").value_or("key-file") == "passphrase") {
    const auto key = passphrase_key();
    if (!key) return base::fail(key.error().message);
    unlocked = unwrap(*key, UnlockMethod::passphrase);
  } else {
    unlocked = unlock_with_key_file();
  }
  if (unlocked) unlocked_ = *unlocked;
  return unlocked;
}

Keys Keyring::keys_of(const Unlocked& unlocked) {
  return Keys{meta("store_id").value(), crypto::derive(unlocked.master, "stackup/v1/secret-encryption"),
              crypto::derive(unlocked.master, "stackup/v1/change-detection"),
              crypto::derive(unlocked.master, "stackup/v1/metadata"), crypto::derive(unlocked.master, "stackup/v1/audit"),
              unlocked.metadata_authenticated};
}

// --- the operations ----------------------------------------------------------------------------

base::Result<void> Keyring::initialize(UnlockMethod method) {
  // The key file is durably in place before anything is written here, let alone committed.
  auto key_encryption = method == UnlockMethod::key_file ? provide_key_file() : new_passphrase_key();
  if (!key_encryption) return base::fail(key_encryption.error().message);
  set_meta("store_id", crypto::to_hex(crypto::random_bytes(16)));
  Unlocked unlocked{crypto::random_key(), *key_encryption, method, true};
  wrap(unlocked.master, unlocked.key_encryption, method);
  unlocked_ = unlocked;
  return {};
}

base::Result<Keys> Keyring::unlock() {
  const auto unlocked = unlock_master_key();
  if (!unlocked) return base::fail(unlocked.error().message);
  return keys_of(*unlocked);
}

void Keyring::mark_metadata_authenticated() {
  if (!unlocked_) return;
  wrap(unlocked_->master, unlocked_->key_encryption, unlocked_->method);
  unlocked_->metadata_authenticated = true;
}

base::Result<Keys> Keyring::rekey(std::optional<UnlockMethod> method, bool new_master_key) {
  const auto current = unlock_master_key();
  if (!current) return base::fail(current.error().message);
  Unlocked next{new_master_key ? crypto::random_key() : current->master, current->key_encryption,
                method.value_or(current->method), true};
  if (method == UnlockMethod::passphrase) {
    const auto key = new_passphrase_key();
    if (!key) return base::fail(key.error().message);
    next.key_encryption = *key;
  } else if (method == UnlockMethod::key_file) {
    // The new key goes to <key file>.new first; `finish` puts it in place after the commit. One
    // already there is from a rekey stopped before its commit: it locks nothing.
    const auto pending = pending_key_file();
    ::unlink(pending.c_str());
    key_file::forget_temporaries(pending);
    const auto key = key_file::create(pending);
    if (!key) return base::fail(key.error().message);
    next.key_encryption = *key;
  }
  after_commit_ = method == UnlockMethod::key_file ? AfterCommit::install_new_key_file
                  : current->method == UnlockMethod::key_file && next.method == UnlockMethod::passphrase
                      ? AfterCommit::remove_key_file
                      : AfterCommit::nothing;
  wrap(next.master, next.key_encryption, next.method);
  unlocked_ = next;
  return keys_of(next);
}

void Keyring::abandon() {
  if (std::exchange(after_commit_, AfterCommit::nothing) != AfterCommit::install_new_key_file) return;
  ::unlink(pending_key_file().c_str());
  key_file::forget_temporaries(pending_key_file());
}

void Keyring::finish() {
  const auto& path = sources_.key_file;
  switch (std::exchange(after_commit_, AfterCommit::nothing)) {
    case AfterCommit::nothing:
      return;
    case AfterCommit::forget_temporaries:
      key_file::forget_temporaries(path);
      return;
    case AfterCommit::install_new_key_file:
      // The old key with an old copy of the database would still unwrap the master key: its bytes
      // are overwritten before the new file takes its name.
      key_file::forget_temporaries(path);
      (void)key_file::destroy(path);
      if (::rename(pending_key_file().c_str(), path.c_str()) == 0) sync_directory_of(path);
      key_file::forget_temporaries(pending_key_file());
      notice(fmt::format("wrote a new key to {}; back it up: the old key no longer unlocks the store", path));
      return;
    case AfterCommit::remove_key_file:
      key_file::forget_temporaries(path);
      if (auto removed = key_file::destroy(path); !removed) {
        notice(fmt::format("{}; remove it yourself: the store no longer uses it", removed.error().message));
        return;
      }
      notice(fmt::format("overwrote and removed the key file {}: the store is now unlocked with a passphrase", path));
      return;
  }
}

}  // namespace stackup::store
