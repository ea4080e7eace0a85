#include "store/keyring.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/directory.hpp"

namespace stackup::store {
namespace {

constexpr std::string_view master_key_purpose = "stackup/v1/master-key/";
constexpr crypto::ScryptCost default_cost{};

std::string method_name(UnlockMethod method) { return method == UnlockMethod::key_file ? "key-file" : "passphrase"; }

base::Result<void> write_new_file(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return base::fail(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  const bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return base::fail(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  return {};
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

base::Result<crypto::Key> Keyring::read_key_file(const std::string& path) {
  if (auto usable = check_private(path, false); !usable) return base::fail(locked_message(usable.error().message));
  auto text = base::read_secret_file(path);
  if (!text) {
    return base::fail(locked_message(fmt::format("key file {}: {}; restore it from your backup or set STACKUP_KEY_FILE",
                                                 path, text.error().message)));
  }
  std::string_view hex = text->view();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.remove_suffix(1);
  auto bytes = crypto::from_hex(hex);
  if (!bytes || bytes->size() != crypto::key_size) {
    return base::fail(locked_message(fmt::format("key file {} does not hold a 256-bit key in hex", path)));
  }
  crypto::Key key;
  std::copy(bytes->begin(), bytes->end(), key.data());
  base::wipe(bytes->data(), bytes->size());
  return key;
}

base::Result<crypto::Key> Keyring::create_key_file(const std::string& path, bool announce) {
  const auto key = crypto::random_key();
  auto hex = crypto::to_hex(key.view());
  hex += '\n';
  auto written = write_new_file(path, hex);
  base::wipe(hex.data(), hex.size());
  if (!written) return base::fail(written.error().message);
  if (announce && sources_.notice) {
    sources_.notice(fmt::format("created the secret store's key at {}; back it up: without it the secrets cannot be read",
                                path));
  }
  return key;
}

base::Result<crypto::Key> Keyring::key_encryption_key(bool confirm_new) {
  if (!sources_.passphrase) return base::fail(locked_message("it is locked with a passphrase and none can be asked for"));
  auto passphrase = sources_.passphrase(confirm_new);
  if (!passphrase) return base::fail(locked_message(passphrase.error().message));
  auto salt = crypto::from_hex(meta("scrypt_salt").value_or(""));
  if (!salt) return base::fail(locked_message("its scrypt salt is damaged"));
  const crypto::ScryptCost cost{std::stoull(meta("scrypt_n").value_or("32768")), std::stoull(meta("scrypt_r").value_or("8")),
                                std::stoull(meta("scrypt_p").value_or("1"))};
  return crypto::key_from_passphrase(passphrase->view(), *salt, cost);
}

void Keyring::wrap(const crypto::Key& master, const crypto::Key& kek, UnlockMethod method, const crypto::Bytes& salt) {
  const auto store_id = meta("store_id").value();
  const auto wrapped = crypto::seal(kek, master.view(), std::string(master_key_purpose) + store_id);
  set_meta("unlock", method_name(method));
  set_meta("wrapped_master_key", crypto::to_hex(wrapped));
  if (method == UnlockMethod::passphrase) {
    set_meta("scrypt_salt", crypto::to_hex(salt));
    set_meta("scrypt_n", std::to_string(default_cost.n));
    set_meta("scrypt_r", std::to_string(default_cost.r));
    set_meta("scrypt_p", std::to_string(default_cost.p));
  }
}

base::Result<void> Keyring::initialize(UnlockMethod method) {
  set_meta("store_id", crypto::to_hex(crypto::random_bytes(16)));
  const auto master = crypto::random_key();
  crypto::Bytes salt;
  base::Result<crypto::Key> kek = base::fail("");
  if (method == UnlockMethod::key_file) {
    // A key file that is already there (provisioned ahead, or left by an interrupted first write) is used.
    kek = std::filesystem::exists(sources_.key_file) ? read_key_file(sources_.key_file) : create_key_file(sources_.key_file, true);
  } else {
    salt = crypto::random_bytes(16);
    set_meta("scrypt_salt", crypto::to_hex(salt));
    kek = key_encryption_key(true);
  }
  if (!kek) return base::fail(kek.error().message);
  wrap(master, *kek, method, salt);
  return {};
}

base::Result<crypto::Key> Keyring::unlock_master_key() {
  const auto store_id = meta("store_id");
  const auto wrapped_hex = meta("wrapped_master_key");
  if (!store_id || !wrapped_hex) return base::fail(locked_message("it has no master key yet"));
  const auto wrapped = crypto::from_hex(*wrapped_hex);
  if (!wrapped) return base::fail(locked_message("its wrapped master key is damaged"));
  const auto associated = std::string(master_key_purpose) + *store_id;
  auto try_key = [&](const crypto::Key& kek) -> base::Result<crypto::Key> {
    auto opened = crypto::open(kek, *wrapped, associated);
    if (!opened || opened->size() != crypto::key_size) return base::fail(locked_message("wrong key or passphrase"));
    crypto::Key master;
    std::copy(opened->bytes(), opened->bytes() + crypto::key_size, master.data());
    return master;
  };
  if (meta("unlock").value_or("key-file") == "passphrase") {
    auto kek = key_encryption_key(false);
    if (!kek) return base::fail(kek.error().message);
    return try_key(*kek);
  }
  auto kek = read_key_file(sources_.key_file);
  if (!kek) return base::fail(kek.error().message);
  auto master = try_key(*kek);
  // A rekey that stopped between its commit and renaming the new key file into place left the new
  // key beside the old one.
  const auto pending = sources_.key_file + ".new";
  if (!master && std::filesystem::exists(pending)) {
    if (auto pending_kek = read_key_file(pending)) {
      if (auto recovered = try_key(*pending_kek)) {
        std::filesystem::rename(pending, sources_.key_file);
        return recovered;
      }
    }
  }
  return master;
}

base::Result<Keys> Keyring::unlock() {
  auto master = unlock_master_key();
  if (!master) return base::fail(master.error().message);
  return Keys{meta("store_id").value(), crypto::derive(*master, "stackup/v1/secret-encryption"),
              crypto::derive(*master, "stackup/v1/change-detection")};
}

base::Result<void> Keyring::rekey(UnlockMethod method) {
  auto master = unlock_master_key();
  if (!master) return base::fail(master.error().message);
  if (method == UnlockMethod::passphrase) {
    const auto salt = crypto::random_bytes(16);
    set_meta("scrypt_salt", crypto::to_hex(salt));
    auto kek = key_encryption_key(true);
    if (!kek) return base::fail(kek.error().message);
    wrap(*master, *kek, method, salt);
    return {};
  }
  // The new key goes to <key file>.new first; the caller renames it into place after the commit.
  const auto pending = sources_.key_file + ".new";
  std::filesystem::remove(pending);
  auto kek = create_key_file(pending, false);
  if (!kek) return base::fail(kek.error().message);
  wrap(*master, *kek, method, {});
  return {};
}

}  // namespace stackup::store
