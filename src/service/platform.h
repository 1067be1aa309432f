// Platform: one opened data dir: store + token key + credential index +
// authenticator + the use-case services, wired together. Used by opscaled's
// commands (init, serve, org create, user create).
//
// Thread-safety: accessors are safe to call concurrently after Open().
#pragma once

#include <atomic>

#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "auth/credential_index.h"
#include "service/bootstrap.h"
#include "service/cluster_sync.h"
#include "service/external_change_watch.h"
#include "service/use_recorder.h"
#include "service/branch_modes.h"
#include "service/core.h"
#include "service/databases.h"
#include "service/deploy_requests.h"
#include "service/members.h"
#include "service/oauth.h"
#include "service/organizations.h"
#include "service/passwords.h"
#include "service/service_tokens.h"
#include "service/sessions.h"
#include "storage/store.h"

namespace opscale {

struct PlatformOptions {
  std::string data_dir;
  std::string store = "sqlite";   // or postgres://... (later)
  std::string token_key_file;     // default: <data_dir>/token.key
  // Start the database engine (serve only): a private mariadbd in the data
  // dir, or the server at mysql_dsn. Without it every engine call is a 503.
  bool start_engine = false;
  std::string mysql_dsn;
  // last_used_at is written at most once per this interval per credential.
  int64_t last_used_write_interval_ms = 60 * 1000;
  SessionOptions sessions;  // dashboard sign-in
};

class Platform {
 public:
  static Result<std::unique_ptr<Platform>> Open(const PlatformOptions& options);

  Store& store() { return *store_; }
  CredentialIndex& index() { return *index_; }
  const Authenticator& authenticator() const { return *authenticator_; }
  ServiceCore& core() { return *core_; }
  engine::Engine& engine() { return core_->engine(); }
  OrganizationService& organizations() { return *orgs_; }
  DatabaseService& databases() { return *databases_; }
  ServiceTokenService& service_tokens() { return *tokens_; }
  BootstrapService& bootstrap() { return *bootstrap_; }
  PasswordService& passwords() { return *passwords_; }
  BranchModeService& branch_modes() { return *branch_modes_; }
  DeployRequestService& deploy_requests() { return *deploy_requests_; }
  SessionService& sessions() { return *sessions_; }
  MemberService& members() { return *members_; }
  OAuthService& oauth() { return *oauth_; }
  // Set when several nodes share the store (postgres:// with serve).
  ClusterSync* cluster() { return cluster_.get(); }

 private:
  Platform() = default;
  void RecordUse(const Principal& p, std::optional<TimeMs> last_used_at);

  PlatformOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<CredentialIndex> index_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<OrganizationService> orgs_;
  std::unique_ptr<DatabaseService> databases_;
  std::unique_ptr<ServiceTokenService> tokens_;
  std::unique_ptr<BootstrapService> bootstrap_;
  std::unique_ptr<BranchModeService> branch_modes_;
  std::unique_ptr<DeployRequestService> deploy_requests_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<MemberService> members_;
  std::unique_ptr<OAuthService> oauth_;
  // Last: destroyed first, so their threads stop before what they use goes.
  std::unique_ptr<PasswordService> passwords_;
  std::unique_ptr<ClusterSync> cluster_;
  std::unique_ptr<UseRecorder> uses_;  // after store_: destroyed (and drained) before it
  std::unique_ptr<ExternalChangeWatch> external_watch_;
  std::atomic<TimeMs> last_miss_check_ms_{0};  // serve on SQLite; stopped first
};

}  // namespace opscale
