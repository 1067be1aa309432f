#include "service/passwords.h"

#include <chrono>

#include "common/ids.h"

namespace opscale {

namespace {

constexpr size_t kUsernameLength = 20;
constexpr size_t kSecretLength = 43;  // base62: ~256 bits
constexpr int64_t kMaxTtlSeconds = int64_t{10} * 365 * 24 * 3600;

// PW-R, PW-W and the delete accesses: holding any makes the branch's passwords visible.
AccessSet PasswordVisibleSet() {
  using A = Access;
  return {A::kReadBranch,
          A::kDeleteBranch,
          A::kCreateBranch,
          A::kConnectProductionBranch,
          A::kConnectProductionReadOnlyBranch,
          A::kConnectBranch,
          A::kDeleteBranchPassword,
          A::kDeleteProductionBranchPassword,
          A::kDeleteProductionReadOnlyBranchPassword};
}

AccessSet PasswordReadSet() {
  using A = Access;
  return {A::kReadBranch,    A::kDeleteBranch,
          A::kCreateBranch,  A::kConnectProductionBranch,
          A::kConnectBranch, A::kConnectProductionReadOnlyBranch};
}

Status ValidatePasswordName(const std::string& name) {
  if (name.empty() || name.size() > 255)
    return Status::Unprocessable("password name must be 1-255 characters");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      return Status::Unprocessable("password name must not contain control characters");
  return Status::Ok();
}

std::string DefaultName(const std::string& branch, TimeMs now) {
  return branch + "-" + FormatTime(now).substr(0, 10) + "-" + RandomString(6, kLowerAlnum);
}

AuditEvent PasswordEvent(const RequestContext& ctx, const Password& p, const Branch& b,
                         const std::string& action) {
  AuditEvent e = ServiceCore::Event(ctx, p.org_id, action, "DatabaseBranchPassword", p.id, p.name);
  e.target_type = "Branch";
  e.target_id = b.id;
  e.target_display_name = b.name;
  e.metadata_json = "{\"role\":\"" + p.role + "\",\"username\":\"" + p.username + "\"}";
  return e;
}

}  // namespace

struct PasswordService::Target {
  Database db;
  Branch branch;
  Resource branch_res;
  AccessSet held;  // database-level accesses of the caller

  Status Need(AccessSet any, Access named) const {
    if (held.HasAny(any)) return Status::Ok();
    return Status::PermissionDenied("missing access '" + std::string(AccessName(named)) +
                                    "' on " + branch_res.Describe());
  }
  // create / update / renew
  Status NeedWrite(const std::string& role) const {
    if (!branch.production) return Need({Access::kConnectBranch}, Access::kConnectBranch);
    AccessSet any{Access::kConnectProductionBranch};
    if (role == "reader") any.Add(Access::kConnectProductionReadOnlyBranch);
    return Need(any, Access::kConnectProductionBranch);
  }
};

PasswordService::~PasswordService() { StopReaper(); }

Result<PasswordService::Target> PasswordService::Resolve(const RequestContext& ctx,
                                                         const std::string& org,
                                                         const std::string& db,
                                                         const std::string& branch) {
  OPSCALE_ASSIGN_OR_RETURN(auto resolved, core_->ResolveDatabase(ctx, org, db));
  Target t;
  t.held = Authorizer::Held(ctx.principal, resolved.second);
  if (!t.held.HasAny(PasswordVisibleSet())) return Status::NotFound();
  auto b = core_->GetBranch(resolved.first.id, branch);
  if (!b.ok()) {
    if (b.status().code() == Code::kNotFound) return Status::NotFound();
    return b.status();
  }
  t.db = std::move(resolved.first);
  t.branch = std::move(b).value();
  t.branch_res = resolved.second.Branch(t.branch.name, t.branch.production);
  return t;
}

Result<Password> PasswordService::Find(const Target& t, const std::string& id) {
  auto p = core_->store().GetPassword(t.branch.id, id);
  if (!p.ok()) {
    if (p.status().code() == Code::kNotFound)
      return Status::NotFound("password " + id + " does not exist in branch " + t.branch.name);
    return p.status();
  }
  // Passwords made for one `connect` session are not the user's to manage.
  if (p->connect_session)
    return Status::NotFound("password " + id + " does not exist in branch " + t.branch.name);
  return p;
}

PasswordView PasswordService::View(const Target& t, Password p) const {
  PasswordView v;
  v.password = std::move(p);
  v.branch = t.branch;
  v.schema = ServiceCore::SchemaName(t.branch);
  return v;
}

Result<std::vector<PasswordView>> PasswordService::List(const RequestContext& ctx,
                                                        const std::string& org,
                                                        const std::string& db,
                                                        const std::string& branch) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, branch));
  OPSCALE_RETURN_IF_ERROR(t.Need(PasswordReadSet(), Access::kReadBranch));
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Password> all, core_->store().ListPasswords(t.branch.id));
  std::vector<PasswordView> out;
  for (auto& p : all)
    if (!p.connect_session) out.push_back(View(t, std::move(p)));
  return out;
}

