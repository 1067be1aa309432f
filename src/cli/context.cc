#include "cli/context.h"

#include <istream>
#include <ostream>

#include <fmt/format.h>

#include "cli/config.h"

namespace opscale::cli {

Context::Context(Io& io, Settings settings)
    : io_(io),
      settings_(std::move(settings)),
      printer_(settings_.format, *io.out, io.tty, settings_.color),
      api_(ApiClient::Options{settings_.api_url, AuthorizationValue(settings_.credentials), settings_.version,
                              settings_.debug ? io.err : nullptr, settings_.tls}),
      now_(NowMs()) {}

Outcome Context::CheckAuthenticated() const {
  CredentialProblem p = CheckCredentials(settings_.credentials);
  switch (p) {
    case CredentialProblem::kNone: return Success();
    case CredentialProblem::kNotAuthenticated: return NotAuthenticated(CredentialProblemMessage(p));
    case CredentialProblem::kHalfServiceToken:
    case CredentialProblem::kSwapped: {
      CliError e = Classified(CredentialProblemMessage(p));
      e.code = "NO_AUTH";
      e.action_required = true;
      return e;
    }
  }
  return Success();
}

Context::FileOrg Context::OrgFromFiles() const {
  FileOrg result;
  for (const std::string& path : {settings_.project_config_path, settings_.config_path}) {
    if (path.empty()) continue;
    auto values = ReadConfigFile(path);
    if (!values) continue;
    result.any_file = true;
    if (!values->org.empty()) {
      result.org = values->org;
      result.path = path;
      return result;
    }
  }
  return result;
}

Outcome Context::ResolveOrg(const std::string& flag) {
  OrgSources sources;
  sources.flag = flag;
  sources.env = settings_.org_env;
  if (flag.empty() && sources.env.empty()) {
    if (auto p = ReadConfigFile(settings_.project_config_path)) sources.project_org = p->org;
    if (auto g = ReadConfigFile(settings_.config_path)) sources.global_org = g->org;
  }
  Result<std::string> org = cli::ResolveOrg(sources);
  if (!org.ok()) return Classified(org.status().message());
  org_ = *org;
  return Success();
}

CliError Context::Fail(const ApiError& error, const std::string& not_found, const std::string& permission) {
  printer_.StopSpinner();
  switch (error.kind) {
    case ApiError::Kind::kUnreachable: {
      CliError e = Classified(fmt::format("cannot reach the API at {}: {}", api_.base_url(), error.message));
      e.code = "NETWORK_ERROR";
      return e;
    }
    case ApiError::Kind::kBadBody:
      return Classified(
          "Unexpected API response received, the PlanetScale API might be down. Please contact support with "
          "the "
          "following output:\n\n" +
          error.body);
    case ApiError::Kind::kHttp: break;
  }
  // Before any other reading of the status: a throttled call says nothing
  // about the credentials or the resource.
  if (error.status == 429) return RateLimited(error.retry_after_s);
  if (error.code == "invalid_token") {
    CliError e = Classified("the access token has expired. Please run 'pscale auth login'");
    e.code = "NO_AUTH";
    e.action_required = true;
    return e;
  }
  bool service_token = settings_.credentials.UsesServiceToken();
  if (error.status == 404 && (error.code.empty() || error.code == "not_found")) {
    std::string message = not_found;
    if (service_token) {
      ApiResult check = api_.Get("v1/organizations");
      if (!check.ok()) return ServiceTokenInvalid();
      if (!permission.empty())
        message += fmt::format(
            "\n\nNote: You are using a service token for authentication. If this resource exists, your "
            "service "
            "token may not have the required '{}' permission to access it. Please check your service token "
            "permissions",
            permission);
    }
    CliError e = Classified(message);
    e.code = "NOT_FOUND";
    if (!org_.empty())
      e.next_steps = {"pscale org list --format json",
                      fmt::format("pscale database list --org {} --format json", org_)};
    return e;
  }
  if (!error.json_body) {
    if (error.body.empty() && error.status >= 400) {
      CliError e = Classified(fmt::format("the API answered HTTP {} without a body", error.status));
      return e;
    }
    return Classified(
        "Unexpected API response received, the PlanetScale API might be down. Please contact support with "
        "the "
        "following output:\n\n" +
        error.body);
  }
  std::string message = error.message.empty() ? error.body : error.message;
  if (error.status == 401 && service_token) return ServiceTokenInvalid(message);
  CliError e = Classified(message);
  if (!error.code.empty()) e.code = error.code;
  return e;
}

Outcome Context::ConfirmDeletion(std::string_view kind, const std::string& name, bool force,
                                 const std::string& mismatch_message,
                                 const std::function<Outcome()>& before_prompt) {
  if (force) return Success();
  if (!human())
    return Classified(
        fmt::format("cannot delete {} with the output format \"{}\" (run with --force to override)", kind,
                    FormatName(settings_.format)));
  if (!io_.tty)
    return Classified(
        fmt::format("cannot confirm deletion of {} \"{}\" (run with --force to override)", kind, name));
  if (before_prompt) {
    if (Outcome o = before_prompt()) return o;
  }
  *io_.out << "? Please type " << printer_.Bold(name) << " to confirm: ";
  io_.out->flush();
  std::string answer;
  if (!io_.in || !std::getline(*io_.in, answer)) return Classified(mismatch_message);
  while (!answer.empty() && (answer.back() == '\r' || answer.back() == ' ')) answer.pop_back();
  while (!answer.empty() && answer.front() == ' ') answer.erase(answer.begin());
  if (answer != name) return Classified(mismatch_message);
  return Success();
}

}  // namespace opscale::cli
