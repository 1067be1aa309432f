// PostgresStore: deploy requests and their reviews.
#include "storage/postgres/postgres_store.h"

namespace opscale::postgres {
namespace {

constexpr const char* kDrColumns =
    "id, number, database_id, org_id, branch, into_branch, notes, state, deployment_state, "
    "approved, created_by_type, created_by_id, created_by_name, created_by_token_owner, ddl_json, "
    "error, closed_by_type, closed_by_id, closed_by_name, created_at, updated_at, closed_at, "
    "deployed_at, started_at, finished_at, queued_at";

constexpr const char* kReviewColumns =
    "id, deploy_request_id, state, body, created_by_type, created_by_id, created_by_name, "
    "created_at";

DeployRequest ReadDr(const Row& r) {
  DeployRequest d;
  d.id = r.Text(0);
  d.number = r.Int(1);
  d.database_id = r.Text(2);
  d.org_id = r.Text(3);
  d.branch = r.Text(4);
  d.into_branch = r.Text(5);
  d.notes = r.Text(6);
  d.state = r.Text(7);
  d.deployment_state = r.Text(8);
  d.approved = r.Bool(9);
  d.created_by = ReadActor(r, 10);
  d.created_by_token_owner = r.Text(13);
  d.ddl_json = r.Text(14);
  d.error = r.Text(15);
  if (r.OptText(16)) d.closed_by = ReadActor(r, 16);
  d.created_at = r.Int(19);
  d.updated_at = r.Int(20);
  d.closed_at = r.OptInt(21);
  d.deployed_at = r.OptInt(22);
  d.started_at = r.OptInt(23);
  d.finished_at = r.OptInt(24);
  d.queued_at = r.OptInt(25);
  return d;
}

void BindOptActor(Params& p, const std::optional<Actor>& a) {
  if (a) {
    BindActor(p, *a);
  } else {
    p.OptText(std::nullopt).OptText(std::nullopt).OptText(std::nullopt);
  }
}

DeployRequestReview ReadReview(const Row& r) {
  DeployRequestReview v;
  v.id = r.Text(0);
  v.deploy_request_id = r.Text(1);
  v.state = r.Text(2);
  v.body = r.Text(3);
  v.created_by = ReadActor(r, 4);
  v.created_at = r.Int(7);
  return v;
}

}  // namespace

Status PostgresStore::InsertDeployRequest(const DeployRequest& d) {
  Params p;
  p.Text(d.id)
      .Int(d.number)
      .Text(d.database_id)
      .Text(d.org_id)
      .Text(d.branch)
      .Text(d.into_branch)
      .Text(d.notes)
      .Text(d.state)
      .Text(d.deployment_state)
      .Bool(d.approved);
  BindActor(p, d.created_by);
  p.Text(d.created_by_token_owner).Text(d.ddl_json).Text(d.error);
  BindOptActor(p, d.closed_by);
  p.Int(d.created_at)
      .Int(d.updated_at)
      .OptInt(d.closed_at)
      .OptInt(d.deployed_at)
      .OptInt(d.started_at)
      .OptInt(d.finished_at)
      .OptInt(d.queued_at);
  return Write(InsertSql("deploy_requests", kDrColumns), p,
               {.duplicate_id = "a deploy request with id " + Quoted(d.id) + " already exists",
                .duplicate_key =
                    "deploy request number " + std::to_string(d.number) + " already exists",
                .missing_parent = "database with id " + Quoted(d.database_id) + " not found"})
      .status();
}

Result<int64_t> PostgresStore::MaxDeployRequestNumber(const std::string& database_id) {
  OPSCALE_ASSIGN_OR_RETURN(
      Rows rows, Read("SELECT COALESCE(MAX(number), 0) FROM deploy_requests WHERE database_id = $1",
                      Params().Text(database_id)));
  return rows.size() > 0 ? rows[0].Int(0) : 0;
}

Result<DeployRequest> PostgresStore::GetDeployRequest(const std::string& database_id,
                                                      int64_t number) {
  return OneRow<DeployRequest>(
      Read(SelectSql(kDrColumns, "FROM deploy_requests WHERE database_id = $1 AND number = $2"),
           Params().Text(database_id).Int(number)),
      ReadDr, "deploy request " + std::to_string(number) + " not found");
}

Result<std::vector<DeployRequest>> PostgresStore::ListDeployRequests(
    const std::string& database_id) {
  return CollectRows<DeployRequest>(
      Read(SelectSql(kDrColumns, "FROM deploy_requests WHERE database_id = $1 ORDER BY number"),
           Params().Text(database_id)),
      ReadDr);
}

Status PostgresStore::UpdateDeployRequest(const DeployRequest& d) {
  Params p;
  p.Text(d.id)
      .Text(d.branch)
      .Text(d.into_branch)
      .Text(d.notes)
      .Text(d.state)
      .Text(d.deployment_state)
      .Bool(d.approved)
      .Text(d.ddl_json)
      .Text(d.error);
  BindOptActor(p, d.closed_by);
  p.Int(d.updated_at)
      .OptInt(d.closed_at)
      .OptInt(d.deployed_at)
      .OptInt(d.started_at)
      .OptInt(d.finished_at)
      .OptInt(d.queued_at);
  return WriteOne(
      "UPDATE deploy_requests SET branch = $2, into_branch = $3, notes = $4, state = $5, "
      "deployment_state = $6, approved = $7, ddl_json = $8, error = $9, closed_by_type = $10, "
      "closed_by_id = $11, closed_by_name = $12, updated_at = $13, closed_at = $14, "
      "deployed_at = $15, started_at = $16, finished_at = $17, queued_at = $18 WHERE id = $1",
      p, "deploy request with id " + Quoted(d.id) + " not found");
}

Status PostgresStore::InsertDeployRequestReview(const DeployRequestReview& r) {
  Params p;
  p.Text(r.id).Text(r.deploy_request_id).Text(r.state).Text(r.body);
  BindActor(p, r.created_by);
  p.Int(r.created_at);
  const std::string duplicate = "a review with id " + Quoted(r.id) + " already exists";
  return Write(InsertSql("deploy_request_reviews", kReviewColumns), p,
               {.duplicate_id = duplicate,
                .duplicate_key = duplicate,
                .missing_parent =
                    "deploy request with id " + Quoted(r.deploy_request_id) + " not found"})
      .status();
}

Result<std::vector<DeployRequestReview>> PostgresStore::ListDeployRequestReviews(
    const std::string& deploy_request_id) {
  return CollectRows<DeployRequestReview>(
      Read(SelectSql(kReviewColumns, R"(FROM deploy_request_reviews WHERE deploy_request_id = $1 )"
                                     R"(ORDER BY created_at, id COLLATE "C")"),
           Params().Text(deploy_request_id)),
      ReadReview);
}

}  // namespace opscale::postgres
