// Routes for deploy requests, their reviews, deployment and diff.
#include <charconv>
#include <map>

#include "api/handler_context.h"
#include "api/request_bodies.h"
#include "engine/schema_diff.h"

namespace opscale::api {

namespace json = boost::json;

namespace {

json::object ActorJson(const Actor& a) {
  return {{"id", a.id},
          {"display_name", a.display_name},
          {"avatar_url", ""},
          {"type", ActorTypeName(a.type)}};
}

Result<int64_t> Number(Call& c) {
  const std::string& s = c.Param("number");
  int64_t n = 0;
  auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (err != std::errc() || ptr != s.data() + s.size() || n <= 0)
    return Status::NotFound("deploy request " + s + " not found");
  return n;
}

bool Deployed(const DeployRequest& dr) {
  return dr.queued_at.has_value() || dr.deployment_state == "complete" ||
         dr.deployment_state == "complete_error";
}

json::object DeploymentJson(const DeployRequest& dr) {
  json::array errors;
  if (!dr.error.empty()) errors.push_back(json::value(dr.error));
  return {
      {"id", dr.id},
      {"state", dr.deployment_state},
      {"deployable", dr.deployment_state == "ready"},
      {"lint_errors", json::array{}},
      {"deploy_check_errors", dr.error.empty() ? json::value(nullptr) : json::value(dr.error)},
      {"deploy_request_number", dr.number},
      {"into_branch", dr.into_branch},
      {"preceding_deployments", json::array{}},
      {"instant_ddl_eligible", false},
      {"instant_ddl", false},
      {"actor", ActorJson(dr.created_by)},
      {"created_at", FormatTime(dr.created_at)},
      {"updated_at", FormatTime(dr.updated_at)},
      {"started_at", TimeOrNull(dr.started_at)},
      {"queued_at", TimeOrNull(dr.queued_at)},
      {"finished_at", TimeOrNull(dr.finished_at)},
      {"deployed_at", TimeOrNull(dr.deployed_at)},
      {"error", dr.error.empty() ? json::value(nullptr) : json::value(dr.error)},
      {"deploy_operations", json::array{}},
  };
}

json::object DeployRequestJson(Call& c, const DeployRequestView& v) {
  const DeployRequest& dr = v.dr;
  return {
      {"id", dr.id},
      {"type", "DeployRequest"},
      {"number", dr.number},
      {"actor", ActorJson(dr.created_by)},
      {"closed_by", dr.closed_by ? json::value(ActorJson(*dr.closed_by)) : json::value(nullptr)},
      {"branch", dr.branch},
      {"branch_id", v.branch_id},
      {"branch_deleted", v.branch_id.empty()},
      {"branch_deleted_by", nullptr},
      {"branch_deleted_at", nullptr},
      {"into_branch", dr.into_branch},
      {"into_branch_sharded", false},
      {"into_branch_shard_count", 0},
      {"into_branch_keyspace_count", 1},
      {"approved", dr.approved},
      {"state", dr.state},
      {"deployment_state", dr.deployment_state},
      {"deployment", Deployed(dr) ? json::value(DeploymentJson(dr)) : json::value(nullptr)},
      {"num_comments", v.num_comments},
      {"html_url", c.base.origin + "/" + c.Param("org") + "/" + c.Param("db") + "/deploy-requests/" +
                       std::to_string(dr.number)},
      {"notes", dr.notes},
      {"html_body", ""},
      {"created_at", FormatTime(dr.created_at)},
      {"updated_at", FormatTime(dr.updated_at)},
      {"closed_at", TimeOrNull(dr.closed_at)},
      {"deployed_at", TimeOrNull(dr.deployed_at)},
  };
}


json::object ReviewJson(const DeployRequestReview& r) {
  return {{"id", r.id},
          {"type", "DeployRequestReview"},
          {"body", r.body},
          {"html_body", HtmlEscape(r.body)},
          {"state", r.state},
          {"created_at", FormatTime(r.created_at)},
          {"updated_at", FormatTime(r.created_at)},
          {"actor", ActorJson(r.created_by)}};
}

Result<Response> List(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<DeployRequestView> all,
                           c.platform.deploy_requests().List(c.ctx, c.Param("org"), c.Param("db")));
  std::string state = c.req.QueryParam("state");
  std::string branch = c.req.QueryParam("branch");
  std::string into = c.req.QueryParam("into_branch");
  std::vector<DeployRequestView> out;
  // Newest first, as PlanetScale lists them.
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (!state.empty() && it->dr.state != state) continue;
    if (!branch.empty() && it->dr.branch != branch) continue;
    if (!into.empty() && it->dr.into_branch != into) continue;
    out.push_back(std::move(*it));
  }
  return Json(200, Paginate(c, p, out, [&](const DeployRequestView& v) {
                return json::value(DeployRequestJson(c, v));
              }));
}

