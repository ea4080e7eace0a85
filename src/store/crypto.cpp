#include "store/crypto.hpp"

#include <gcrypt.h>
#include <malloc.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <type_traits>

namespace stackup::store::crypto {
namespace {

// libgcrypt, not OpenSSL: both do AES-GCM, HMAC and scrypt, but OpenSSL 3's libcrypto took about
// 6.5 ms to load and set up its providers in every process, libgcrypt about 1 ms (bench/README.md).

// libgcrypt failing at these calls means the process is broken (no memory): a bug, not bad input,
// so it throws to the one top-level catch.
void require(gcry_error_t error, const char* what) {
  if (error != 0) throw std::runtime_error(std::string("libgcrypt failure: ") + what + ": " + gcry_strerror(error));
}

// libgcrypt frees some heap blocks without clearing them: scrypt's, one of which would let a guessed
// passphrase be tested without scrypt's cost. Every heap block it frees or moves is wiped first
// (outside FIPS mode, where libgcrypt ignores allocation handlers and keeps its secure memory).
void* allocate(std::size_t size) { return std::malloc(size); }

void free_wiped(void* block) {
  if (block == nullptr) return;
  base::wipe(block, ::malloc_usable_size(block));
  std::free(block);
}

// libgcrypt never passes a null block or a size of 0 here (it frees or allocates instead).
void* reallocate_wiped(void* block, std::size_t size) {
  const std::size_t old_size = ::malloc_usable_size(block);
  void* moved = std::malloc(size);
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, block, std::min(old_size, size));
  free_wiped(block);
  return moved;
}

int never_secure(const void* /*block*/) { return 0; }

// The first use sets libgcrypt up, once per process, in the order its manual asks: the version
// check, then the allocation handlers, then no secure memory (it would only warn when it cannot lock
// pages; our own keys are wiped by Key and SecretBytes).
void use_gcrypt() {
  static const bool ready = [] {
    if (gcry_check_version(GCRYPT_VERSION) == nullptr) throw std::runtime_error("libgcrypt is older than the build's");
    gcry_set_allocation_handler(allocate, allocate, never_secure, reallocate_wiped, free_wiped);
    require(gcry_control(GCRYCTL_DISABLE_SECMEM, 0), "disable secure memory");
    require(gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0), "initialization");
    return true;
  }();
  (void)ready;
}

struct CipherClose {
  void operator()(gcry_cipher_hd_t handle) const { gcry_cipher_close(handle); }
};
using Cipher = std::unique_ptr<std::remove_pointer_t<gcry_cipher_hd_t>, CipherClose>;

// AES-256-GCM keyed with `key`, its nonce the first nonce_size bytes of `nonce`, with the associated data.
Cipher gcm(const Key& key, const unsigned char* nonce, std::string_view associated_data) {
  use_gcrypt();
  gcry_cipher_hd_t handle = nullptr;
  require(gcry_cipher_open(&handle, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0), "AES-GCM");
  Cipher cipher(handle);
  require(gcry_cipher_setkey(handle, key.data(), key_size), "AES-GCM key");
  require(gcry_cipher_setiv(handle, nonce, nonce_size), "AES-GCM nonce");
  require(gcry_cipher_authenticate(handle, associated_data.data(), associated_data.size()), "AES-GCM data");
  return cipher;
}

// HMAC-SHA256 of the concatenated parts, keyed with `key`.
std::array<unsigned char, 32> hmac_sha256(ByteView key, std::initializer_list<ByteView> parts) {
  use_gcrypt();
  gcry_mac_hd_t handle = nullptr;
  require(gcry_mac_open(&handle, GCRY_MAC_HMAC_SHA256, 0, nullptr), "HMAC");
  const std::unique_ptr<std::remove_pointer_t<gcry_mac_hd_t>, decltype(&gcry_mac_close)> closer(handle, gcry_mac_close);
  require(gcry_mac_setkey(handle, key.data(), key.size()), "HMAC key");
  for (const auto part : parts) require(gcry_mac_write(handle, part.data(), part.size()), "HMAC data");
  std::array<unsigned char, 32> out{};
  std::size_t length = out.size();
  require(gcry_mac_read(handle, out.data(), &length), "HMAC read");
  return out;
}

// The kernel's random numbers (getrandom blocks only until the pool is first seeded, at boot).
void fill_random(unsigned char* out, std::size_t count) {
  while (count > 0) {
    const auto got = ::getrandom(out, count, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    out += got;
    count -= static_cast<std::size_t>(got);
  }
}

}  // namespace

Key::~Key() { base::wipe(bytes_.data(), bytes_.size()); }

Bytes random_bytes(std::size_t count) {
  Bytes bytes(count);
  fill_random(bytes.data(), count);
  return bytes;
}

Key random_key() {
  Key key;
  fill_random(key.data(), key_size);
  return key;
}

