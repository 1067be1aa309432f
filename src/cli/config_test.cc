#include "cli/config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/opscale-cli-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ConfigTest, ParsesKeyValueLines) {
  ConfigValues v =
      ParseConfig("# comment\norg: acme\ndatabase: \"mydb\"\nbranch: 'dev' # trailing\nother: x\n");
  EXPECT_EQ(v.org, "acme");
  EXPECT_EQ(v.database, "mydb");
  EXPECT_EQ(v.branch, "dev");
}

TEST(ConfigTest, IgnoresNestedAndMalformedLines) {
  ConfigValues v = ParseConfig("nested:\n  org: inner\nnot a pair\r\norg:   spaced  \r\n");
  EXPECT_EQ(v.org, "spaced");
}

TEST(ConfigTest, RenderRoundTrips) {
  ConfigValues v{"acme", "", "main"};
  EXPECT_EQ(RenderConfig(v), "org: acme\nbranch: main\n");
  ConfigValues back = ParseConfig(RenderConfig(v));
  EXPECT_EQ(back.org, "acme");
  EXPECT_EQ(back.branch, "main");
}

// Regression (fuzz/cli_config_fuzz.cc round trip): values that only quotes
// keep are written quoted, so they read back unchanged.
TEST(ConfigTest, RenderQuotesValuesThatNeedIt) {
  ConfigValues v = ParseConfig("org: \"a #b\"\ndatabase: ' padded '\nbranch: \"'x'\"\n");
  EXPECT_EQ(v.org, "a #b");
  EXPECT_EQ(v.database, " padded ");
  EXPECT_EQ(v.branch, "'x'");
  EXPECT_EQ(RenderConfig(v), "org: \"a #b\"\ndatabase: \" padded \"\nbranch: \"'x'\"\n");
  ConfigValues back = ParseConfig(RenderConfig(v));
  EXPECT_EQ(back.org, v.org);
  EXPECT_EQ(back.database, v.database);
  EXPECT_EQ(back.branch, v.branch);
  ConfigValues both = ParseConfig("org: '\"x' # note\n");
  EXPECT_EQ(both.org, "\"x");
  EXPECT_EQ(ParseConfig(RenderConfig(both)).org, "\"x");
}

TEST(ConfigTest, OrgPrecedence) {
  OrgSources s{"flag-org", "env-org", "project-org", "global-org"};
  EXPECT_EQ(*ResolveOrg(s), "flag-org");
  s.flag.clear();
  EXPECT_EQ(*ResolveOrg(s), "env-org");
  s.env.clear();
  EXPECT_EQ(*ResolveOrg(s), "project-org");
  s.project_org.clear();
  EXPECT_EQ(*ResolveOrg(s), "global-org");
  s.global_org.clear();
  Result<std::string> none = ResolveOrg(s);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "required flag(s) \"org\" not set");
}

TEST(ConfigTest, ProjectFileAtGitRootElseCwd) {
  TempDir tmp;
  fs::create_directories(tmp.path() + "/repo/.git");
  fs::create_directories(tmp.path() + "/repo/sub/dir");
  EXPECT_EQ(ProjectConfigPath(tmp.path() + "/repo/sub/dir"), tmp.path() + "/repo/.pscale.yml");
  fs::create_directories(tmp.path() + "/plain/dir");
  EXPECT_EQ(ProjectConfigPath(tmp.path() + "/plain/dir"), tmp.path() + "/plain/dir/.pscale.yml");
}

TEST(ConfigTest, WriteCreatesDirWithMode0771) {
  TempDir tmp;
  std::string home = tmp.path();
  ASSERT_TRUE(WriteConfigFile(DefaultConfigPath(home), ConfigValues{"acme", "", ""}).ok());
  struct stat st {};
  ASSERT_EQ(stat(ConfigDir(home).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0771u);
  auto read = ReadConfigFile(DefaultConfigPath(home));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->org, "acme");
  EXPECT_FALSE(ReadConfigFile(home + "/missing.yml").has_value());
}

TEST(ConfigTest, ReadsAccessTokenFile) {
  TempDir tmp;
  EXPECT_EQ(ReadAccessToken(tmp.path()), "");
  fs::create_directories(ConfigDir(tmp.path()));
  std::ofstream(AccessTokenPath(tmp.path())) << "pscale_oauth_abc\n";
  EXPECT_EQ(ReadAccessToken(tmp.path()), "pscale_oauth_abc");
}

}  // namespace
}  // namespace opscale::cli