Result<Response> Create(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(CreateDeployRequestBody b, DecodeCreateDeployRequest(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(
      DeployRequestView v,
      c.platform.deploy_requests().Create(c.ctx, c.Param("org"), c.Param("db"), b.branch,
                                          b.into_branch, b.notes));
  return Json(201, DeployRequestJson(c, v));
}

Result<Response> Get(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequestView v,
                           c.platform.deploy_requests().Get(c.ctx, c.Param("org"), c.Param("db"), n));
  return Json(200, DeployRequestJson(c, v));
}

Result<Response> Patch(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_RETURN_IF_ERROR(DecodeCloseDeployRequest(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(
      DeployRequestView v,
      c.platform.deploy_requests().Close(c.ctx, c.Param("org"), c.Param("db"), n));
  return Json(200, DeployRequestJson(c, v));
}

Result<Response> Deploy(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_RETURN_IF_ERROR(DecodeDeploy(c.req.body));  // every opscale deploy is applied at once
  OPSCALE_ASSIGN_OR_RETURN(
      DeployRequestView v,
      c.platform.deploy_requests().Deploy(c.ctx, c.Param("org"), c.Param("db"), n));
  return Json(200, DeployRequestJson(c, v));
}

Result<Response> Cancel(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_ASSIGN_OR_RETURN(
      DeployRequestView v,
      c.platform.deploy_requests().Cancel(c.ctx, c.Param("org"), c.Param("db"), n));
  return Json(200, DeployRequestJson(c, v));
}

Result<Response> ListReviews(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_ASSIGN_OR_RETURN(PageParams p, ParsePage(c.req));
  OPSCALE_ASSIGN_OR_RETURN(
      std::vector<DeployRequestReview> all,
      c.platform.deploy_requests().Reviews(c.ctx, c.Param("org"), c.Param("db"), n));
  return Json(200, Paginate(c, p, all, [](const DeployRequestReview& r) {
                return json::value(ReviewJson(r));
              }));
}

Result<Response> CreateReview(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_ASSIGN_OR_RETURN(CreateReviewBody b, DecodeCreateReview(c.req.body));
  OPSCALE_ASSIGN_OR_RETURN(
      DeployRequestReview r,
      c.platform.deploy_requests().Review(c.ctx, c.Param("org"), c.Param("db"), n, b.state,
                                          b.body));
  return Json(201, ReviewJson(r));
}

Result<Response> GetDeployment(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_ASSIGN_OR_RETURN(DeployRequestView v,
                           c.platform.deploy_requests().Get(c.ctx, c.Param("org"), c.Param("db"), n));
  if (!Deployed(v.dr))
    return Status::NotFound("deploy request " + std::to_string(n) + " has not been deployed");
  return Json(200, DeploymentJson(v.dr));
}

Result<Response> Diff(Call& c) {
  OPSCALE_ASSIGN_OR_RETURN(int64_t n, Number(c));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> ddl,
                           c.platform.deploy_requests().Diff(c.ctx, c.Param("org"), c.Param("db"), n));
  // One entry per table, in first-statement order.
  std::vector<std::string> order;
  std::map<std::string, std::string> raw;
  for (const auto& s : ddl) {
    std::string table = engine::StatementTable(s);
    if (!raw.count(table)) order.push_back(table);
    std::string& r = raw[table];
    if (!r.empty()) r += ";\n";
    r += s;
  }
  json::array data;
  for (const auto& t : order) {
    std::string r = raw[t] + ";";
    data.push_back(json::object{{"name", t}, {"raw", r}, {"html", HtmlEscape(r)}});
  }
  return Json(200, json::object{{"data", std::move(data)}});
}

}  // namespace

void AddDeployRequestRoutes(ApiRoutes& r) {
  using A = Access;
  const std::string_view tag = "Deploy requests";
  const std::string base = "/v1/organizations/{org}/databases/{db}/deploy-requests";
  r.Add("GET", base,
        {.id = "list_deploy_requests", .summary = "List a database's deploy requests, newest first",
         .tag = tag, .accesses = {A::kReadDeployRequest},
         .query = {{"state", "string", "open or closed"},
                   {"branch", "string", "Only requests from this branch"},
                   {"into_branch", "string", "Only requests into this branch"}},
         .response = "Page<DeployRequest>"},
        List);
  r.Add("POST", base,
        {.id = "create_deploy_request", .summary = "Open a deploy request from one branch into another",
         .tag = tag, .accesses = {A::kCreateDeployRequest}, .body = "CreateDeployRequestRequest",
         .status = 201, .response = "DeployRequest"},
        Create);
  r.Add("GET", base + "/{number}",
        {.id = "get_deploy_request", .summary = "Get a deploy request", .tag = tag,
         .accesses = {A::kReadDeployRequest}, .response = "DeployRequest"},
        Get);
  r.Add("PATCH", base + "/{number}",
        {.id = "close_deploy_request", .summary = "Close a deploy request ({\"state\":\"closed\"})",
         .tag = tag, .accesses = {A::kCreateDeployRequest}, .body = "CloseDeployRequestRequest",
         .response = "DeployRequest"},
        Patch);
  r.Add("POST", base + "/{number}/deploy",
        {.id = "queue_deploy_request",
         .summary = "Deploy the request's schema changes into its target branch", .tag = tag,
         .accesses = {A::kCreateDeployRequest},
         .access_note = "When the database requires approval, the request must have an approving review.",
         .body = "DeployDeployRequestRequest", .response = "DeployRequest"},
        Deploy);
  r.Add("POST", base + "/{number}/cancel",
        {.id = "cancel_deploy_request", .summary = "Cancel a queued deployment", .tag = tag,
         .accesses = {A::kCreateDeployRequest}, .response = "DeployRequest"},
        Cancel);
  r.Add("GET", base + "/{number}/reviews",
        {.id = "list_deploy_request_reviews", .summary = "List a deploy request's reviews", .tag = tag,
         .accesses = {A::kReadDeployRequest}, .response = "Page<DeployRequestReview>"},
        ListReviews);
  r.Add("POST", base + "/{number}/reviews",
        {.id = "review_deploy_request", .summary = "Approve or comment on a deploy request", .tag = tag,
         .accesses = {A::kApproveDeployRequest, A::kReviewDeployRequest, A::kCreateComment},
         .access_note = "Approving needs approve_deploy_request or review_deploy_request (commenting "
                        "also allows create_comment); nobody approves their own request.",
         .body = "ReviewDeployRequestRequest", .status = 201, .response = "DeployRequestReview"},
        CreateReview);
  r.Add("GET", base + "/{number}/deployment",
        {.id = "get_deployment", .summary = "Get the deployment of a deployed request", .tag = tag,
         .accesses = {A::kReadDeployRequest}, .response = "Deployment"},
        GetDeployment);
  r.Add("GET", base + "/{number}/diff",
        {.id = "get_deploy_request_diff", .summary = "The schema changes of a deploy request, per table",
         .tag = tag, .accesses = {A::kReadDeployRequest}, .response = "Data<SchemaTable>"},
        Diff);
}

}  // namespace opscale::api