Result<PasswordView> PasswordService::Get(const RequestContext& ctx, const std::string& org,
                                          const std::string& db, const std::string& branch,
                                          const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, branch));
  OPSCALE_RETURN_IF_ERROR(t.Need(PasswordReadSet(), Access::kReadBranch));
  OPSCALE_ASSIGN_OR_RETURN(Password p, Find(t, id));
  return View(t, std::move(p));
}

Result<PasswordView> PasswordService::Create(const RequestContext& ctx, const std::string& org,
                                             const std::string& db, const std::string& branch,
                                             const NewPassword& spec) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, branch));
  auto role = engine::ParseRole(spec.role);
  if (!role.ok())
    return Status::Unprocessable("role must be one of reader, writer, readwriter, admin (got \"" +
                                 spec.role + "\")");
  OPSCALE_RETURN_IF_ERROR(t.NeedWrite(spec.role));
  TimeMs now = NowMs();
  std::string name = spec.name.empty() ? DefaultName(t.branch.name, now) : spec.name;
  OPSCALE_RETURN_IF_ERROR(ValidatePasswordName(name));
  if (spec.ttl_seconds && (*spec.ttl_seconds < 0 || *spec.ttl_seconds > kMaxTtlSeconds))
    return Status::Unprocessable("ttl must be between 0 and " + std::to_string(kMaxTtlSeconds) +
                                 " seconds");

  Password p;
  p.id = NewId();
  p.branch_id = t.branch.id;
  p.database_id = t.db.id;
  p.org_id = t.db.org_id;
  p.name = name;
  p.role = std::string(engine::RoleName(*role));
  p.created_by = ctx.principal.AsActor();
  p.created_at = p.updated_at = now;
  if (spec.ttl_seconds && *spec.ttl_seconds > 0) {
    p.ttl_seconds = *spec.ttl_seconds;
    p.expires_at = now + *spec.ttl_seconds * 1000;
  }

  engine::AccountSpec account;
  account.password = "pscale_pw_" + RandomString(kSecretLength, kBase62);
  account.schema = ServiceCore::SchemaName(t.branch);
  account.role = *role;
  account.allow_ddl = !(t.branch.production && t.branch.safe_migrations);
  Status created;
  for (int attempt = 0; attempt < 3; ++attempt) {  // a taken user name: draw another
    account.username = RandomString(kUsernameLength, kLowerAlnum);
    created = core_->engine().CreateAccount(account);
    if (created.code() != Code::kConflict) break;
  }
  OPSCALE_RETURN_IF_ERROR(created);
  p.username = account.username;

  AuditEvent e = PasswordEvent(ctx, p, t.branch, "database_branch_password.created");
  Status st = core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.InsertPassword(p));
    return tx.InsertAuditEvent(e);
  });
  if (!st.ok()) {
    (void)core_->engine().DropAccount(p.username);
    if (st.code() == Code::kNotFound) return Status::NotFound();  // branch deleted meanwhile
    return st;
  }
  PasswordView v = View(t, std::move(p));
  v.plain_text = std::move(account.password);
  return v;
}

Result<PasswordView> PasswordService::Update(const RequestContext& ctx, const std::string& org,
                                             const std::string& db, const std::string& branch,
                                             const std::string& id, const std::string& name) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, branch));
  OPSCALE_ASSIGN_OR_RETURN(Password p, Find(t, id));
  OPSCALE_RETURN_IF_ERROR(t.NeedWrite(p.role));
  OPSCALE_RETURN_IF_ERROR(ValidatePasswordName(name));
  p.name = name;
  p.updated_at = NowMs();
  AuditEvent e = PasswordEvent(ctx, p, t.branch, "database_branch_password.updated");
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.UpdatePassword(p));
    return tx.InsertAuditEvent(e);
  }));
  return View(t, std::move(p));
}

