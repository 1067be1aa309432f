#include <gtest/gtest.h>

#include <unistd.h>
#include <sys/stat.h>

#include "auth/token_format.h"
#include "common/crypto.h"
#include "common/ids.h"

namespace opscale {
namespace {

TEST(TokenFormatTest, GeneratedSecretsAreWellFormedAndDistinct) {
  std::string a = GenerateSecret(kServiceTokenPrefix);
  std::string b = GenerateSecret(kServiceTokenPrefix);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("pscale_tkn_", 0), 0u);
  EXPECT_EQ(a.size(), kServiceTokenPrefix.size() + kSecretBodyLength + kSecretChecksumLength);
  EXPECT_TRUE(IsWellFormedSecret(a, kServiceTokenPrefix));
  EXPECT_FALSE(IsWellFormedSecret(a, kApiTokenPrefix));
}

TEST(TokenFormatTest, ChecksumCatchesEveryOneCharTypo) {
  std::string s = GenerateSecret(kServiceTokenPrefix);
  for (size_t i = kServiceTokenPrefix.size(); i < s.size(); ++i) {
    std::string t = s;
    t[i] = t[i] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(IsWellFormedSecret(t, kServiceTokenPrefix)) << "position " << i;
  }
  EXPECT_FALSE(IsWellFormedSecret(s.substr(0, s.size() - 1), kServiceTokenPrefix));
  EXPECT_FALSE(IsWellFormedSecret(s + "x", kServiceTokenPrefix));
  std::string bad_char = s;
  bad_char[20] = '-';
  EXPECT_FALSE(IsWellFormedSecret(bad_char, kServiceTokenPrefix));
}

TEST(TokenFormatTest, Ids) {
  EXPECT_TRUE(IsWellFormedId("abc123def456"));
  EXPECT_FALSE(IsWellFormedId("ABC123DEF456"));
  EXPECT_FALSE(IsWellFormedId("abc123def45"));
  EXPECT_FALSE(IsWellFormedId("abc123def45_"));
}

TEST(SecretHasherTest, KeyedHashDependsOnKey) {
  SecretHasher h1(std::string(32, 'k')), h2(std::string(32, 'j'));
  std::string s = GenerateSecret(kServiceTokenPrefix);
  EXPECT_EQ(h1.Hash(s).size(), 64u);
  EXPECT_NE(h1.Hash(s), h2.Hash(s));
  EXPECT_TRUE(h1.Matches(s, h1.Hash(s)));
  EXPECT_FALSE(h2.Matches(s, h1.Hash(s)));
  EXPECT_EQ(h1.Hash(s).find(s), std::string::npos);
}

// SecretHasher pads and runs the SHA-256 blocks itself (for speed): it must
// equal OpenSSL's one-shot HMAC for every message length around the block
// boundaries, and for keys shorter, equal to and longer than a block.
TEST(SecretHasherTest, EqualsOneShotHmacForAllLengths) {
  for (size_t key_size : {1, 32, 63, 64, 65, 200}) {
    std::string key(key_size, '\0');
    for (size_t i = 0; i < key_size; ++i) key[i] = static_cast<char>(i * 7 + 3);
    SecretHasher hasher(key);
    for (size_t n = 0; n <= 200; ++n) {
      std::string message(n, '\0');
      for (size_t i = 0; i < n; ++i) message[i] = static_cast<char>(i * 13 + n);
      EXPECT_EQ(hasher.Hash(message), crypto::Hex(crypto::HmacSha256(key, message)))
          << "key " << key_size << ", message " << n;
    }
  }
}

// Secrets issued before the checksum was computed with SHA256_Transform
// (it was crypto::Sha256 over prefix + body) stay well-formed.
TEST(TokenFormatTest, ChecksumIsFirst32BitsOfSha256InBase62) {
  for (int i = 0; i < 100; ++i) {
    std::string body = GenerateSecret(kServiceTokenPrefix).substr(kServiceTokenPrefix.size(), kSecretBodyLength);
    std::string digest = crypto::Sha256(std::string(kServiceTokenPrefix) + body);
    uint32_t v = 0;
    for (int j = 0; j < 4; ++j) v = (v << 8) | static_cast<unsigned char>(digest[j]);
    std::string sum(kSecretChecksumLength, '0');
    for (int j = static_cast<int>(kSecretChecksumLength) - 1; j >= 0; --j, v /= 62) sum[j] = kBase62[v % 62];
    EXPECT_TRUE(IsWellFormedSecret(std::string(kServiceTokenPrefix) + body + sum, kServiceTokenPrefix));
  }
}

TEST(SecretHasherTest, KeyFileCreatedOnceWithMode0600) {
  char dir[] = "/tmp/opscale-key-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/token.key";
  auto k1 = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  EXPECT_EQ(k1->size(), 32u);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto k2 = LoadOrCreateKeyFile(path);
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(*k1, *k2);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace opscale
