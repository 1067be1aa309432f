// ServiceCore: what every use case shares: the store, the in-memory
// credential index, and the write lock that keeps "write store, then update
// index" atomic with respect to index reloads.
//
// Use-case flow (DESIGN): check access -> validate -> write store (with its
// audit event, in one transaction) -> update index -> notify.
//
// Thread-safety: methods are safe to call concurrently.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "auth/authorizer.h"
#include "auth/credential_index.h"
#include "auth/principal.h"
#include "engine/engine.h"
#include "service/metadata_cache.h"
#include "service/store_health.h"
#include "storage/store.h"

namespace opscale {

// Who is calling, for one request.
struct RequestContext {
  Principal principal;
  std::string remote_ip;
};

// Something that ends the right to hold live connections (SPEC §5: tunnels
// and engine sessions opened with it must be closed at once).
struct Revocation {
  enum class Kind { kPrincipalDeleted, kAccessRemoved, kDatabaseDeleted, kBranchDeleted };
  Kind kind;
  std::string org_id;
  std::string principal_id;  // kPrincipalDeleted, kAccessRemoved
  std::string database_id;   // all but kPrincipalDeleted
  std::string branch_name;   // kBranchDeleted
  RequestContext by;         // who caused it (for the audit log)
};

class ServiceCore {
 public:
  // `engine` may be null: then every engine call answers 503 "no database engine".
  ServiceCore(Store* store, CredentialIndex* index, engine::Engine* engine);

  Store& store() { return *store_; }
  // Whether requests may be answered at all (store_health.h: fail closed).
  StoreHealth& health() { return health_; }
  CredentialIndex& index() { return *index_; }
  engine::Engine& engine() { return *engine_; }

  // The MariaDB schema behind a branch: unique across orgs and databases.
  static std::string SchemaName(const Branch& b) { return "br_" + b.id; }

  // Runs `write` in one store transaction; if it commits, runs `apply`
  // (index updates, notifications) before releasing the write lock, then
  // waits, without the lock, until the commit is durable. So the index may
  // show a write a moment before it is on disk (only a power cut in that
  // moment could undo it); the caller is answered after.
  Status Write(const std::function<Status(Store&)>& write, const std::function<void()>& apply = {});
  // Write() for a transaction that changes only service tokens, their
  // grants and the audit log: it keeps the metadata cache (organizations,
  // databases, branches), which Write() empties.
  Status WriteCredentials(const std::function<Status(Store&)>& write,
                          const std::function<void()>& apply = {});

  // Subscribes the connection registry (wired by opscaled serve). Called
  // after the revoking write committed and the index was updated.
  void set_on_revoke(std::function<void(const Revocation&)> hook) { on_revoke_ = std::move(hook); }
  // Tells the other nodes (wired by ClusterSync): called after every
  // committed Write and every Revoke, outside the write lock; it may block
  // until the other nodes applied the change.
  void set_on_committed(std::function<void(const Revocation*)> hook) { on_committed_ = std::move(hook); }
  void Revoke(const Revocation& r) {
    if (on_revoke_) on_revoke_(r);
    if (on_committed_) on_committed_(&r);
  }
  // Runs the local part of a revocation another node made.
  void ApplyRemoteRevoke(const Revocation& r) {
    if (on_revoke_) on_revoke_(r);
  }

  // Rebuilds the index from the store (and forgets the metadata cache).
  Status ReloadIndex();
  // If another process committed to the store since the last check, reloads
  // the index and returns true.
  bool RefreshIfChangedExternally();

  // An audit event stamped with the caller, time and a new id.
  static AuditEvent Event(const RequestContext& ctx, const std::string& org_id,
                          const std::string& action, const std::string& auditable_type,
                          const std::string& auditable_id, const std::string& display_name);

  // The caller's organization by name: NotFound if it does not exist or the
  // caller does not belong to it.
  Result<Organization> ResolveOrg(const RequestContext& ctx, const std::string& org_name);
  // Reads through the metadata cache (metadata_cache.h): the store is read
  // only on a miss. Outside a transaction only; inside one, use the Store.
  Result<Organization> GetOrganization(const std::string& name);
  Result<Database> GetDatabase(const std::string& org_id, const std::string& name);
  Result<Branch> GetBranch(const std::string& database_id, const std::string& name);
  // A database the caller can see (NotFound otherwise), with its resource path.
  Result<std::pair<Database, Resource>> ResolveDatabase(const RequestContext& ctx,
                                                        const std::string& org_name,
                                                        const std::string& db_name);

 private:
  Status ReloadIndexLocked();
  Status WriteAndMaybeForget(const std::function<Status(Store&)>& write,
                             const std::function<void()>& apply, bool forget_metadata);

  Store* store_;
  CredentialIndex* index_;
  engine::Engine* engine_;
  std::function<void(const Revocation&)> on_revoke_;
  std::function<void(const Revocation*)> on_committed_;
  std::mutex write_mu_;
  MetadataCache cache_;
  StoreHealth health_{store_};
  int64_t external_version_ = -1;
};

}  // namespace opscale
