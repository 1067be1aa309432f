// SqliteStore: opening, connection settings, transactions, and the
// organization / user / membership tables. The other tables are in
// sqlite_store_credentials.cc and sqlite_store_databases.cc.
#include "storage/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "common/scope_exit.h"
#include "storage/sqlite/sqlite_migrations.h"
#include "storage/sqlite/sqlite_rows.h"

namespace opscale::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Creates the file with mode 0600 before SQLite sees it (SQLite would use
// 0644), and tightens a file whose mode was loosened by hand. SQLite gives
// the -wal and -shm files the same mode as the database file.
Status CreatePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot open database file " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) (void)::fchmod(fd, 0600);
  ::close(fd);
  return Status::Ok();
}

Result<std::string> PragmaText(sqlite3* db, const char* sql) {
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(db, sql));
  OPSCALE_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : std::string();
}

Status Configure(sqlite3* db, const std::string& path) {
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  OPSCALE_ASSIGN_OR_RETURN(std::string mode, PragmaText(db, "PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return Status::Unavailable("cannot use write-ahead logging for " + path +
                               " (journal mode is '" + mode +
                               "'); put the data directory on a local file system");
  }
  // NORMAL: the store flushes the WAL itself after each commit (group
  // commit, sqlite_store.h); SQLite still flushes around checkpoints.
  OPSCALE_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON"));
  OPSCALE_ASSIGN_OR_RETURN(std::string fk, PragmaText(db, "PRAGMA foreign_keys"));
  if (fk != "1") return Status::Internal("this SQLite library does not enforce foreign keys");
  return Status::Ok();
}

// One statement without parameters or rows, through the statement cache:
// Exec() would parse BEGIN and COMMIT again for every transaction.
Status RunPrepared(sqlite3* db, const std::string& sql) {
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(db, sql));
  return st.Run();
}

constexpr const char* kOrgColumns = "id, name, created_at, updated_at";

Organization ReadOrganization(const Statement& st) {
  return Organization{st.Text(0), st.Text(1), st.Int(2), st.Int(3)};
}

constexpr const char* kUserColumns =
    "id, email, display_name, password_hash, created_at, updated_at";

User ReadUser(const Statement& st) {
  return User{st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Int(4), st.Int(5)};
}

