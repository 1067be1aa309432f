// Deploy requests (SPEC §4, data-plane-facts §3): a request to apply a
// branch's schema changes to another branch (by default the database's
// default branch), reviews, and a synchronous deploy on the real engine.
//
// Accesses (endpoint-accesses.md): list/get/reviews/deployment need
// read_deploy_request; create, close, deploy and cancel need
// create_deploy_request; an approving review needs approve_deploy_request or
// review_deploy_request, a comment needs create_comment (or either review
// access). A caller holding no deploy-request access on the database gets 404.
//
// Approval (SPEC §4): eligible approvers are org admin users and service
// tokens holding approve_deploy_request on the database; never a token
// approving its own request, a user approving a request made by a token that
// user created, or anyone approving their own request (except the sole admin
// of an organization with exactly one admin). Each refusal is a 403. With the
// database's require_approval_for_deploy on, Deploy needs an approving review.
//
// Deploy: re-computes the diff; if it differs from the one stored at creation
// the request conflicts (409). Otherwise queued -> in_progress -> complete
// (or complete_error with the engine's message), times recorded.
//
// Thread-safety: safe to call concurrently; deploys of one database are
// serialized.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/deploy_request.h"
#include "service/core.h"

namespace opscale {

struct DeployRequestView {
  DeployRequest dr;
  std::string branch_id;  // "" if the branch is gone
  int num_comments = 0;
};

class DeployRequestService {
 public:
  explicit DeployRequestService(ServiceCore* core) : core_(core) {}

  Result<std::vector<DeployRequestView>> List(const RequestContext& ctx, const std::string& org,
                                              const std::string& db);
  // into empty: the database's default branch.
  Result<DeployRequestView> Create(const RequestContext& ctx, const std::string& org,
                                   const std::string& db, const std::string& branch,
                                   const std::string& into, const std::string& notes);
  Result<DeployRequestView> Get(const RequestContext& ctx, const std::string& org,
                                const std::string& db, int64_t number);
  Result<DeployRequestView> Close(const RequestContext& ctx, const std::string& org,
                                  const std::string& db, int64_t number);
  Result<DeployRequestView> Deploy(const RequestContext& ctx, const std::string& org,
                                   const std::string& db, int64_t number);
  // Deploys run synchronously, so nothing is ever left queued: always 422.
  Result<DeployRequestView> Cancel(const RequestContext& ctx, const std::string& org,
                                   const std::string& db, int64_t number);
  // state: approved | commented.
  Result<DeployRequestReview> Review(const RequestContext& ctx, const std::string& org,
                                     const std::string& db, int64_t number,
                                     const std::string& state, const std::string& body);
  Result<std::vector<DeployRequestReview>> Reviews(const RequestContext& ctx,
                                                   const std::string& org, const std::string& db,
                                                   int64_t number);
  // The DDL statements of the request: always the diff stored at creation
  // (what reviewers saw).
  Result<std::vector<std::string>> Diff(const RequestContext& ctx, const std::string& org,
                                        const std::string& db, int64_t number);

  // JSON array text <-> statements.
  static std::string EncodeDdl(const std::vector<std::string>& statements);
  static std::vector<std::string> DecodeDdl(const std::string& json);

 private:
  struct Target;
  Result<Target> Resolve(const RequestContext& ctx, const std::string& org, const std::string& db,
                         AccessSet any, Access named);
  Result<DeployRequest> Find(const Target& t, int64_t number);
  DeployRequestView View(const Target& t, DeployRequest dr);
  // Ok when ctx's principal may approve dr; else 403 with the reason.
  Status CheckApprover(const Target& t, const Principal& p, const DeployRequest& dr);
  Status Save(const RequestContext& ctx, const Target& t, const DeployRequest& dr,
              const std::string& action);

  ServiceCore* core_;
  std::mutex deploy_mu_;
};

}  // namespace opscale
