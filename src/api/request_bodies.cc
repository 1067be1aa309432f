#include "api/request_bodies.h"

#include <boost/json.hpp>

#include "api/json_body.h"
#include "api/url.h"

namespace opscale::api {

namespace json = boost::json;

Result<CreateTokenBody> DecodeCreateToken(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  CreateTokenBody out;
  OPSCALE_ASSIGN_OR_RETURN(out.name, OptString(body, "name"));
  OPSCALE_ASSIGN_OR_RETURN(out.ttl, OptInt(body, "ttl"));
  return out;
}

Result<TokenAccessBody> DecodeTokenAccess(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  TokenAccessBody out;
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> db, OptString(body, "database"));
  out.database = db.value_or("");
  OPSCALE_ASSIGN_OR_RETURN(out.access, StringList(body, "access"));
  if (out.access.empty()) {  // planetscale-go sends "access"; accept "accesses" too
    OPSCALE_ASSIGN_OR_RETURN(out.access, StringList(body, "accesses"));
  }
  return out;
}

Result<CreateDatabaseBody> DecodeCreateDatabase(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "name"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> region, OptString(body, "region"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> cluster, OptString(body, "cluster_size"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> kind, OptString(body, "kind"));
  if (!name) return Status::Unprocessable("field 'name' is required");
  if (kind && *kind != "mysql")
    return Status::Unprocessable("field 'kind' must be \"mysql\" (the only engine opscale runs)");
  return CreateDatabaseBody{std::move(*name), region.value_or("")};
}

Result<UpdateDatabaseBody> DecodeUpdateDatabase(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  UpdateDatabaseBody out;
  OPSCALE_ASSIGN_OR_RETURN(out.require_approval_for_deploy,
                           OptBool(body, "require_approval_for_deploy"));
  OPSCALE_ASSIGN_OR_RETURN(out.notes, OptString(body, "notes"));
  return out;
}

Result<CreateBranchBody> DecodeCreateBranch(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "name"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> parent, OptString(body, "parent_branch"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> backup, OptString(body, "backup_id"));
  if (!name) return Status::Unprocessable("field 'name' is required");
  if (backup) return Status::Unprocessable("restoring a branch from a backup is not supported yet");
  return CreateBranchBody{std::move(*name), parent.value_or("")};
}

Result<CreatePasswordBody> DecodeCreatePassword(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "name"));
  CreatePasswordBody out;
  OPSCALE_ASSIGN_OR_RETURN(out.role, OptString(body, "role"));
  OPSCALE_ASSIGN_OR_RETURN(out.ttl, OptInt(body, "ttl"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<bool> replica, OptBool(body, "replica"));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> cidrs, StringList(body, "cidrs"));
  if (!cidrs.empty())
    return Status::Unprocessable("IP restrictions (cidrs) are not supported by opscale yet");
  if (replica && *replica)
    return Status::Unprocessable("replica passwords are not supported by opscale (no replicas)");
  out.name = name.value_or("");
  return out;
}

Result<UpdatePasswordBody> DecodeUpdatePassword(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  UpdatePasswordBody out;
  OPSCALE_ASSIGN_OR_RETURN(out.name, OptString(body, "name"));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> cidrs, StringList(body, "cidrs"));
  if (!cidrs.empty())
    return Status::Unprocessable("IP restrictions (cidrs) are not supported by opscale yet");
  return out;
}

Result<CreateDeployRequestBody> DecodeCreateDeployRequest(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> branch, OptString(body, "branch"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> into, OptString(body, "into_branch"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> notes, OptString(body, "notes"));
  if (!branch || branch->empty()) return Status::Unprocessable("field 'branch' is required");
  return CreateDeployRequestBody{std::move(*branch), into.value_or(""), notes.value_or("")};
}

Status DecodeCloseDeployRequest(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> state, OptString(body, "state"));
  if (!state || *state != "closed")
    return Status::Unprocessable("only {\"state\":\"closed\"} is supported");
  return Status::Ok();
}

Status DecodeDeploy(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<bool> instant, OptBool(body, "instant_ddl"));
  (void)instant;  // every opscale deploy is applied at once
  return Status::Ok();
}

Result<CreateReviewBody> DecodeCreateReview(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> state, OptString(body, "state"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> review, OptString(body, "body"));
  return CreateReviewBody{state.value_or("commented"), review.value_or("")};
}

Result<AddMemberBody> DecodeAddMember(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> email, OptString(body, "email"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> role_name, OptString(body, "role"));
  if (!email) return Status::Unprocessable("field 'email' is required");
  std::optional<Role> role = ParseRole(role_name.value_or("member"));
  if (!role) return Status::Unprocessable("field 'role' must be \"admin\" or \"member\"");
  return AddMemberBody{std::move(*email), *role};
}

Result<OAuthAppBody> DecodeOAuthApp(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OAuthAppBody in;
  OPSCALE_ASSIGN_OR_RETURN(in.name, OptString(body, "name"));
  OPSCALE_ASSIGN_OR_RETURN(in.redirect_uri, OptString(body, "redirect_uri"));
  if (auto it = body.find("scopes"); it != body.end()) {
    if (it->value().is_string()) {
      in.scopes = std::vector<std::string>{std::string(it->value().as_string())};
    } else {
      OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> list, StringList(body, "scopes"));
      in.scopes = std::move(list);
    }
  }
  return in;
}

Result<MintTokenBody> DecodeMintToken(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  MintTokenBody m;
  for (auto [key, field] : {std::pair{"client_id", &m.client_id}, {"client_secret", &m.client_secret},
                            {"grant_type", &m.grant_type}, {"code", &m.code},
                            {"redirect_uri", &m.redirect_uri}, {"refresh_token", &m.refresh_token},
                            {"code_verifier", &m.code_verifier}}) {
    OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(body, key));
    *field = v.value_or("");
  }
  return m;
}

Result<LoginBody> DecodeLogin(std::string_view text) {
  OPSCALE_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(text));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> email, OptString(body, "email"));
  OPSCALE_ASSIGN_OR_RETURN(std::optional<std::string> password, OptString(body, "password"));
  return LoginBody{email.value_or(""), password.value_or("")};
}

void AddOAuthBodyParams(std::string_view content_type, std::string_view body,
                        std::map<std::string, std::string>* out) {
  if (content_type.substr(0, 16) == "application/json") {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (!ec && v.is_object()) {
      for (const auto& [k, val] : v.as_object()) {
        if (val.is_string()) (*out)[std::string(k)] = std::string(val.as_string());
        else if (val.is_bool()) (*out)[std::string(k)] = val.as_bool() ? "true" : "false";
      }
    }
  } else {
    for (const auto& [k, v] : ParseForm(body)) (*out)[k] = v;
  }
}

std::optional<std::pair<std::string, std::string>> DecodeBasicAuthorization(
    std::string_view header) {
  if (header.substr(0, 6) != "Basic ") return std::nullopt;
  static constexpr std::string_view kB64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string decoded;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : header.substr(6)) {
    size_t v = kB64.find(ch);
    if (v == std::string_view::npos) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      decoded += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::pair{PercentDecode(decoded.substr(0, colon), true).value_or(""),
                   PercentDecode(decoded.substr(colon + 1), true).value_or("")};
}

}  // namespace opscale::api
