// Unit tests of request_checks.h: the framing, Host and header-syntax rules
// on plain header lists (the raw-socket suite, tests/integration/
// hostile_http_test.cc, checks the same rules through a real opscaled).
#include "api/request_checks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace opscale::api {
namespace {

using namespace std::chrono_literals;

using Fields = std::vector<std::pair<std::string, std::string>>;

// CheckRequestHead on a head with these header lines (and its raw text).
std::optional<Refusal> Check(const Fields& fields, unsigned version = 11) {
  std::string raw = std::string("POST / HTTP/1.") + (version == 10 ? "0" : "1") + "\r\n";
  for (const auto& [name, value] : fields) raw += name + ": " + value + "\r\n";
  raw += "\r\n";
  RequestHead head;
  head.version = version;
  head.raw = raw;
  for (const auto& [name, value] : fields) head.fields.push_back({name, value});
  return CheckRequestHead(head);
}

// The status of the refusal, 0 if the head is accepted.
int StatusOf(const Fields& fields, unsigned version = 11) {
  auto r = Check(fields, version);
  return r ? r->status : 0;
}

TEST(RequestChecks, OrdinaryRequestsPass) {
  EXPECT_EQ(StatusOf({{"Host", "api.example.com"}}), 0);
  EXPECT_EQ(StatusOf({{"host", "127.0.0.1:8080"}, {"Content-Length", "12"}}), 0);
  EXPECT_EQ(StatusOf({{"Host", "[::1]:443"}, {"Transfer-Encoding", "chunked"}}), 0);
  EXPECT_EQ(StatusOf({{"Host", "h"}, {"Transfer-Encoding", "Chunked"}}), 0);
  // Equal repeated lengths are one length (RFC 9110 section 8.6).
  EXPECT_EQ(StatusOf({{"Host", "h"}, {"Content-Length", "5"}, {"Content-Length", "5, 5"}}), 0);
  // HTTP/1.0 may omit Host.
  EXPECT_EQ(StatusOf({}, 10), 0);
  EXPECT_EQ(StatusOf({{"Content-Length", "0"}}, 10), 0);
}

TEST(RequestChecks, HostIsRequiredOnceAndValid) {
  auto missing = Check({{"Accept", "*/*"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(missing->code, "bad_request");
  EXPECT_EQ(missing->message, "missing Host header (required in HTTP/1.1)");

  auto twice = Check({{"Host", "a"}, {"Host", "a"}});
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->message, "several Host headers");
  EXPECT_EQ(StatusOf({{"Host", "a"}, {"HOST", "b"}}, 10), 400);

  for (const char* bad : {"a b", "a/b", "user@host", "h:80x", "h:123456", "[::1", "[]", "a%zz",
                          "a%4", "h?x", "h#x", "\"h\""}) {
    auto r = Check({{"Host", bad}});
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->message, "invalid Host header") << bad;
  }
  // The refusal never quotes the value (it could be anything).
  auto r = Check({{"Host", "secret value"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message.find("secret"), std::string::npos);
}

TEST(RequestChecks, IsValidHost) {
  for (const char* ok : {"", "localhost", "localhost:8080", "h:", "a.b-c_d~e", "127.0.0.1",
                         "[::1]", "[2001:db8::1]:80", "xn--bcher-kva.example", "a%20b"}) {
    EXPECT_TRUE(IsValidHost(ok)) << ok;
  }
  for (const char* bad : {" h", "h ", "h\t", "[::1]x", "[::1]:x", "h:1:2", "a\\b", "h,\x01"}) {
    EXPECT_FALSE(IsValidHost(bad)) << bad;
  }
}

TEST(RequestChecks, ContentLengthMustBeOneNumber) {
  auto differ = Check({{"Host", "h"}, {"Content-Length", "5"}, {"Content-Length", "6"}});
  ASSERT_TRUE(differ);
  EXPECT_EQ(differ->status, 400);
  EXPECT_EQ(differ->message, "several different Content-Length values");
  EXPECT_EQ(StatusOf({{"Host", "h"}, {"Content-Length", "5, 6"}}), 400);
  for (const char* bad : {"", "-1", "+5", "0x10", "5 5", "1e3", "99999999999999999999999"}) {
    auto r = Check({{"Host", "h"}, {"Content-Length", bad}});
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->message, "invalid Content-Length") << bad;
  }
}

TEST(RequestChecks, ContentLengthWithTransferEncodingIsRefused) {
  // Either order, and with a coding Beast does not treat as chunked.
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Host", "h"}, {"Content-Length", "4"}, {"Transfer-Encoding", "chunked"}},
           {{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "4"}},
           {{"Host", "h"}, {"Transfer-Encoding", "gzip"}, {"Content-Length", "4"}}}) {
    auto r = Check(fields);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->message, "both Content-Length and Transfer-Encoding (ambiguous body length)");
  }
}

