#include "cli/credentials.h"

#include <gtest/gtest.h>

namespace opscale::cli {
namespace {

TEST(CredentialsTest, HalfSetServiceToken) {
  Credentials only_secret{"pscale_tkn_abc", "", ""};
  Credentials only_id{"", "k2b8x9ta4mzp", "pscale_oauth_x"};
  EXPECT_EQ(CheckCredentials(only_secret), CredentialProblem::kHalfServiceToken);
  EXPECT_EQ(CheckCredentials(only_id), CredentialProblem::kHalfServiceToken);
  EXPECT_EQ(CredentialProblemMessage(CredentialProblem::kHalfServiceToken),
            "both --service-token and --service-token-id are required for service token authentication");
}

TEST(CredentialsTest, SwappedValues) {
  Credentials swapped{"k2b8x9ta4mzp", "pscale_tkn_AbCdEf", ""};
  EXPECT_EQ(CheckCredentials(swapped), CredentialProblem::kSwapped);
  EXPECT_EQ(CredentialProblemMessage(CredentialProblem::kSwapped),
            "it looks like you swapped the --service-token and --service-token-id values");
  // An ID that starts with the prefix but a secret of another length is not "swapped".
  Credentials odd{"short", "pscale_tkn_AbCdEf", ""};
  EXPECT_EQ(CheckCredentials(odd), CredentialProblem::kNone);
}

TEST(CredentialsTest, NothingSet) {
  EXPECT_EQ(CheckCredentials(Credentials{}), CredentialProblem::kNotAuthenticated);
  EXPECT_EQ(CredentialProblemMessage(CredentialProblem::kNotAuthenticated),
            "you must run 'pscale auth login' to authenticate before using this command");
}

TEST(CredentialsTest, AuthorizationHeader) {
  Credentials st{"pscale_tkn_secret", "k2b8x9ta4mzp", "pscale_oauth_ignored"};
  EXPECT_TRUE(st.UsesServiceToken());
  EXPECT_EQ(AuthorizationValue(st), "k2b8x9ta4mzp:pscale_tkn_secret");
  Credentials bearer{"", "", "pscale_oauth_abc"};
  EXPECT_EQ(CheckCredentials(bearer), CredentialProblem::kNone);
  EXPECT_EQ(AuthorizationValue(bearer), "Bearer pscale_oauth_abc");
  EXPECT_EQ(AuthorizationValue(Credentials{}), "");
}

}  // namespace
}  // namespace opscale::cli
