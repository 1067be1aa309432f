// Hostile and malformed input against the real server: each gets a clear
// JSON error with the right status; nothing crashes, nothing is half written.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil/http.h"
#include "testutil/process.h"

namespace opscale::testutil {
namespace {

namespace json = boost::json;

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Server("acme");
    admin_ = BearerHeader(server_->admin().api_token);
    ASSERT_EQ(Api("POST", "/v1/organizations/acme/databases", admin_, R"({"name":"mydb","cluster_size":"PS-10"})").status, 201);
    HttpReply t = Api("POST", "/v1/organizations/acme/service-tokens", admin_, "{}");
    json::object o = t.Json().as_object();
    token_id_ = o["id"].as_string().c_str();
    token_ = o["token"].as_string().c_str();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpReply Api(const std::string& method, const std::string& path, const std::string& auth,
                       const std::string& body = "") {
    return CallApi(server_->url(), method, path, auth, body);
  }
  static void ExpectError(const HttpReply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = r.Json();
    ASSERT_TRUE(v.is_object()) << r.body;
    EXPECT_EQ(v.as_object()["code"].as_string(), code) << r.body;
    EXPECT_TRUE(v.as_object()["message"].is_string());
  }
  // Sends raw bytes on a fresh connection and returns what comes back.
  static std::string Raw(const std::string& bytes) {
    int port = std::stoi(server_->url().substr(server_->url().rfind(':') + 1));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) { close(fd); return ""; }
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
  }

  static Server* server_;
  static std::string admin_, token_id_, token_;
};

Server* BadInputTest::server_ = nullptr;
std::string BadInputTest::admin_, BadInputTest::token_id_, BadInputTest::token_;

TEST_F(BadInputTest, MalformedJsonAndWrongTypes) {
  const std::string dbs = "/v1/organizations/acme/databases";
  ExpectError(Api("POST", dbs, admin_, "{\"name\":"), 400, "bad_request");
  ExpectError(Api("POST", dbs, admin_, "[1,2]"), 400, "bad_request");
  ExpectError(Api("POST", dbs, admin_, R"({"name":42})"), 422, "unprocessable");
  ExpectError(Api("POST", dbs, admin_, R"({"cluster_size":"PS-10"})"), 422, "unprocessable");
  ExpectError(Api("POST", dbs, admin_, R"({"name":"x","kind":"oracle"})"), 422, "unprocessable");
  const std::string tokens = "/v1/organizations/acme/service-tokens";
  ExpectError(Api("POST", tokens, admin_, R"({"ttl":"soon"})"), 422, "unprocessable");
  ExpectError(Api("POST", tokens, admin_, R"({"ttl":-5})"), 422, "unprocessable");
  ExpectError(Api("POST", tokens, admin_, R"({"name":["a"]})"), 422, "unprocessable");
  ExpectError(Api("POST", tokens, admin_, R"({"name":""})"), 400, "bad_request");
  ExpectError(Api("POST", tokens + "/" + token_id_ + "/access", admin_, R"({"access":"nope"})"), 422,
              "unprocessable");
  ExpectError(Api("POST", tokens + "/" + token_id_ + "/access", admin_, R"({"access":[1]})"), 422,
              "unprocessable");
  ExpectError(Api("POST", tokens + "/" + token_id_ + "/access", admin_, R"({"access":[]})"), 422,
              "unprocessable");
  ExpectError(Api("GET", dbs + "?page=abc", admin_), 400, "bad_request");
  ExpectError(Api("GET", dbs + "?per_page=-1", admin_), 400, "bad_request");
}

TEST_F(BadInputTest, InvalidNames) {
  const std::string dbs = "/v1/organizations/acme/databases";
  for (const std::string& name : {std::string(""), std::string(65, 'a'), std::string("UPPER"),
                                  std::string("under_score"), std::string("-dash"),
                                  std::string("sp ace"), std::string("caf\xc3\xa9")}) {
    json::object body{{"name", name}, {"cluster_size", "PS-10"}};
    HttpReply r = Api("POST", dbs, admin_, json::serialize(body));
    ExpectError(r, 400, "bad_request");
    EXPECT_NE(r.body.find("invalid database name"), std::string::npos) << r.body;
  }
  ExpectError(Api("POST", dbs + "/mydb/branches", admin_, R"({"name":"Bad_Branch"})"), 400, "bad_request");
  ExpectError(Api("POST", dbs + "/mydb/branches", admin_, R"({"name":"ok","parent_branch":"ghost"})"),
              404, "not_found");
  // Nothing was created by the refused requests.
  HttpReply list = Api("GET", dbs, admin_);
  EXPECT_EQ(list.Json().as_object()["total_count"].as_int64(), 1);
  EXPECT_EQ(Api("GET", dbs + "/mydb/branches", admin_).Json().as_object()["total_count"].as_int64(), 1);
  ExpectError(Api("POST", dbs, admin_, R"({"name":"mydb","cluster_size":"PS-10"})"), 409, "conflict");
}

