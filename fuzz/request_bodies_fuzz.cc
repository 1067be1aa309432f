// Every JSON request body decoder of the API (api/request_bodies.h), and the
// /oauth/* endpoints' body parameters, on the same input.
//
// Invariants: a body that is not a JSON object (nor blank) is refused by
// every decoder with the same 400, and one that is gets only 422s; a decoded
// value, written back as JSON, decodes to the same value (nothing accepted is
// lost or changed on the way to the handler); required fields are present;
// the OAuth parameters of a JSON body are its string and boolean members.
#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "api/json_body.h"
#include "api/request_bodies.h"
#include "api/url.h"
#include "fuzz_check.h"

namespace opscale::api {
namespace {

namespace json = boost::json;

json::value Opt(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}
json::value Opt(const std::optional<int64_t>& n) {
  return n ? json::value(*n) : json::value(nullptr);
}
json::value Opt(const std::optional<bool>& b) {
  return b ? json::value(*b) : json::value(nullptr);
}
json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}
std::string Text(const json::object& o) { return json::serialize(o); }

// Checks one decoder against the body's parse: same 400 when the body is not
// an object, else ok or 422; and, when it decodes, that `encode` of the value
// decodes to an equal value.
template <typename T, typename Decode, typename Encode>
void Check(const Result<json::object>& parsed, std::string_view body, Decode decode,
           Encode encode) {
  Result<T> r = decode(body);
  if (!parsed.ok()) {
    FUZZ_CHECK(!r.ok() && r.status().code() == Code::kInvalidArgument);
    FUZZ_CHECK(r.status().message() == parsed.status().message());
    return;
  }
  if (!r.ok()) {
    FUZZ_CHECK(r.status().code() == Code::kUnprocessable);
    return;
  }
  const std::string again_text = Text(encode(*r));
  Result<T> again = decode(again_text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(encode(*again) == encode(*r));
}

void CheckStatus(const Result<json::object>& parsed, Status s) {
  if (!parsed.ok()) {
    FUZZ_CHECK(s.code() == Code::kInvalidArgument && s.message() == parsed.status().message());
  } else {
    FUZZ_CHECK(s.ok() || s.code() == Code::kUnprocessable);
  }
}

}  // namespace
}  // namespace opscale::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace opscale;
  using namespace opscale::api;
  const std::string_view body = fuzz::AsText(data, size);
  const Result<json::object> parsed = ParseBodyObject(body);

  Check<CreateTokenBody>(parsed, body, DecodeCreateToken, [](const CreateTokenBody& b) {
    return json::object{{"name", Opt(b.name)}, {"ttl", Opt(b.ttl)}};
  });
  Check<TokenAccessBody>(parsed, body, DecodeTokenAccess, [](const TokenAccessBody& b) {
    return json::object{{"database", b.database}, {"access", Strings(b.access)}};
  });
  Check<CreateDatabaseBody>(parsed, body, DecodeCreateDatabase, [](const CreateDatabaseBody& b) {
    return json::object{{"name", b.name}, {"region", b.region}};
  });
  Check<UpdateDatabaseBody>(parsed, body, DecodeUpdateDatabase, [](const UpdateDatabaseBody& b) {
    return json::object{{"require_approval_for_deploy", Opt(b.require_approval_for_deploy)},
                        {"notes", Opt(b.notes)}};
  });
  Check<CreateBranchBody>(parsed, body, DecodeCreateBranch, [](const CreateBranchBody& b) {
    return json::object{{"name", b.name}, {"parent_branch", b.parent_branch}};
  });
  Check<CreatePasswordBody>(parsed, body, DecodeCreatePassword, [](const CreatePasswordBody& b) {
    return json::object{{"name", b.name}, {"role", Opt(b.role)}, {"ttl", Opt(b.ttl)}};
  });
  Check<UpdatePasswordBody>(parsed, body, DecodeUpdatePassword, [](const UpdatePasswordBody& b) {
    return json::object{{"name", Opt(b.name)}};
  });
  Check<CreateDeployRequestBody>(
      parsed, body, DecodeCreateDeployRequest, [](const CreateDeployRequestBody& b) {
        FUZZ_CHECK(!b.branch.empty());
        return json::object{{"branch", b.branch}, {"into_branch", b.into_branch}, {"notes", b.notes}};
      });
  CheckStatus(parsed, DecodeCloseDeployRequest(body));
  CheckStatus(parsed, DecodeDeploy(body));
  Check<CreateReviewBody>(parsed, body, DecodeCreateReview, [](const CreateReviewBody& b) {
    return json::object{{"state", b.state}, {"body", b.body}};
  });
  Check<AddMemberBody>(parsed, body, DecodeAddMember, [](const AddMemberBody& b) {
    return json::object{{"email", b.email}, {"role", RoleName(b.role)}};
  });
  Check<OAuthAppBody>(parsed, body, DecodeOAuthApp, [](const OAuthAppBody& b) {
    json::object o{{"name", Opt(b.name)}, {"redirect_uri", Opt(b.redirect_uri)}};
    if (b.scopes) o["scopes"] = Strings(*b.scopes);
    return o;
  });
  Check<MintTokenBody>(parsed, body, DecodeMintToken, [](const MintTokenBody& b) {
    return json::object{{"client_id", b.client_id},       {"client_secret", b.client_secret},
                        {"grant_type", b.grant_type},     {"code", b.code},
                        {"redirect_uri", b.redirect_uri}, {"refresh_token", b.refresh_token},
                        {"code_verifier", b.code_verifier}};
  });
  Check<LoginBody>(parsed, body, DecodeLogin, [](const LoginBody& b) {
    return json::object{{"email", b.email}, {"password", b.password}};
  });

  // /oauth/* parameters: a JSON body's strings and booleans...
  std::map<std::string, std::string> from_json;
  AddOAuthBodyParams("application/json; charset=utf-8", body, &from_json);
  if (parsed.ok()) {
    for (const auto& [k, v] : from_json) {
      const json::value* member = parsed->if_contains(k);
      FUZZ_CHECK(member && (member->is_string() || member->is_bool()));
    }
  }
  json::object as_json;
  for (const auto& [k, v] : from_json) as_json[k] = v;
  std::map<std::string, std::string> again;
  AddOAuthBodyParams("application/json", Text(as_json), &again);
  FUZZ_CHECK(again == from_json);
  // ...or a form's fields (the last of a repeated name wins).
  std::map<std::string, std::string> from_form, expect;
  AddOAuthBodyParams("application/x-www-form-urlencoded", body, &from_form);
  for (const auto& [k, v] : ParseForm(body)) expect[k] = v;
  FUZZ_CHECK(from_form == expect);
  return 0;
}
