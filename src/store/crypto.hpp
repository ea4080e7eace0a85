#pragma once
// The store's cryptography; the only place libgcrypt is used. AES-256-GCM seals each value under a
// fresh random nonce with associated data; HKDF-SHA256 derives one key per purpose from the master
// key; HMAC-SHA256 fingerprints values for change detection; scrypt turns a passphrase into a key.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/secret_bytes.hpp"

namespace stackup::store::crypto {

inline constexpr std::size_t key_size = 32;
inline constexpr std::size_t nonce_size = 12;
inline constexpr std::size_t tag_size = 16;

using Bytes = std::vector<unsigned char>;
using ByteView = std::span<const unsigned char>;

// A 256-bit key, wiped when destroyed.
class Key {
 public:
  Key() = default;
  ~Key();
  Key(const Key& other) = default;
  Key& operator=(const Key& other) = default;
  unsigned char* data() { return bytes_.data(); }
  [[nodiscard]] const unsigned char* data() const { return bytes_.data(); }
  [[nodiscard]] ByteView view() const { return {bytes_.data(), bytes_.size()}; }

 private:
  std::array<unsigned char, key_size> bytes_{};
};

Bytes random_bytes(std::size_t count);
Key random_key();

// nonce || ciphertext || tag
Bytes seal(const Key& key, ByteView plaintext, std::string_view associated_data);
// Fails when the key, the associated data or any byte of `sealed` differs from sealing time.
base::Result<base::SecretBytes> open(const Key& key, ByteView sealed, std::string_view associated_data);

Key derive(const Key& master, std::string_view purpose);
Bytes mac(const Key& key, ByteView data);
bool equal_in_constant_time(ByteView a, ByteView b);

// New wrappings use the default; each store keeps the cost it was wrapped with (its meta table), so a
// store wrapped at the former N = 2^15 still opens.
struct ScryptCost {
  std::uint64_t n = 1U << 17;  // 128 MiB of memory with r = 8: slow to guess, about 0.4 s to unlock
  std::uint64_t r = 8;
  std::uint64_t p = 1;
};
inline constexpr ScryptCost former_scrypt_cost{1U << 15, 8, 1};
// Fails where scrypt cannot run: on a host in FIPS mode, libgcrypt refuses it.
base::Result<void> check_passphrases_usable();
base::Result<Key> key_from_passphrase(std::string_view passphrase, ByteView salt, const ScryptCost& cost);

std::string to_hex(ByteView bytes);
base::Result<Bytes> from_hex(std::string_view text);
// Key material in hex, with no buffer in between: `out` gets 2 * key_size characters.
void key_to_hex(const Key& key, char* out);
base::Result<Key> key_from_hex(std::string_view text);

inline ByteView as_bytes(std::string_view text) { return {reinterpret_cast<const unsigned char*>(text.data()), text.size()}; }

}  // namespace stackup::store::crypto