Status PasswordService::Delete(const RequestContext& ctx, const std::string& org,
                               const std::string& db, const std::string& branch,
                               const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, branch));
  Access needed = t.branch.production ? Access::kDeleteProductionBranchPassword
                                      : Access::kDeleteBranchPassword;
  AccessSet any{needed};
  OPSCALE_ASSIGN_OR_RETURN(Password p, Find(t, id));
  if (t.branch.production && p.role == "reader")
    any.Add(Access::kDeleteProductionReadOnlyBranchPassword);
  OPSCALE_RETURN_IF_ERROR(t.Need(any, needed));
  // Revocation first: once DropAccount returns, the user can neither log in
  // nor run another statement. A failure keeps the row, so the delete can be retried.
  OPSCALE_RETURN_IF_ERROR(core_->engine().DropAccount(p.username));
  AuditEvent e = PasswordEvent(ctx, p, t.branch, "database_branch_password.deleted");
  Status st = core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.DeletePassword(p.id));
    return tx.InsertAuditEvent(e);
  });
  if (st.code() == Code::kNotFound) return Status::Ok();  // deleted concurrently
  return st;
}

Result<PasswordView> PasswordService::Renew(const RequestContext& ctx, const std::string& org,
                                            const std::string& db, const std::string& branch,
                                            const std::string& id) {
  OPSCALE_ASSIGN_OR_RETURN(Target t, Resolve(ctx, org, db, branch));
  OPSCALE_ASSIGN_OR_RETURN(Password p, Find(t, id));
  OPSCALE_RETURN_IF_ERROR(t.NeedWrite(p.role));
  if (!p.ttl_seconds || *p.ttl_seconds <= 0)
    return Status::Unprocessable("password " + p.id + " has no ttl and cannot be renewed");
  TimeMs now = NowMs();
  p.expires_at = now + *p.ttl_seconds * 1000;
  p.updated_at = now;
  AuditEvent e = PasswordEvent(ctx, p, t.branch, "database_branch_password.renewed");
  OPSCALE_RETURN_IF_ERROR(core_->Write([&](Store& tx) {
    OPSCALE_RETURN_IF_ERROR(tx.UpdatePassword(p));
    return tx.InsertAuditEvent(e);
  }));
  return View(t, std::move(p));
}

int PasswordService::ReapExpired(TimeMs now) {
  auto expired = core_->store().ListExpiredPasswords(now);
  if (!expired.ok()) return 0;
  int dropped = 0;
  for (const Password& p : *expired) {
    // Keep the row while the account may still work: the next pass retries.
    if (!core_->engine().DropAccount(p.username).ok()) continue;
    RequestContext system;
    AuditEvent e = ServiceCore::Event(system, p.org_id, "database_branch_password.expired",
                                      "DatabaseBranchPassword", p.id, p.name);
    e.actor = Actor{ActorType::kSystem, "", "opscale"};
    e.target_type = "Branch";
    e.target_id = p.branch_id;
    Status st = core_->Write([&](Store& tx) {
      OPSCALE_RETURN_IF_ERROR(tx.DeletePassword(p.id));
      return tx.InsertAuditEvent(e);
    });
    if (st.ok()) ++dropped;
  }
  return dropped;
}

void PasswordService::StartReaper() {
  std::lock_guard lock(reaper_mu_);
  if (reaper_.joinable()) return;
  reaper_stop_ = false;
  reaper_ = std::thread([this] {
    std::unique_lock lock(reaper_mu_);
    while (!reaper_stop_) {
      lock.unlock();
      ReapExpired(NowMs());
      lock.lock();
      reaper_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return reaper_stop_; });
    }
  });
}

void PasswordService::StopReaper() {
  std::thread t;
  {
    std::lock_guard lock(reaper_mu_);
    reaper_stop_ = true;
    t = std::move(reaper_);
  }
  reaper_cv_.notify_all();
  if (t.joinable()) t.join();
}

}  // namespace opscale
