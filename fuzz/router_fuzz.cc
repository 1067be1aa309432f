// Request target parsing (api/url.h ParseRequestTarget) and the router's
// path matching (api/router.h) over the API's route patterns.
//
// Input: "<METHOD> <target>" (the first space splits; no space: GET).
// Invariants: a parsed path starts with '/' and holds no NUL; percent-encoding
// the parsed path and query again parses to the same values; the router
// agrees with a plain reference matcher written here (same route, same
// params, same "path known with another method"); Has() agrees with Match();
// params are non-empty and never contain '/'; doubling the slashes of a path
// changes nothing.
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "api/router.h"
#include "api/url.h"
#include "fuzz_check.h"

namespace opscale::api {
namespace {

// The API's route patterns (api/*_routes.cc, api_app.cc); the invariants hold
// for any table, these make the fuzzer walk the real shapes.
const std::vector<std::pair<std::string, std::string>>& Routes() {
  static const auto* routes = [] {
    const std::string org = "/v1/organizations/{org}", db = org + "/databases/{db}",
                      branch = db + "/branches/{branch}", dr = db + "/deploy-requests",
                      tok = org + "/service-tokens", app = org + "/oauth-applications";
    return new std::vector<std::pair<std::string, std::string>>{
        {"GET", "/v1/user"}, {"GET", "/v1/organizations"}, {"GET", org},
        {"GET", org + "/audit-log"}, {"GET", org + "/databases"}, {"POST", org + "/databases"},
        {"GET", db}, {"PATCH", db}, {"DELETE", db}, {"GET", db + "/branches"},
        {"POST", db + "/branches"}, {"GET", branch}, {"DELETE", branch},
        {"GET", branch + "/schema"}, {"GET", branch + "/connect"},
        {"GET", branch + "/passwords"}, {"POST", branch + "/passwords"},
        {"GET", branch + "/passwords/{id}"}, {"PATCH", branch + "/passwords/{id}"},
        {"DELETE", branch + "/passwords/{id}"}, {"POST", branch + "/passwords/{id}/renew"},
        {"POST", branch + "/safe-migrations"}, {"DELETE", branch + "/safe-migrations"},
        {"POST", branch + "/promote"}, {"POST", branch + "/demote"}, {"GET", dr}, {"POST", dr},
        {"GET", dr + "/{number}"}, {"PATCH", dr + "/{number}"},
        {"POST", dr + "/{number}/deploy"}, {"POST", dr + "/{number}/cancel"},
        {"GET", dr + "/{number}/reviews"}, {"POST", dr + "/{number}/reviews"},
        {"GET", dr + "/{number}/deployment"}, {"GET", dr + "/{number}/diff"},
        {"GET", org + "/members"}, {"POST", org + "/members"},
        {"GET", org + "/access-catalog"}, {"POST", tok}, {"GET", tok}, {"GET", tok + "/{id}"},
        {"DELETE", tok + "/{id}"}, {"GET", tok + "/{id}/access"}, {"POST", tok + "/{id}/access"},
        {"DELETE", tok + "/{id}/access"}, {"GET", tok + "/{id}/grants"}, {"GET", app},
        {"POST", app}, {"GET", app + "/{id}"}, {"PATCH", app + "/{id}"},
        {"DELETE", app + "/{id}"}, {"POST", app + "/{id}/token"}, {"GET", app + "/{id}/tokens"},
        {"GET", app + "/{id}/tokens/{token}"}, {"DELETE", app + "/{id}/tokens/{token}"},
        {"GET", "/v1/oauth-scopes"}};
  }();
  return *routes;
}

std::vector<std::string> SplitNonEmpty(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The reference: the first route (in order) whose pattern matches the path
// and whose method is `method`; `known` if any route's pattern matches it.
int ReferenceMatch(const std::string& method, const std::string& path, Params* params,
                   bool* known) {
  static const auto* patterns = [] {
    auto* out = new std::vector<std::vector<std::string>>;
    for (const auto& r : Routes()) out->push_back(SplitNonEmpty(r.second));
    return out;
  }();
  *known = false;
  const std::vector<std::string> segs = SplitNonEmpty(path);
  for (size_t i = 0; i < Routes().size(); ++i) {
    const std::vector<std::string>& pat = (*patterns)[i];
    if (pat.size() != segs.size()) continue;
    Params p;
    bool ok = true;
    for (size_t k = 0; k < pat.size() && ok; ++k) {
      if (pat[k].size() > 2 && pat[k].front() == '{' && pat[k].back() == '}')
        p[pat[k].substr(1, pat[k].size() - 2)] = segs[k];
      else
        ok = pat[k] == segs[k];
    }
    if (!ok) continue;
    *known = true;
    if (Routes()[i].first != method) continue;
    *params = p;
    return static_cast<int>(i);
  }
  return -1;
}

std::string Encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void CheckRouter(const Router<int>& router, const std::string& method, const std::string& path) {
  Params params{{"stale", "x"}}, want;
  bool known = false, want_known = false;
  const int* got = router.Match(method, path, &params, &known);
  const int expect = ReferenceMatch(method, path, &want, &want_known);
  // Paths of more than 16 segments match no route (none is that deep).
  if (SplitNonEmpty(path).size() > 16) {
    FUZZ_CHECK(got == nullptr && !known && expect == -1);
    return;
  }
  FUZZ_CHECK(known == want_known);
  FUZZ_CHECK((got ? *got : -1) == expect);
  FUZZ_CHECK(router.Has(method, path) == (got != nullptr));
  if (got) {
    FUZZ_CHECK(params == want);
    for (const auto& [name, value] : params)
      FUZZ_CHECK(!value.empty() && value.find('/') == std::string::npos);
  }
}

}  // namespace
}  // namespace opscale::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace opscale;
  using namespace opscale::api;
  static const Router<int>* router = [] {
    auto* r = new Router<int>();
    for (size_t i = 0; i < Routes().size(); ++i)
      r->Add(Routes()[i].first, Routes()[i].second, static_cast<int>(i));
    return r;
  }();
  const std::string_view in = fuzz::AsText(data, size);
  const size_t space = in.find(' ');
  const std::string method(space == std::string_view::npos ? "GET" : in.substr(0, space));
  const std::string_view target = space == std::string_view::npos ? in : in.substr(space + 1);

