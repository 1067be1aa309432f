#include <gtest/gtest.h>

#include <unistd.h>
#include <sys/stat.h>

#include "auth/token_format.h"

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
