#include "service/migrate.h"

#include <algorithm>
#include <set>

namespace opscale {

Result<CopyReport> CopyStore(Store& from, Store& to, bool allow_non_empty) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Organization> existing, to.ListOrganizations());
  if (!existing.empty() && !allow_non_empty)
    return Status::Conflict("the target store is not empty (it has organization " +
                            existing.front().name + "); pass --allow-non-empty to copy into it anyway");

  // Read everything first, so a read error leaves the target untouched.
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Organization> orgs, from.ListOrganizations());
  OPSCALE_ASSIGN_OR_RETURN(std::vector<User> users, from.ListUsers());
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Membership> memberships, from.ListMemberships());
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ApiToken> api_tokens, from.ListApiTokens());
  OPSCALE_ASSIGN_OR_RETURN(std::vector<ServiceToken> service_tokens, from.ListAllServiceTokens());
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Grant> grants, from.ListAllGrants());
  std::vector<Database> databases;
  std::vector<Branch> branches;
  std::vector<Password> passwords;
  std::vector<DeployRequest> deploy_requests;
  std::vector<DeployRequestReview> reviews;
  std::vector<OAuthApplication> apps;
  std::vector<AuditEvent> events;
  for (const auto& o : orgs) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<Database> dbs, from.ListDatabases(o.id));
    for (auto& d : dbs) {
      OPSCALE_ASSIGN_OR_RETURN(std::vector<Branch> bs, from.ListBranches(d.id));
      for (auto& b : bs) {
        OPSCALE_ASSIGN_OR_RETURN(std::vector<Password> ps, from.ListPasswords(b.id));
        passwords.insert(passwords.end(), ps.begin(), ps.end());
        branches.push_back(std::move(b));
      }
      OPSCALE_ASSIGN_OR_RETURN(std::vector<DeployRequest> drs, from.ListDeployRequests(d.id));
      for (auto& dr : drs) {
        OPSCALE_ASSIGN_OR_RETURN(std::vector<DeployRequestReview> rs, from.ListDeployRequestReviews(dr.id));
        reviews.insert(reviews.end(), rs.begin(), rs.end());
        deploy_requests.push_back(std::move(dr));
      }
      databases.push_back(std::move(d));
    }
    OPSCALE_ASSIGN_OR_RETURN(std::vector<OAuthApplication> as, from.ListOAuthApplications(o.id));
    apps.insert(apps.end(), as.begin(), as.end());
    OPSCALE_ASSIGN_OR_RETURN(std::vector<AuditEvent> es, from.ListAuditEvents(o.id, 0, 1 << 30));
    // Newest first from the store; the target assigns new sequence numbers
    // in insertion order, so insert oldest first.
    std::reverse(es.begin(), es.end());
    events.insert(events.end(), es.begin(), es.end());
  }
  std::set<std::string> chains;
  for (const auto& t : api_tokens)
    if (!t.chain_id.empty()) chains.insert(t.chain_id);
  std::vector<OAuthRefreshToken> refresh_tokens;
  for (const auto& c : chains) {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<OAuthRefreshToken> rts, from.ListOAuthRefreshTokens(c));
    refresh_tokens.insert(refresh_tokens.end(), rts.begin(), rts.end());
  }

  OPSCALE_RETURN_IF_ERROR(to.Transact([&](Store& tx) -> Status {
    for (const auto& o : orgs) OPSCALE_RETURN_IF_ERROR(tx.InsertOrganization(o));
    for (const auto& u : users) OPSCALE_RETURN_IF_ERROR(tx.InsertUser(u));
    for (const auto& m : memberships) OPSCALE_RETURN_IF_ERROR(tx.UpsertMembership(m));
    for (const auto& t : api_tokens) OPSCALE_RETURN_IF_ERROR(tx.InsertApiToken(t));
    for (const auto& d : databases) OPSCALE_RETURN_IF_ERROR(tx.InsertDatabase(d));
    for (const auto& b : branches) OPSCALE_RETURN_IF_ERROR(tx.InsertBranch(b));
    for (const auto& t : service_tokens) OPSCALE_RETURN_IF_ERROR(tx.InsertServiceToken(t));
    for (const auto& g : grants) OPSCALE_RETURN_IF_ERROR(tx.InsertGrant(g));
    for (const auto& p : passwords) OPSCALE_RETURN_IF_ERROR(tx.InsertPassword(p));
    for (const auto& dr : deploy_requests) OPSCALE_RETURN_IF_ERROR(tx.InsertDeployRequest(dr));
    for (const auto& r : reviews) OPSCALE_RETURN_IF_ERROR(tx.InsertDeployRequestReview(r));
    for (const auto& a : apps) OPSCALE_RETURN_IF_ERROR(tx.InsertOAuthApplication(a));
    for (const auto& r : refresh_tokens) OPSCALE_RETURN_IF_ERROR(tx.InsertOAuthRefreshToken(r));
    for (const auto& e : events) OPSCALE_RETURN_IF_ERROR(tx.InsertAuditEvent(e));
    return Status::Ok();
  }));

  CopyReport report;
  report.counts = {{"organizations", static_cast<int64_t>(orgs.size())},
                   {"users", static_cast<int64_t>(users.size())},
                   {"memberships", static_cast<int64_t>(memberships.size())},
                   {"api_tokens", static_cast<int64_t>(api_tokens.size())},
                   {"service_tokens", static_cast<int64_t>(service_tokens.size())},
                   {"grants", static_cast<int64_t>(grants.size())},
                   {"databases", static_cast<int64_t>(databases.size())},
                   {"branches", static_cast<int64_t>(branches.size())},
                   {"passwords", static_cast<int64_t>(passwords.size())},
                   {"deploy_requests", static_cast<int64_t>(deploy_requests.size())},
                   {"deploy_request_reviews", static_cast<int64_t>(reviews.size())},
                   {"oauth_applications", static_cast<int64_t>(apps.size())},
                   {"oauth_refresh_tokens", static_cast<int64_t>(refresh_tokens.size())},
                   {"audit_events", static_cast<int64_t>(events.size())}};
  return report;
}

}  // namespace opscale
