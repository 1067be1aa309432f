#include "api/request_bodies.h"

#include <gtest/gtest.h>

namespace opscale::api {
namespace {

TEST(RequestBodiesTest, MalformedOrNonObjectBodiesAre400AndBlankIsEmpty) {
  EXPECT_EQ(DecodeCreateToken("{\"name\":").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DecodeCreateToken("[1]").status().message(), "request body must be a JSON object");
  auto blank = DecodeCreateToken(" \n");
  ASSERT_TRUE(blank.ok());
  EXPECT_FALSE(blank->name);
  EXPECT_FALSE(blank->ttl);
}

TEST(RequestBodiesTest, WrongTypesAndMissingFieldsAre422NamingTheField) {
  auto r = DecodeCreateToken("{\"ttl\":1.5}");
  EXPECT_EQ(r.status().code(), Code::kUnprocessable);
  EXPECT_EQ(r.status().message(), "field 'ttl' must be an integer");
  EXPECT_EQ(DecodeCreateDatabase("{}").status().message(), "field 'name' is required");
  EXPECT_EQ(DecodeCreateDatabase("{\"name\":\"a\",\"kind\":\"postgresql\"}").status().code(),
            Code::kUnprocessable);
  EXPECT_EQ(DecodeCreateBranch("{\"name\":\"a\",\"backup_id\":\"b\"}").status().code(),
            Code::kUnprocessable);
  EXPECT_EQ(DecodeCreatePassword("{\"cidrs\":[\"10.0.0.0/8\"]}").status().code(),
            Code::kUnprocessable);
  EXPECT_EQ(DecodeCreatePassword("{\"replica\":true}").status().code(), Code::kUnprocessable);
  EXPECT_EQ(DecodeCreateDeployRequest("{\"branch\":\"\"}").status().message(),
            "field 'branch' is required");
  EXPECT_EQ(DecodeCloseDeployRequest("{\"state\":\"open\"}").code(), Code::kUnprocessable);
  EXPECT_TRUE(DecodeCloseDeployRequest("{\"state\":\"closed\"}").ok());
  EXPECT_EQ(DecodeAddMember("{\"email\":\"a@b.c\",\"role\":\"owner\"}").status().code(),
            Code::kUnprocessable);
}

TEST(RequestBodiesTest, DecodesWhatTheRoutesUse) {
  auto t = DecodeCreateToken("{\"name\":\"ci\",\"ttl\":\"3600\"}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t->name, "ci");
  EXPECT_EQ(*t->ttl, 3600);
  auto a = DecodeTokenAccess("{\"database\":\"shop\",\"accesses\":\"read_branch\"}");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->database, "shop");
  EXPECT_EQ(a->access, std::vector<std::string>{"read_branch"});
  auto review = DecodeCreateReview("{\"state\":null}");
  ASSERT_TRUE(review.ok());
  EXPECT_EQ(review->state, "commented");
  auto member = DecodeAddMember("{\"email\":\"a@b.c\"}");
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(member->role, Role::kMember);
  auto app = DecodeOAuthApp("{\"scopes\":\"read_branches write_branches\"}");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(*app->scopes, std::vector<std::string>{"read_branches write_branches"});
  EXPECT_FALSE(DecodeOAuthApp("{}")->scopes);
}

TEST(RequestBodiesTest, OAuthParamsFromJsonOrForm) {
  std::map<std::string, std::string> p{{"client_id", "from-query"}};
  AddOAuthBodyParams("application/json", "{\"client_id\":\"x\",\"approve\":false,\"n\":1}", &p);
  EXPECT_EQ(p, (std::map<std::string, std::string>{{"client_id", "x"}, {"approve", "false"}}));
  std::map<std::string, std::string> f;
  AddOAuthBodyParams("application/x-www-form-urlencoded", "a=1+2&b=%zz&a=3", &f);
  EXPECT_EQ(f, (std::map<std::string, std::string>{{"a", "3"}, {"b", "%zz"}}));
}

TEST(RequestBodiesTest, BasicCredentials) {
  // base64("my%20id:s3cr+t") : the halves are form-decoded.
  auto c = DecodeBasicAuthorization("Basic bXklMjBpZDpzM2NyK3Q=");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->first, "my id");
  EXPECT_EQ(c->second, "s3cr t");
  EXPECT_FALSE(DecodeBasicAuthorization("Basic bm9jb2xvbg=="));  // "nocolon"
  EXPECT_FALSE(DecodeBasicAuthorization("Bearer bXk6aWQ="));
}

}  // namespace
}  // namespace opscale::api
