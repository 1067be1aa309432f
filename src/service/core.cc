#include "service/core.h"

#include <malloc.h>

#include "common/ids.h"
#include "engine/null_engine.h"

namespace opscale {

ServiceCore::ServiceCore(Store* store, CredentialIndex* index, engine::Engine* engine)
    : store_(store), index_(index), engine_(engine) {
  static engine::NullEngine null_engine;
  if (!engine_) engine_ = &null_engine;
}

Status ServiceCore::Write(const std::function<Status(Store&)>& write,
                          const std::function<void()>& apply) {
  return WriteAndMaybeForget(write, apply, true);
}

Status ServiceCore::WriteCredentials(const std::function<Status(Store&)>& write,
                                     const std::function<void()>& apply) {
  return WriteAndMaybeForget(write, apply, false);
}

Status ServiceCore::WriteAndMaybeForget(const std::function<Status(Store&)>& write,
                                        const std::function<void()>& apply,
                                        bool forget_metadata) {
  Store::CommitTicket ticket = 0;
  {
    std::lock_guard lock(write_mu_);
    auto committed = store_->TransactNoWait(write);
    // Even a failed transaction may have been committed in part by a nested
    // one; forgetting is always safe.
    if (forget_metadata) cache_.Clear();
    OPSCALE_ASSIGN_OR_RETURN(ticket, std::move(committed));
    if (apply) apply();
  }
  // Outside the lock: the commits of writers that queued behind this one
  // share its flush to disk (group commit, store.h).
  OPSCALE_RETURN_IF_ERROR(store_->WaitDurable(ticket));
  if (on_committed_) on_committed_(nullptr);
  return Status::Ok();
}

Status ServiceCore::ReloadIndex() {
  std::lock_guard lock(write_mu_);
  return ReloadIndexLocked();
}

namespace {

// Streams the store's tokens and grants straight into the index's loader.
class LoaderSink final : public CredentialSink {
 public:
  void ExpectServiceTokens(size_t count) override { loader.Reserve(count); }
  void OnServiceToken(const ServiceToken& t) override { loader.Add(t); }
  void OnGrant(const Grant& g) override { loader.Add(g); }
  CredentialIndex::TokenLoader loader;
};

}  // namespace

Status ServiceCore::ReloadIndexLocked() {
  auto version = store_->ExternalChangeVersion();
  {
    IndexSnapshot s;
    LoaderSink sink;
    // One transaction, so the snapshot is consistent across the lists.
    OPSCALE_RETURN_IF_ERROR(store_->Transact([&](Store& tx) -> Status {
      OPSCALE_ASSIGN_OR_RETURN(s.orgs, tx.ListOrganizations());
      OPSCALE_ASSIGN_OR_RETURN(s.users, tx.ListUsers());
      OPSCALE_ASSIGN_OR_RETURN(s.memberships, tx.ListMemberships());
      OPSCALE_RETURN_IF_ERROR(tx.ScanCredentials(sink));
      OPSCALE_ASSIGN_OR_RETURN(s.api_tokens, tx.ListApiTokens());
      return Status::Ok();
    }));
    index_->Load(s, std::move(sink.loader));
  }
  cache_.Clear();
#ifdef __GLIBC__
  // Give back to the system what the previous index (and the store's
  // caches) freed: glibc keeps freed pages in the heap otherwise.
  malloc_trim(0);
#endif
  if (version.ok()) external_version_ = *version;
  return Status::Ok();
}

bool ServiceCore::RefreshIfChangedExternally() {
  std::lock_guard lock(write_mu_);
  auto version = store_->ExternalChangeVersion();
  if (!version.ok() || *version == external_version_) return false;
  return ReloadIndexLocked().ok();
}

AuditEvent ServiceCore::Event(const RequestContext& ctx, const std::string& org_id,
                              const std::string& action, const std::string& auditable_type,
                              const std::string& auditable_id, const std::string& display_name) {
  AuditEvent e;
  e.id = NewId();
  e.org_id = org_id;
  e.actor = ctx.principal.AsActor();
  e.action = action;
  e.auditable_type = auditable_type;
  e.auditable_id = auditable_id;
  e.auditable_display_name = display_name;
  e.remote_ip = ctx.remote_ip;
  e.created_at = NowMs();
  return e;
}

Result<Organization> ServiceCore::ResolveOrg(const RequestContext& ctx, const std::string& org_name) {
  auto org = GetOrganization(org_name);
  if (!org.ok()) {
    if (org.status().code() == Code::kNotFound) return Status::NotFound();
    return org.status();
  }
  if (!Authorizer::InOrg(ctx.principal, org->id)) return Status::NotFound();
  return org;
}

Result<Organization> ServiceCore::GetOrganization(const std::string& name) {
  if (auto hit = cache_.Org(name)) return std::move(*hit);
  const MetadataCache::Generation g = cache_.generation();
  auto org = store_->GetOrganizationByName(name);
  if (org.ok()) cache_.PutOrg(g, *org);
  return org;
}

Result<Database> ServiceCore::GetDatabase(const std::string& org_id, const std::string& name) {
  if (auto hit = cache_.Db(org_id, name)) return std::move(*hit);
  const MetadataCache::Generation g = cache_.generation();
  auto db = store_->GetDatabase(org_id, name);
  if (db.ok()) cache_.PutDb(g, *db);
  return db;
}

Result<Branch> ServiceCore::GetBranch(const std::string& database_id, const std::string& name) {
  if (auto hit = cache_.BranchOf(database_id, name)) return std::move(*hit);
  const MetadataCache::Generation g = cache_.generation();
  auto b = store_->GetBranch(database_id, name);
  if (b.ok()) cache_.PutBranch(g, *b);
  return b;
}

Result<std::pair<Database, Resource>> ServiceCore::ResolveDatabase(const RequestContext& ctx,
                                                                   const std::string& org_name,
                                                                   const std::string& db_name) {
  OPSCALE_ASSIGN_OR_RETURN(Organization org, ResolveOrg(ctx, org_name));
  auto db = GetDatabase(org.id, db_name);
  if (!db.ok()) {
    if (db.status().code() == Code::kNotFound) return Status::NotFound();
    return db.status();
  }
  Resource r = Resource::Org(org.id, org.name).Database(db->id, db->name);
  if (!Authorizer::CanSee(ctx.principal, r)) return Status::NotFound();
  return std::make_pair(std::move(db).value(), std::move(r));
}

}  // namespace opscale
