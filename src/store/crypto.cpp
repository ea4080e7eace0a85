#include "store/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace stackup::store::crypto {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

// OpenSSL failing at these calls means the process is broken (no entropy, no memory): a bug, not
// bad input, so it throws to the one top-level catch.
void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL failure: ") + what);
}

int length_of(std::size_t size) { return static_cast<int>(size); }

}  // namespace

Key::~Key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

Bytes random_bytes(std::size_t count) {
  Bytes bytes(count);
  require(RAND_bytes(bytes.data(), length_of(count)) == 1, "RAND_bytes");
  return bytes;
}

Key random_key() {
  Key key;
  require(RAND_bytes(key.data(), length_of(key_size)) == 1, "RAND_bytes");
  return key;
}

Bytes seal(const Key& key, ByteView plaintext, std::string_view associated_data) {
  Bytes sealed = random_bytes(nonce_size);
  sealed.resize(nonce_size + plaintext.size() + tag_size);
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  require(context != nullptr, "EVP_CIPHER_CTX_new");
  int length = 0;
  require(EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) == 1, "seal init");
  require(EVP_EncryptUpdate(context.get(), nullptr, &length, as_bytes(associated_data).data(),
                            length_of(associated_data.size())) == 1,
          "seal aad");
  require(EVP_EncryptUpdate(context.get(), sealed.data() + nonce_size, &length, plaintext.data(),
                            length_of(plaintext.size())) == 1,
          "seal");
  require(EVP_EncryptFinal_ex(context.get(), sealed.data() + nonce_size + length, &length) == 1, "seal final");
  require(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, length_of(tag_size),
                              sealed.data() + nonce_size + plaintext.size()) == 1,
          "seal tag");
  return sealed;
}

base::Result<base::SecretBytes> open(const Key& key, ByteView sealed, std::string_view associated_data) {
  if (sealed.size() < nonce_size + tag_size) return base::fail("sealed value is too short");
  const std::size_t size = sealed.size() - nonce_size - tag_size;
  base::SecretBytes plaintext;
  plaintext.resize_uninitialized(size);
  CipherContext context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  require(context != nullptr, "EVP_CIPHER_CTX_new");
  int length = 0;
  require(EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) == 1, "open init");
  require(EVP_DecryptUpdate(context.get(), nullptr, &length, as_bytes(associated_data).data(),
                            length_of(associated_data.size())) == 1,
          "open aad");
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  require(EVP_DecryptUpdate(context.get(), out, &length, sealed.data() + nonce_size, length_of(size)) == 1, "open");
  Bytes tag(sealed.end() - static_cast<std::ptrdiff_t>(tag_size), sealed.end());
  require(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, length_of(tag_size), tag.data()) == 1, "open tag");
  if (EVP_DecryptFinal_ex(context.get(), out + length, &length) != 1) {
    plaintext.clear();
    return base::fail("authentication failed");
  }
  return plaintext;
}

Key derive(const Key& master, std::string_view purpose) {
  KeyContext context(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), EVP_PKEY_CTX_free);
  require(context != nullptr, "EVP_PKEY_CTX_new_id");
  require(EVP_PKEY_derive_init(context.get()) == 1, "HKDF init");
  require(EVP_PKEY_CTX_set_hkdf_md(context.get(), EVP_sha256()) == 1, "HKDF md");
  require(EVP_PKEY_CTX_set1_hkdf_key(context.get(), master.data(), length_of(key_size)) == 1, "HKDF key");
  require(EVP_PKEY_CTX_add1_hkdf_info(context.get(), as_bytes(purpose).data(), length_of(purpose.size())) == 1,
          "HKDF info");
  Key derived;
  std::size_t length = key_size;
  require(EVP_PKEY_derive(context.get(), derived.data(), &length) == 1 && length == key_size, "HKDF derive");
  return derived;
}

Bytes mac(const Key& key, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  require(HMAC(EVP_sha256(), key.data(), length_of(key_size), data.data(), data.size(), out.data(), &length) != nullptr,
          "HMAC");
  out.resize(length);
  return out;
}

bool equal_in_constant_time(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

base::Result<Key> key_from_passphrase(std::string_view passphrase, ByteView salt, const ScryptCost& cost) {
  Key key;
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt.data(), salt.size(), cost.n, cost.r, cost.p,
                     1024ULL * 1024 * 1024, key.data(), key_size) != 1) {
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