  // The router on the raw text too: the transport hands it decoded paths,
  // but matching must hold for any bytes.
  CheckRouter(*router, method, std::string(target));

  Result<RequestTarget> t = ParseRequestTarget(target);
  if (!t.ok()) {
    FUZZ_CHECK(t.status().code() == Code::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(!t->path.empty() && t->path.front() == '/');
  FUZZ_CHECK(t->path.find('\0') == std::string::npos);
  std::string again = Encode(t->path, /*keep_slash=*/true);
  for (size_t i = 0; i < t->query.size(); ++i)
    again += (i ? "&" : "?") + Encode(t->query[i].first, false) + "=" +
             Encode(t->query[i].second, false);
  Result<RequestTarget> t2 = ParseRequestTarget(again);
  FUZZ_CHECK(t2.ok());
  FUZZ_CHECK(t2->path == t->path);
  // A query segment without '=' decodes to an empty value; written back with
  // '=' it is the same pair.
  FUZZ_CHECK(t2->query == t->query);

  CheckRouter(*router, method, t->path);
  std::string doubled;
  for (char c : t->path) doubled += c == '/' ? std::string("//") : std::string(1, c);
  Params p1, p2;
  bool k1 = false, k2 = false;
  const int* h1 = router->Match(method, t->path, &p1, &k1);
  const int* h2 = router->Match(method, doubled, &p2, &k2);
  FUZZ_CHECK(h1 == h2 && k1 == k2 && p1 == p2);
  return 0;
}