TEST_F(BadInputTest, UnknownIds) {
  const std::string o = "/v1/organizations";
  ExpectError(Api("GET", o + "/nope", admin_), 404, "not_found");
  ExpectError(Api("GET", o + "/acme/databases/nope", admin_), 404, "not_found");
  ExpectError(Api("GET", o + "/acme/databases/mydb/branches/nope", admin_), 404, "not_found");
  ExpectError(Api("GET", o + "/acme/service-tokens/zzzzzzzzzzzz", admin_), 404, "not_found");
  ExpectError(Api("GET", o + "/acme/service-tokens/not-an-id", admin_), 404, "not_found");
  ExpectError(Api("DELETE", o + "/acme/service-tokens/zzzzzzzzzzzz", admin_), 404, "not_found");
  ExpectError(Api("GET", "/v1/nothing-here", admin_), 404, "not_found");
}

// The secret with its last character changed (to another one: replacing it
// with a fixed letter left the secret unchanged when it already ended so).
std::string Typo(std::string secret) {
  secret.back() = secret.back() == 'x' ? 'y' : 'x';
  return secret;
}

TEST_F(BadInputTest, AuthorizationHeaderForms) {
  const std::string path = "/v1/organizations";
  std::vector<std::string> bad = {
      "Authorization: " + token_id_,                                   // no colon
      "Authorization: " + token_id_ + ":" + token_ + ":extra",          // several colons
      "Authorization: Bearer " + token_id_ + ":" + token_,             // Bearer on a service token
      "Authorization: " + token_ + ":" + token_id_,                    // swapped
      "Authorization: " + token_id_ + ":" + Typo(token_),              // one character changed
      "Authorization: " + token_id_ + ":" + token_ + "\xc3\xa9",       // non-ASCII
      "Authorization: zzzzzzzzzzzz:" + token_,                         // unknown id
      "Authorization: Bearer pscale_oauth_nope",
      "Authorization: ",
  };
  std::string first_message;
  for (size_t i = 0; i < bad.size(); ++i) {
    const std::string& h = bad[i];
    HttpReply r = Curl("GET", server_->url() + path, {h});
    if (r.status != 401) {
      ADD_FAILURE() << "header form #" << i << " got " << r.status;  // no secret in the log
      continue;
    }
    ExpectError(r, 401, "unauthorized");
    std::string msg = r.Json().as_object()["message"].as_string().c_str();
    if (first_message.empty()) first_message = msg;
    EXPECT_EQ(msg, first_message) << "every failure must look the same";
  }
  EXPECT_EQ(Curl("GET", server_->url() + path, {TokenHeader(token_id_, token_)}).status, 200);
}

TEST_F(BadInputTest, OversizedBodyAndHeaders) {
  std::string big(2 * 1024 * 1024, 'a');
  HttpReply r = Api("POST", "/v1/organizations/acme/databases", admin_, "{\"name\":\"" + big + "\"}");
  ExpectError(r, 413, "payload_too_large");
  std::string huge_header = "X-Filler: " + std::string(64 * 1024, 'b');
  HttpReply h = Curl("GET", server_->url() + "/v1/organizations", {admin_, huge_header});
  EXPECT_EQ(h.status, 431);
  // Still serving.
  EXPECT_EQ(Api("GET", "/healthz", "").status, 200);
}

TEST_F(BadInputTest, GarbageOnTheWireDoesNotCrash) {
  std::string resp = Raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(resp.empty() || resp.find(" 400 ") != std::string::npos) << resp;
  Raw(std::string("\x00\x01\x02\xff\xfe", 5));
  Raw("GET /v1/organizations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab");  // short body
  Raw("POST /v1/organizations/acme/databases HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  std::string ok = Raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(ok.find("200"), std::string::npos);
  EXPECT_EQ(Api("GET", "/healthz", "").status, 200);
}

TEST_F(BadInputTest, LogsHoldNoSecrets) {
  // Use every kind of credential, then read the server's log.
  Curl("GET", server_->url() + "/v1/organizations", {TokenHeader(token_id_, token_)});
  Curl("GET", server_->url() + "/v1/organizations?token=" + token_, {admin_});
  std::string log = server_->Log();
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.find(token_), std::string::npos);
  EXPECT_EQ(log.find(server_->admin().api_token), std::string::npos);
  EXPECT_EQ(log.find("pscale_tkn_"), std::string::npos);
  EXPECT_EQ(log.find("Authorization"), std::string::npos);
}

}  // namespace
}  // namespace opscale::testutil
