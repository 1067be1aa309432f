// SqliteStore: deploy requests and their reviews.
#include "storage/sqlite/sqlite_rows.h"
#include "storage/sqlite/sqlite_store.h"

namespace opscale::sqlite {
namespace {

constexpr const char* kDrColumns =
    "id, number, database_id, org_id, branch, into_branch, notes, state, deployment_state, "
    "approved, created_by_type, created_by_id, created_by_name, created_by_token_owner, ddl_json, "
    "error, closed_by_type, closed_by_id, closed_by_name, created_at, updated_at, closed_at, "
    "deployed_at, started_at, finished_at, queued_at";

constexpr const char* kReviewColumns =
    "id, deploy_request_id, state, body, created_by_type, created_by_id, created_by_name, "
    "created_at";

DeployRequest ReadDr(const Statement& st) {
  DeployRequest d;
  d.id = st.Text(0);
  d.number = st.Int(1);
  d.database_id = st.Text(2);
  d.org_id = st.Text(3);
  d.branch = st.Text(4);
  d.into_branch = st.Text(5);
  d.notes = st.Text(6);
  d.state = st.Text(7);
  d.deployment_state = st.Text(8);
  d.approved = st.Bool(9);
  d.created_by = ReadActor(st, 10);
  d.created_by_token_owner = st.Text(13);
  d.ddl_json = st.Text(14);
  d.error = st.Text(15);
  if (st.OptText(16)) d.closed_by = ReadActor(st, 16);
  d.created_at = st.Int(19);
  d.updated_at = st.Int(20);
  d.closed_at = st.OptInt(21);
  d.deployed_at = st.OptInt(22);
  d.started_at = st.OptInt(23);
  d.finished_at = st.OptInt(24);
  d.queued_at = st.OptInt(25);
  return d;
}

void BindOptActor(Statement& st, const std::optional<Actor>& a) {
  if (a) {
    BindActor(st, *a);
  } else {
    st.BindOptText(std::nullopt).BindOptText(std::nullopt).BindOptText(std::nullopt);
  }
}

DeployRequestReview ReadReview(const Statement& st) {
  DeployRequestReview r;
  r.id = st.Text(0);
  r.deploy_request_id = st.Text(1);
  r.state = st.Text(2);
  r.body = st.Text(3);
  r.created_by = ReadActor(st, 4);
  r.created_at = st.Int(7);
  return r;
}

}  // namespace

Status SqliteStore::InsertDeployRequest(const DeployRequest& d) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "deploy_requests", kDrColumns));
  st.BindText(d.id)
      .BindInt(d.number)
      .BindText(d.database_id)
      .BindText(d.org_id)
      .BindText(d.branch)
      .BindText(d.into_branch)
      .BindText(d.notes)
      .BindText(d.state)
      .BindText(d.deployment_state)
      .BindBool(d.approved);
  BindActor(st, d.created_by);
  st.BindText(d.created_by_token_owner).BindText(d.ddl_json).BindText(d.error);
  BindOptActor(st, d.closed_by);
  st.BindInt(d.created_at)
      .BindInt(d.updated_at)
      .BindOptInt(d.closed_at)
      .BindOptInt(d.deployed_at)
      .BindOptInt(d.started_at)
      .BindOptInt(d.finished_at)
      .BindOptInt(d.queued_at);
  return RunWrite(st, {.duplicate_id = "a deploy request with id " + Quoted(d.id) + " already exists",
                       .duplicate_key = "deploy request number " + std::to_string(d.number) +
                                        " already exists",
                       .missing_parent = "database with id " + Quoted(d.database_id) + " not found"});
}

Result<int64_t> SqliteStore::MaxDeployRequestNumber(const std::string& database_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(db(), "SELECT COALESCE(MAX(number), 0) FROM deploy_requests WHERE database_id = ?1"));
  st.BindText(database_id);
  OPSCALE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

Result<DeployRequest> SqliteStore::GetDeployRequest(const std::string& database_id, int64_t number) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kDrColumns, "FROM deploy_requests WHERE database_id = ?1 AND number = ?2"));
  st.BindText(database_id).BindInt(number);
  return OneRow<DeployRequest>(st, ReadDr, "deploy request " + std::to_string(number) + " not found");
}

Result<std::vector<DeployRequest>> SqliteStore::ListDeployRequests(const std::string& database_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Select(db(), kDrColumns, "FROM deploy_requests WHERE database_id = ?1 ORDER BY number"));
  st.BindText(database_id);
  return CollectRows<DeployRequest>(st, ReadDr);
}

Status SqliteStore::UpdateDeployRequest(const DeployRequest& d) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          db(),
          "UPDATE deploy_requests SET branch = ?2, into_branch = ?3, notes = ?4, state = ?5, "
          "deployment_state = ?6, approved = ?7, ddl_json = ?8, error = ?9, closed_by_type = ?10, "
          "closed_by_id = ?11, closed_by_name = ?12, updated_at = ?13, closed_at = ?14, "
          "deployed_at = ?15, started_at = ?16, finished_at = ?17, queued_at = ?18 WHERE id = ?1"));
  st.BindText(d.id)
      .BindText(d.branch)
      .BindText(d.into_branch)
      .BindText(d.notes)
      .BindText(d.state)
      .BindText(d.deployment_state)
      .BindBool(d.approved)
      .BindText(d.ddl_json)
      .BindText(d.error);
  BindOptActor(st, d.closed_by);
  st.BindInt(d.updated_at)
      .BindOptInt(d.closed_at)
      .BindOptInt(d.deployed_at)
      .BindOptInt(d.started_at)
      .BindOptInt(d.finished_at)
      .BindOptInt(d.queued_at);
  return RunOne(st, {}, "deploy request with id " + Quoted(d.id) + " not found");
}

Status SqliteStore::InsertDeployRequestReview(const DeployRequestReview& r) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "deploy_request_reviews", kReviewColumns));
  st.BindText(r.id).BindText(r.deploy_request_id).BindText(r.state).BindText(r.body);
  BindActor(st, r.created_by);
  st.BindInt(r.created_at);
  return RunWrite(st, {.duplicate_id = "a review with id " + Quoted(r.id) + " already exists",
                       .duplicate_key = "a review with id " + Quoted(r.id) + " already exists",
                       .missing_parent = "deploy request with id " + Quoted(r.deploy_request_id) +
                                         " not found"});
}

Result<std::vector<DeployRequestReview>> SqliteStore::ListDeployRequestReviews(
    const std::string& deploy_request_id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st, Select(db(), kReviewColumns,
                           "FROM deploy_request_reviews WHERE deploy_request_id = ?1 "
                           "ORDER BY created_at, id"));
  st.BindText(deploy_request_id);
  return CollectRows<DeployRequestReview>(st, ReadReview);
}

}  // namespace opscale::sqlite
