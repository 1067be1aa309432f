#include "service/platform.h"

#include "auth/token_format.h"
#include "engine/engine_factory.h"
#include "engine/null_engine.h"

namespace opscale {

Result<std::unique_ptr<Platform>> Platform::Open(const PlatformOptions& options) {
  std::unique_ptr<Platform> p(new Platform());
  p->options_ = options;
  std::string key_file =
      options.token_key_file.empty() ? options.data_dir + "/token.key" : options.token_key_file;
  OPSCALE_ASSIGN_OR_RETURN(std::string key, LoadOrCreateKeyFile(key_file));
  OPSCALE_ASSIGN_OR_RETURN(p->store_, OpenStore(options.store, options.data_dir));
  p->index_ = std::make_unique<CredentialIndex>(SecretHasher(std::move(key)));
  if (options.start_engine) {
    auto engine = engine::OpenEngine({options.data_dir, options.mysql_dsn});
    if (engine.ok()) {
      p->engine_ = std::move(engine).value();
    } else if (engine.status().code() == Code::kUnavailable) {
      // The API keeps serving; engine endpoints answer 503 with the reason.
      p->engine_ = std::make_unique<engine::NullEngine>(engine.status().message());
    } else {
      return engine.status();
    }
  }
  p->core_ = std::make_unique<ServiceCore>(p->store_.get(), p->index_.get(), p->engine_.get());
  OPSCALE_RETURN_IF_ERROR(p->core_->ReloadIndex());
  p->authenticator_ = std::make_unique<Authenticator>(p->index_.get());
  p->uses_ = std::make_unique<UseRecorder>(p->store_.get());
  Platform* raw = p.get();
  // A credential unknown to the index may have just been created by another
  // process (`opscaled user create` on a running server): ask the store
  // whether it changed, at most once per 10 ms, so that a flood of unknown
  // credentials costs at most 100 statements a second.
  p->authenticator_->set_on_miss([raw] {
    TimeMs now = NowMs();
    TimeMs last = raw->last_miss_check_ms_.load(std::memory_order_relaxed);
    if (now - last < 10 || !raw->last_miss_check_ms_.compare_exchange_strong(last, now))
      return false;
    // Retry even if this call found nothing new: the store watcher may have
    // just reloaded the index under the same lock.
    (void)raw->core_->RefreshIfChangedExternally();
    return true;
  });
  p->authenticator_->set_on_used(
      [raw](const Principal& pr, std::optional<TimeMs> last) { raw->RecordUse(pr, last); });
  p->orgs_ = std::make_unique<OrganizationService>(p->core_.get());
  p->databases_ = std::make_unique<DatabaseService>(p->core_.get());
  p->tokens_ = std::make_unique<ServiceTokenService>(p->core_.get());
  p->bootstrap_ = std::make_unique<BootstrapService>(p->core_.get());
  p->branch_modes_ = std::make_unique<BranchModeService>(p->core_.get());
  p->deploy_requests_ = std::make_unique<DeployRequestService>(p->core_.get());
  p->sessions_ = std::make_unique<SessionService>(p->core_.get(), options.sessions);
  p->members_ = std::make_unique<MemberService>(p->core_.get());
  p->oauth_ = std::make_unique<OAuthService>(p->core_.get());
  p->passwords_ = std::make_unique<PasswordService>(p->core_.get());
  // Expired passwords are dropped by the node that runs the engine (serve).
  if (options.start_engine) p->passwords_->StartReaper();
  // Several serve nodes on one PostgreSQL keep their indexes in step.
  if (options.start_engine) {
    OPSCALE_ASSIGN_OR_RETURN(std::unique_ptr<ChangeFeed> feed, OpenChangeFeed(options.store));
    if (feed) {
      p->cluster_ = std::make_unique<ClusterSync>(p->core_.get(), std::move(feed));
      OPSCALE_RETURN_IF_ERROR(p->cluster_->Start());
      ClusterSync* cluster = p->cluster_.get();
      p->authenticator_->set_gate([cluster] { return cluster->Gate(); });
    }
    // Commits by processes that are not serving nodes (`opscaled user
    // create`, `org create`) send no note: watch the store for them too.
    p->external_watch_ =
        std::make_unique<ExternalChangeWatch>(p->core_.get(), std::chrono::milliseconds(250));
  }
  return p;
}

void Platform::RecordUse(const Principal& p, std::optional<TimeMs> last_used_at) {
  TimeMs now = NowMs();
  if (last_used_at && now - *last_used_at < options_.last_used_write_interval_ms) return;
  // Best effort, off the request path (use_recorder.h).
  if (p.is_token()) {
    index_->SetServiceTokenLastUsed(p.credential_id, now);
    uses_->Record(UseRecorder::Kind::kServiceToken, p.credential_id, now);
  } else {
    index_->SetApiTokenLastUsed(p.credential_id, now);
    uses_->Record(UseRecorder::Kind::kApiToken, p.credential_id, now);
  }
}

}  // namespace opscale