TEST(RequestChecks, TransferEncodingMustEndWithChunkedOnce) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> te;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"Transfer-Encoding", "gzip"}}, 400, "Transfer-Encoding must end with chunked"},
      {{{"Transfer-Encoding", "chunked, gzip"}}, 400, "Transfer-Encoding must end with chunked"},
      {{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "identity"}},
       400, "Transfer-Encoding must end with chunked"},
      {{{"Transfer-Encoding", "chunked, chunked"}}, 400,
       "chunked transfer coding applied more than once"},
      {{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}, 400,
       "chunked transfer coding applied more than once"},
      {{{"Transfer-Encoding", "chunked;q=1"}}, 400, "chunked transfer coding takes no parameters"},
      {{{"Transfer-Encoding", ""}}, 400, "empty Transfer-Encoding"},
      {{{"Transfer-Encoding", " , "}}, 400, "empty Transfer-Encoding"},
      {{{"Transfer-Encoding", "gzip, chunked"}}, 501,
       "unsupported transfer coding (only chunked is accepted)"},
      {{{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}, 501,
       "unsupported transfer coding (only chunked is accepted)"},
      {{{"Transfer-Encoding", "xchunked"}}, 400, "Transfer-Encoding must end with chunked"},
  };
  for (const auto& c : cases) {
    Fields fields = c.te;
    fields.insert(fields.begin(), std::pair<std::string, std::string>{"Host", "h"});
    auto r = Check(fields);
    ASSERT_TRUE(r) << c.message;
    EXPECT_EQ(r->status, c.status) << c.message;
    EXPECT_EQ(r->code, c.status == 501 ? "not_implemented" : "bad_request");
    EXPECT_EQ(r->message, c.message);
  }
  auto old = Check({{"Transfer-Encoding", "chunked"}}, 10);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->message, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
}

TEST(RequestChecks, ObsoleteLineFoldingIsRefused) {
  RequestHead head;
  head.version = 11;
  head.raw = "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n";
  head.fields = {{"Host", "h"}, {"X-A", "one two"}};  // as Beast unfolds it
  auto r = CheckRequestHead(head);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->message, "header line starts with whitespace (obsolete line folding)");

  head.raw = "GET / HTTP/1.1\r\n\tHost: h\r\n\r\n";  // whitespace before the first field
  EXPECT_TRUE(CheckRequestHead(head));
  head.raw = "GET / HTTP/1.1\r\nHost: h\r\nX-A: one two\r\n\r\n";
  EXPECT_FALSE(CheckRequestHead(head));
}

TEST(RequestChecks, OverCapacityResponseIsACompleteJson503) {
  const std::string& r = OverCapacityResponse();
  EXPECT_EQ(r.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u);
  EXPECT_NE(r.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nRetry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
  size_t body = r.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  std::string json = r.substr(body + 4);
  EXPECT_EQ(json, R"({"code":"unavailable","message":"too many open connections; try again later"})");
  EXPECT_NE(r.find("Content-Length: " + std::to_string(json.size()) + "\r\n"), std::string::npos);
}

TEST(RequestChecks, LogThrottleLetsOneLineThroughPerInterval) {
  LogThrottle t(10s);
  auto t0 = std::chrono::steady_clock::time_point() + 1h;
  uint64_t suppressed = 99;
  EXPECT_TRUE(t.Allow(t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  EXPECT_FALSE(t.Allow(t0 + 1s, &suppressed));
  EXPECT_FALSE(t.Allow(t0 + 9s, &suppressed));
  EXPECT_TRUE(t.Allow(t0 + 10s, &suppressed));
  EXPECT_EQ(suppressed, 2u);
  EXPECT_TRUE(t.Allow(t0 + 30s, &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

}  // namespace
}  // namespace opscale::api
