#include <gtest/gtest.h>

#include "store/crypto.hpp"

namespace stackup::store::crypto {
namespace {

TEST(Crypto, SealThenOpenRoundTrips) {
  const auto key = random_key();
  const auto sealed = seal(key, as_bytes("the value"), "context");
  EXPECT_EQ(sealed.size(), nonce_size + 9 + tag_size);
  const auto opened = open(key, sealed, "context");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->view(), "the value");
}

TEST(Crypto, EverySealUsesAFreshNonce) {
  const auto key = random_key();
  EXPECT_NE(seal(key, as_bytes("same"), "c"), seal(key, as_bytes("same"), "c"));
}

TEST(Crypto, OpeningFailsWithAnotherKeyContextOrAnyFlippedByte) {
  const auto key = random_key();
  const auto sealed = seal(key, as_bytes("the value"), "store/name/1");
  EXPECT_FALSE(open(random_key(), sealed, "store/name/1"));
  EXPECT_FALSE(open(key, sealed, "store/name/2"));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(open(key, tampered, "store/name/1")) << "byte " << i;
  }
  EXPECT_FALSE(open(key, Bytes(5), "store/name/1"));
}

TEST(Crypto, DerivedKeysDifferByPurposeAndAreStable) {
  const auto master = random_key();
  const auto a = derive(master, "encryption");
  const auto b = derive(master, "change-detection");
  EXPECT_NE(Bytes(a.view().begin(), a.view().end()), Bytes(b.view().begin(), b.view().end()));
  const auto again = derive(master, "encryption");
  EXPECT_EQ(Bytes(a.view().begin(), a.view().end()), Bytes(again.view().begin(), again.view().end()));
}

TEST(Crypto, MacIsKeyedAndComparedInConstantTime) {
  const auto key = random_key();
  const auto first = mac(key, as_bytes("value"));
  EXPECT_EQ(first.size(), 32u);
  EXPECT_TRUE(equal_in_constant_time(first, mac(key, as_bytes("value"))));
  EXPECT_FALSE(equal_in_constant_time(first, mac(key, as_bytes("value2"))));
  EXPECT_FALSE(equal_in_constant_time(first, mac(random_key(), as_bytes("value"))));
}

TEST(Crypto, PassphrasesDeriveTheSameKeyOnlyWithTheSameSalt) {
  const ScryptCost cheap{1024, 8, 1};
  const Bytes salt(16, 7);
  const auto a = key_from_passphrase("correct horse", salt, cheap);
  const auto b = key_from_passphrase("correct horse", salt, cheap);
  const auto c = key_from_passphrase("correct horse", Bytes(16, 8), cheap);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(to_hex(a->view()), to_hex(b->view()));
  EXPECT_NE(to_hex(a->view()), to_hex(c->view()));
}

// Known answers, so that a store written with one cryptographic library opens with another: the
// sealed values were made by the OpenSSL build stackup used before libgcrypt; the HMAC and HKDF
// values agree with Python's hmac module; the scrypt one is RFC 7914's third vector (its first 32 bytes).
Key counting_key() {
  Key key;
  for (std::size_t i = 0; i < key_size; ++i) key.data()[i] = static_cast<unsigned char>(i);
  return key;
}

TEST(Crypto, OpensValuesSealedByTheFormerLibrary) {
  const auto sealed = from_hex("012db5b215f1c791d6f8423fd20315897b5e1106407d4ab3a7482b838db9bdec9576e493ac");
  const auto opened = open(counting_key(), sealed.value(), "store/name/1");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->view(), "the value");
  const auto sealed_empty = from_hex("a94e652020c42333dd2eb844745a1d7da245e570f4de918c2e99d00c");
  const auto empty = open(counting_key(), sealed_empty.value(), "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->view(), "");
}

TEST(Crypto, DerivesAndMacsKnownAnswers) {
  EXPECT_EQ(to_hex(derive(counting_key(), "encryption").view()),
            "c4d9879f1d607713798b3a15a36cb130ff3291ee8092b96698d472087fa8af4c");
  EXPECT_EQ(to_hex(mac(counting_key(), as_bytes("value"))),
            "864b4c7a15be9448736988ee5390bcdd2944f1a49edd4773ee7269e663a299cf");
}

TEST(Crypto, ScryptGivesRfc7914sAnswerAndRefusesCostsItCannotMeet) {
  const auto key = key_from_passphrase("pleaseletmein", as_bytes("SodiumChloride"), ScryptCost{16384, 8, 1});
  ASSERT_TRUE(key);
  EXPECT_EQ(to_hex(key->view()), "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2");
  for (const ScryptCost cost : {ScryptCost{16384, 1, 1}, ScryptCost{1000, 8, 1}, ScryptCost{1ULL << 20, 8, 1},
                                ScryptCost{1ULL << 63, 8, 1}, ScryptCost{16384, 8, 0}, ScryptCost{16384, 8, 17}}) {
    EXPECT_EQ(key_from_passphrase("x", as_bytes("salt"), cost).error().message,
              "scrypt failed (unsupported cost parameters?)")
        << cost.n << " " << cost.r << " " << cost.p;
  }
}

TEST(Crypto, NewPassphraseWrappingsCostAtLeastTwoToTheSeventeen) {
  EXPECT_GE(ScryptCost{}.n, 1U << 17);
  EXPECT_EQ(former_scrypt_cost.n, 1U << 15);
}

TEST(Crypto, KeysGoToAndFromHexWithoutABufferInBetween) {
  const auto key = random_key();
  std::string text(2 * key_size, '?');
  key_to_hex(key, text.data());
  EXPECT_EQ(text, to_hex(key.view()));
  const auto decoded = key_from_hex(text);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(to_hex(decoded->view()), text);
  EXPECT_EQ(key_from_hex(text.substr(1)).error().message, "wrong number of hex digits");
  EXPECT_EQ(key_from_hex(std::string(64, 'x')).error().message, "not a hex digit");
}

TEST(Crypto, HexRoundTripsAndRejectsGarbage) {
  const Bytes bytes{0x00, 0x7f, 0xff, 0x10};
  EXPECT_EQ(to_hex(bytes), "007fff10");
  EXPECT_EQ(from_hex("007FFF10").value(), bytes);
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
}

}  // namespace
}  // namespace stackup::store::crypto