Membership ReadMembership(const Statement& st) {
  // Unknown roles cannot be stored (CHECK); if one appears, grant the least.
  return Membership{st.Text(0), st.Text(1), ParseRole(st.Text(2)).value_or(Role::kMember),
                    st.Int(3)};
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  OPSCALE_RETURN_IF_ERROR(CreatePrivateFile(path));
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  // The store owns the handle from here on, even when opening failed.
  std::unique_ptr<SqliteStore> store(new SqliteStore(raw, path));
  if (rc != SQLITE_OK) {
    return Status::Unavailable("cannot open database file " + path + ": " +
                               (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::Unavailable("cannot open database file " + path + ": " + std::strerror(errno));
  }
  store->dev_ = st.st_dev;
  store->ino_ = st.st_ino;
  // A damaged file fails here, before the server serves anything.
  Status configured = Configure(raw, path);
  if (configured.ok()) {
    // Replaces SQLite's auto-checkpoint hook; OnWalCommit checkpoints instead.
    sqlite3_wal_hook(raw, &SqliteStore::OnWalCommit, store.get());
    configured = Migrate(raw);
  }
  if (!configured.ok()) {
    const std::string& m = configured.message();
    const bool damaged = m.find("not a database") != std::string::npos ||
                         m.find("malformed") != std::string::npos;
    return Status(configured.code(), "cannot use the store " + path + ": " + m +
                                         (damaged ? " (the file is damaged: restore it from a backup)" : ""));
  }
  return store;
}

SqliteStore::~SqliteStore() {
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

int SqliteStore::OnWalCommit(void* self_arg, sqlite3* db, const char* schema, int wal_pages) {
  auto* self = static_cast<SqliteStore*>(self_arg);
  const int64_t commit = self->commits_.fetch_add(1) + 1;
  constexpr int kCheckpointPages = 1000;  // SQLite's default auto-checkpoint
  if (wal_pages >= kCheckpointPages) {
    // PASSIVE, like the default: never waits for readers; a busy or
    // partial checkpoint is retried after a later commit.
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  // A write outside Transact() (one autocommitted statement): flush now,
  // still holding the connection. The statement then reports the error.
  // (Not waiting for other writers: they would need the connection we hold.)
  if (self->tx_depth_ == 0 && !self->WaitDurableFor(commit, false).ok()) return SQLITE_IOERR_FSYNC;
  return SQLITE_OK;
}

Status SqliteStore::WaitDurable(CommitTicket ticket) { return WaitDurableFor(ticket, true); }

Status SqliteStore::WaitDurableFor(CommitTicket ticket, bool gather) {
  if (ticket <= 0) return Status::Ok();
  std::unique_lock lock(sync_mu_);
  while (true) {
    if (!sync_error_.ok()) return sync_error_;
    if (durable_ >= ticket) return Status::Ok();
    if (!syncing_) break;
    sync_cv_.wait(lock);  // another thread's flush may cover this commit too
  }
  syncing_ = true;
  // Writers already in a transaction commit within microseconds, and a
  // flush costs a millisecond or more: wait for them (briefly) so that this
  // flush covers their commits too instead of each paying for the next.
  if (gather) {
    constexpr auto kMaxGather = std::chrono::microseconds(500);
    writer_done_cv_.wait_for(lock, kMaxGather, [&] { return writers_.load() == 0; });
  }
  // Every commit counted so far has been written to the WAL file: one flush
  // makes them all durable, whoever is waiting for them.
  const int64_t target = commits_.load();
  lock.unlock();
  Status s = FlushWal();
  lock.lock();
  syncing_ = false;
  if (s.ok()) {
    durable_ = std::max(durable_, target);
  } else if (sync_error_.ok()) {
    sync_error_ = s;
  }
  sync_cv_.notify_all();
  return s;
}

Status SqliteStore::FlushWal() {
  // The WAL file lasts as long as a connection is open (ours is); check it
  // is still the file we hold anyway, as flushing another would be silent.
  struct stat by_path {}, by_fd {};
  if (::stat(wal_path_.c_str(), &by_path) != 0) {
    return Status::Unavailable("cannot find the write-ahead log " + wal_path_ + ": " +
                            std::strerror(errno));
  }
  if (wal_fd_ < 0 || ::fstat(wal_fd_, &by_fd) != 0 || by_fd.st_ino != by_path.st_ino ||
      by_fd.st_dev != by_path.st_dev) {
    if (wal_fd_ >= 0) ::close(wal_fd_);
    wal_fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) {
      return Status::Unavailable("cannot open the write-ahead log " + wal_path_ + ": " +
                              std::strerror(errno));
    }
    // A log file new to us: its directory entry must be on disk as well.
    const size_t slash = wal_path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : wal_path_.substr(0, slash + 1);
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
      const int err = errno;
      if (dir_fd >= 0) ::close(dir_fd);
      return Status::Unavailable("cannot flush directory " + dir + ": " + std::strerror(err));
    }
    ::close(dir_fd);
  }
  if (::fdatasync(wal_fd_) != 0) {
    return Status::Unavailable("cannot flush the write-ahead log " + wal_path_ + ": " +
                            std::strerror(errno));
  }
  return Status::Ok();
}

Status SqliteStore::Transact(const std::function<Status(Store& tx)>& fn) {
  OPSCALE_ASSIGN_OR_RETURN(CommitTicket ticket, TransactNoWait(fn));
  return WaitDurable(ticket);
}

Result<Store::CommitTicket> SqliteStore::TransactNoWait(
    const std::function<Status(Store& tx)>& fn) {
  ++writers_;
  ScopeExit left([&] {
    if (--writers_ == 0) {
      std::lock_guard sync_lock(sync_mu_);  // so a flusher cannot miss the wake-up
      writer_done_cv_.notify_all();
    }
  });
  std::lock_guard lock(mu_);
  const int depth = tx_depth_;
  const int64_t commits_before = commits_.load();
  const std::string savepoint = "opscale_tx_" + std::to_string(depth);
  OPSCALE_RETURN_IF_ERROR(
      RunPrepared(db(), depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT " + savepoint));
  ++tx_depth_;
  bool committed = false;
  // Also undoes the transaction if fn throws, so the connection stays usable.
  ScopeExit finish([&] {
    --tx_depth_;
    // After some errors (e.g. disk full) SQLite has already rolled back.
    if (committed || sqlite3_get_autocommit(db())) return;
    (void)Exec(db(),
               depth == 0 ? "ROLLBACK" : "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint);
  });
  Status s = fn(*this);
  if (!s.ok()) return s;
  s = RunPrepared(db(), depth == 0 ? "COMMIT" : "RELEASE " + savepoint);
  committed = s.ok();
  if (!s.ok()) return s;
  // Nested: the outer commit decides. Read-only: nothing to flush.
  const int64_t commit = commits_.load();
  return CommitTicket{depth == 0 && commit != commits_before ? commit : 0};
}

Status SqliteStore::CheckHealth() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return Status::Unavailable("the store file " + path_ + " is gone: " + std::strerror(errno));
  }
  if (st.st_dev != dev_ || st.st_ino != ino_) {
    return Status::Unavailable("the store file " + path_ +
                               " is no longer the file this server opened (replaced or moved)");
  }
  if (::faccessat(AT_FDCWD, path_.c_str(), R_OK | W_OK, AT_EACCESS) != 0) {
    return Status::Unavailable("the store file " + path_ + " is not readable and writable: " +
                               std::strerror(errno));
  }
  // Overwritten in place: SQLite may answer from its page cache for a while.
  // Read through SQLite's own handle: opening and closing another descriptor
  // of the file would drop every POSIX lock this process holds on it, and
  // another process could then delete the WAL under us.
  if (st.st_size > 0) {
    static constexpr char kHeader[16] = "SQLite format 3";  // with its NUL: 16 bytes
    char head[16] = {};
    std::lock_guard lock(mu_);
    sqlite3_file* file = nullptr;
    int rc = sqlite3_file_control(db(), "main", SQLITE_FCNTL_FILE_POINTER, &file);
    if (rc != SQLITE_OK || file == nullptr || file->pMethods == nullptr) {
      return Status::Unavailable("cannot read the store file " + path_);
    }
    rc = file->pMethods->xRead(file, head, sizeof head, 0);
    if (rc != SQLITE_OK || std::memcmp(head, kHeader, sizeof head) != 0) {
      return Status::Unavailable("the store file " + path_ + " is not an SQLite database any more (damaged)");
    }
  }
  return ExternalChangeVersion().status();
}

Result<int64_t> SqliteStore::ExternalChangeVersion() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Statement::Prepare(db(), "PRAGMA data_version"));
  OPSCALE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Internal("PRAGMA data_version returned no row");
  return st.Int(0);
}

// --- Organizations ---

Status SqliteStore::InsertOrganization(const Organization& org) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "organizations", kOrgColumns));
  st.BindText(org.id).BindText(org.name).BindInt(org.created_at).BindInt(org.updated_at);
  return RunWrite(st,
                  {.duplicate_id = "an organization with id " + Quoted(org.id) + " already exists",
                   .duplicate_key = "an organization named " + Quoted(org.name) + " already exists",
                   .missing_parent = ""});
}