Bytes seal(const Key& key, ByteView plaintext, std::string_view associated_data) {
  Bytes sealed = random_bytes(nonce_size);
  sealed.resize(nonce_size + plaintext.size() + tag_size);
  const auto cipher = gcm(key, sealed.data(), associated_data);
  require(gcry_cipher_encrypt(cipher.get(), sealed.data() + nonce_size, plaintext.size(), plaintext.data(),
                              plaintext.size()),
          "AES-GCM encrypt");
  require(gcry_cipher_gettag(cipher.get(), sealed.data() + nonce_size + plaintext.size(), tag_size), "AES-GCM tag");
  return sealed;
}

base::Result<base::SecretBytes> open(const Key& key, ByteView sealed, std::string_view associated_data) {
  if (sealed.size() < nonce_size + tag_size) return base::fail("sealed value is too short");
  const std::size_t size = sealed.size() - nonce_size - tag_size;
  base::SecretBytes plaintext;
  plaintext.resize_uninitialized(size);
  const auto cipher = gcm(key, sealed.data(), associated_data);
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  require(gcry_cipher_decrypt(cipher.get(), out, size, sealed.data() + nonce_size, size), "AES-GCM decrypt");
  if (gcry_cipher_checktag(cipher.get(), sealed.data() + nonce_size + size, tag_size) != 0) {
    plaintext.clear();  // wiped: it was decrypted before the tag was checked
    return base::fail("authentication failed");
  }
  return plaintext;
}

// HKDF-SHA256 (RFC 5869) without a salt, so HashLen zero bytes: PRK = HMAC(zeros, master), and the
// one block of output T(1) = HMAC(PRK, purpose || 0x01).
Key derive(const Key& master, std::string_view purpose) {
  const std::array<unsigned char, 32> no_salt{};
  auto pseudorandom = hmac_sha256(no_salt, {master.view()});
  const unsigned char first_block = 1;
  auto block = hmac_sha256(pseudorandom, {as_bytes(purpose), ByteView(&first_block, 1)});
  Key derived;
  std::copy(block.begin(), block.end(), derived.data());
  base::wipe(pseudorandom.data(), pseudorandom.size());
  base::wipe(block.data(), block.size());
  return derived;
}

Bytes mac(const Key& key, ByteView data) {
  const auto digest = hmac_sha256(key.view(), {data});
  return {digest.begin(), digest.end()};
}

bool equal_in_constant_time(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference = static_cast<unsigned char>(difference | (a[i] ^ b[i]));
  return difference == 0;
}

base::Result<void> check_passphrases_usable() {
  use_gcrypt();
  // scrypt's one PBKDF2 iteration is below FIPS's minimum, so libgcrypt refuses scrypt there.
  if (gcry_fips_mode_active()) {
    return base::fail("libgcrypt runs in FIPS mode on this host, where it refuses scrypt, so no passphrase can unlock "
                      "a store here; use a key file");
  }
  return {};
}

base::Result<Key> key_from_passphrase(std::string_view passphrase, ByteView salt, const ScryptCost& cost) {
  // libgcrypt's scrypt has r = 8, the only r stackup writes. Its two blocks take 128 * r * (N + p)
  // bytes, at most 1 GiB (as OpenSSL's limit was), so N <= 2^19; p is at most 16 (time: p runs of
  // the whole computation). Both are checked before anything is multiplied or allocated.
  constexpr std::uint64_t memory_limit = 1ULL << 30;
  const bool supported = cost.r == 8 && cost.n >= 2 && (cost.n & (cost.n - 1)) == 0 && cost.p >= 1 &&
                         cost.p <= 16 && cost.n <= memory_limit / (128 * cost.r) - cost.p;
  if (!supported) return base::fail("scrypt failed (unsupported cost parameters?)");
  use_gcrypt();
  use_gcrypt();
  Key key;
  if (gcry_kdf_derive(passphrase.data(), passphrase.size(), GCRY_KDF_SCRYPT, static_cast<int>(cost.n), salt.data(),
                      salt.size(), cost.p, key_size, key.data()) != 0) {
    return base::fail("scrypt failed (unsupported cost parameters?)");
  }
  return key;
}

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes exactly out.size() bytes from 2 * out.size() hex digits.
base::Result<void> decode_hex(std::string_view text, std::span<unsigned char> out) {
  if (text.size() != out.size() * 2) return base::fail("wrong number of hex digits");
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_value(text[2 * i]);
    const int low = hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0) return base::fail("not a hex digit");
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return {};
}

}  // namespace

std::string to_hex(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const auto byte : bytes) {
    out += hex_digits[byte >> 4];
    out += hex_digits[byte & 0x0F];
  }
  return out;
}

base::Result<Bytes> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return base::fail("odd number of hex digits");
  Bytes out(text.size() / 2);
  if (auto decoded = decode_hex(text, out); !decoded) return base::fail(decoded.error().message);
  return out;
}

void key_to_hex(const Key& key, char* out) {
  for (const auto byte : key.view()) {
    *out++ = hex_digits[byte >> 4];
    *out++ = hex_digits[byte & 0x0F];
  }
}

base::Result<Key> key_from_hex(std::string_view text) {
  Key key;
  if (auto decoded = decode_hex(text, {key.data(), key_size}); !decoded) return base::fail(decoded.error().message);
  return key;
}

}  // namespace stackup::store::crypto