Result<Organization> SqliteStore::GetOrganizationByName(const std::string& name) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kOrgColumns, "FROM organizations WHERE name = ?1"));
  st.BindText(name);
  return OneRow<Organization>(st, ReadOrganization, "organization " + Quoted(name) + " not found");
}

Result<Organization> SqliteStore::GetOrganizationById(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kOrgColumns, "FROM organizations WHERE id = ?1"));
  st.BindText(id);
  return OneRow<Organization>(st, ReadOrganization,
                              "organization with id " + Quoted(id) + " not found");
}

Result<std::vector<Organization>> SqliteStore::ListOrganizations() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st,
                           Select(db(), kOrgColumns, "FROM organizations ORDER BY name"));
  return CollectRows<Organization>(st, ReadOrganization);
}

// --- Users and memberships ---

Status SqliteStore::InsertUser(const User& user) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Insert(db(), "users", kUserColumns));
  st.BindText(user.id)
      .BindText(user.email)
      .BindText(user.display_name)
      .BindText(user.password_hash)
      .BindInt(user.created_at)
      .BindInt(user.updated_at);
  return RunWrite(st,
                  {.duplicate_id = "a user with id " + Quoted(user.id) + " already exists",
                   .duplicate_key = "a user with email " + Quoted(user.email) + " already exists",
                   .missing_parent = ""});
}

Result<User> SqliteStore::GetUserByEmail(const std::string& email) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Select(db(), kUserColumns, "FROM users WHERE email = ?1"));
  st.BindText(email);
  return OneRow<User>(st, ReadUser, "user with email " + Quoted(email) + " not found");
}

Result<User> SqliteStore::GetUserById(const std::string& id) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Select(db(), kUserColumns, "FROM users WHERE id = ?1"));
  st.BindText(id);
  return OneRow<User>(st, ReadUser, "user with id " + Quoted(id) + " not found");
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(Statement st, Select(db(), kUserColumns, "FROM users ORDER BY email"));
  return CollectRows<User>(st, ReadUser);
}

Status SqliteStore::UpsertMembership(const Membership& m) {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          db(),
          "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role"));
  st.BindText(m.org_id).BindText(m.user_id).BindText(RoleName(m.role)).BindInt(m.created_at);
  return RunWrite(st, {.duplicate_id = "",
                       .duplicate_key = "",
                       .missing_parent = "organization " + Quoted(m.org_id) + " or user " +
                                         Quoted(m.user_id) + " not found"});
}

Result<std::vector<Membership>> SqliteStore::ListMemberships() {
  std::lock_guard lock(mu_);
  OPSCALE_ASSIGN_OR_RETURN(
      Statement st,
      Statement::Prepare(
          db(),
          "SELECT org_id, user_id, role, created_at FROM memberships ORDER BY org_id, user_id"));
  return CollectRows<Membership>(st, ReadMembership);
}

}  // namespace opscale::sqlite
