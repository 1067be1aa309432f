#include "engine/mariadb_engine.h"
#include "engine/schema_diff.h"

#include <mysqld_error.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <functional>
#include <mutex>

#include "engine/mariadb_connection.h"
#include "engine/sql_text.h"

namespace opscale::engine {
namespace {

using Clock = std::chrono::steady_clock;
// An idle connection older than this is pinged before reuse.
constexpr auto kPingAfterIdle = std::chrono::seconds(10);

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// "a, b" of 'user'@'host' for every host.
std::string AccountList(const std::string& user, const std::vector<std::string>& hosts) {
  std::string out;
  for (const std::string& host : hosts) {
    if (!out.empty()) out += ", ";
    out += AccountName(user, host);
  }
  return out;
}

bool IsCharsetName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

class MariaDbEngine final : public Engine {
 public:
  MariaDbEngine(MariaDbEngineOptions options, std::unique_ptr<MariaDbConnection> first)
      : keep_alive_(std::move(options.keep_alive)), options_(std::move(options)) {
    if (options_.account_hosts.empty()) {
      options_.account_hosts =
          IsLoopback(options_.dsn.host) ? DefaultAccountHosts() : std::vector<std::string>{"%"};
    }
    std::string version = first->server_version();
    flavor_ = first->is_mariadb() ? "MariaDB" : "MySQL";
    version_ = version.substr(0, version.find('-'));
    is_mariadb_ = first->is_mariadb();
    idle_.push_back({std::move(first), Clock::now()});
  }

  Status CreateSchema(const std::string& schema) override {
    OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(schema));
    return Run([&](MariaDbConnection& c) {
      Status st = c.Exec("CREATE DATABASE " + QuoteIdent(schema) +
                         " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
      if (c.last_errno() == ER_DB_CREATE_EXISTS) {
        return Status::Conflict("schema " + schema + " already exists");
      }
      return st;
    });
  }

  Status DropSchema(const std::string& schema) override {
    OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(schema));
    return Run([&](MariaDbConnection& c) {
      return c.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(schema));
    });
  }

  Status CopySchema(const std::string& from, const std::string& to) override;

  Result<std::vector<TableDdl>> ListTables(const std::string& schema) override {
    OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(schema));
    std::vector<TableDdl> tables;
    OPSCALE_RETURN_IF_ERROR(Run([&](MariaDbConnection& c) -> Status {
      OPSCALE_RETURN_IF_ERROR(RequireSchema(c, schema, nullptr));
      OPSCALE_ASSIGN_OR_RETURN(tables, ReadTables(c, schema));
      return Status::Ok();
    }));
    return tables;
  }

  Result<std::vector<std::string>> DiffSchemas(const std::string& target_schema,
                                               const std::string& source_schema) override {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<TableDdl> target, ListTables(target_schema));
    OPSCALE_ASSIGN_OR_RETURN(std::vector<TableDdl> source, ListTables(source_schema));
    return DiffTables(target, source);
  }

  Status ApplyDdl(const std::string& schema, const std::vector<std::string>& statements) override {
    OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(schema));
    // USE changes the session's default database: never reuse the connection.
    return Run(
        [&](MariaDbConnection& c) -> Status {
          OPSCALE_RETURN_IF_ERROR(RequireSchema(c, schema, nullptr));
          OPSCALE_RETURN_IF_ERROR(c.Exec("USE " + QuoteIdent(schema)));
          for (const auto& sql : statements) {
            Status st = c.Exec(sql);
            if (!st.ok()) {
              Code code = st.code() == Code::kUnavailable ? Code::kUnavailable : Code::kUnprocessable;
              return Status(code, st.message());
            }
          }
          return Status::Ok();
        },
        /*reusable=*/false);
  }

  Status CreateAccount(const AccountSpec& spec) override;
  Status DropAccount(const std::string& username) override;
  Status KillSessions(const std::string& username) override;
  Result<int> CountSessions(const std::string& username) override;
  Status SetDdlAllowed(const std::string& username, const std::string& schema, Role role,
                       bool allowed) override;

  Status Ping() override {
    return Run([](MariaDbConnection& c) { return c.Exec("SELECT 1"); });
  }

  std::string Describe() const override {
    return flavor_ + " " + version_ + " at " + options_.dsn.Redacted() + " (" + options_.label +
           ")";
  }
  std::string host() const override { return options_.dsn.host; }
  int port() const override { return options_.dsn.port; }

 private:
  struct Idle {
    std::unique_ptr<MariaDbConnection> conn;
    Clock::time_point since;
  };

  // Borrows a connection, runs `fn` on it, and gives it back unless it broke
  // or `reusable` is false (the session state was changed).
  Status Run(const std::function<Status(MariaDbConnection&)>& fn, bool reusable = true);
  Result<std::unique_ptr<MariaDbConnection>> Take();
  void Give(std::unique_ptr<MariaDbConnection> conn);

  // NotFound unless the schema exists; fills its charset and collation.
  Status RequireSchema(MariaDbConnection& c, const std::string& schema,
                       std::pair<std::string, std::string>* charset);
  Result<std::vector<TableDdl>> ReadTables(MariaDbConnection& c, const std::string& schema);
  // Hosts the user exists on; the configured hosts when mysql.user cannot be read.
  Result<std::vector<std::string>> HostsOf(MariaDbConnection& c, const std::string& user);
  Status KillOn(MariaDbConnection& c, const std::string& user);
  // ValidateUserName, and never the account this engine logs in with.
  Status CheckUser(const std::string& user) const {
    OPSCALE_RETURN_IF_ERROR(ValidateUserName(user));
    if (user == options_.dsn.user) return Status::InvalidArgument("user name is reserved");
    return Status::Ok();
  }

  std::shared_ptr<void> keep_alive_;  // first member: released last
  MariaDbEngineOptions options_;
  std::string flavor_;
  std::string version_;
  bool is_mariadb_ = true;
  std::mutex mu_;
  std::vector<Idle> idle_;  // guarded by mu_
};

Status MariaDbEngine::Run(const std::function<Status(MariaDbConnection&)>& fn, bool reusable) {
  OPSCALE_ASSIGN_OR_RETURN(std::unique_ptr<MariaDbConnection> conn, Take());
  Status st = fn(*conn);
  if (reusable && !conn->broken()) Give(std::move(conn));
  return st;
}

Result<std::unique_ptr<MariaDbConnection>> MariaDbEngine::Take() {
  while (true) {
    Idle idle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_.empty()) break;
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    if (Clock::now() - idle.since < kPingAfterIdle || idle.conn->Ping().ok()) {
      return std::move(idle.conn);
    }
  }
  return MariaDbConnection::Open(options_.dsn);
}

void MariaDbEngine::Give(std::unique_ptr<MariaDbConnection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.max_idle_connections) {
    idle_.push_back({std::move(conn), Clock::now()});
  }
}

Status MariaDbEngine::RequireSchema(MariaDbConnection& c, const std::string& schema,
                                    std::pair<std::string, std::string>* charset) {
  OPSCALE_ASSIGN_OR_RETURN(std::vector<Row> rows,
                           c.Query("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
                                   "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " +
                                   c.Literal(schema)));
  if (rows.empty()) return Status::NotFound("schema " + schema + " does not exist");
  if (charset != nullptr) *charset = {rows[0][0], rows[0][1]};
  return Status::Ok();
}

Result<std::vector<TableDdl>> MariaDbEngine::ReadTables(MariaDbConnection& c,
                                                        const std::string& schema) {
  OPSCALE_ASSIGN_OR_RETURN(
      std::vector<Row> names,
      c.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
              c.Literal(schema) + " AND TABLE_TYPE = 'BASE TABLE'"));
  std::vector<TableDdl> tables;
  for (Row& row : names) tables.push_back({std::move(row[0]), ""});
  std::sort(tables.begin(), tables.end(),
            [](const TableDdl& a, const TableDdl& b) { return a.name < b.name; });
  for (TableDdl& table : tables) {
    OPSCALE_ASSIGN_OR_RETURN(
        std::vector<Row> ddl,
        c.Query("SHOW CREATE TABLE " + QuoteIdent(schema) + "." + QuoteIdent(table.name)));
    if (ddl.empty() || ddl[0].size() < 2) {
      return Status::Internal("mariadb: SHOW CREATE TABLE returned no statement");
    }
    table.ddl = StripAutoIncrement(std::move(ddl[0][1]));
  }
  return tables;
}

Status MariaDbEngine::CopySchema(const std::string& from, const std::string& to) {
  OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(from));
  OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(to));
  if (from == to) return Status::InvalidArgument("cannot copy a schema onto itself");
  // The session's default schema and foreign_key_checks change below, so the
  // connection is not given back to the pool.
  return Run(
      [&](MariaDbConnection& c) -> Status {
        std::pair<std::string, std::string> charset;
        OPSCALE_RETURN_IF_ERROR(RequireSchema(c, from, &charset));
        if (!IsCharsetName(charset.first) || !IsCharsetName(charset.second)) {
          return Status::Internal("mariadb: unexpected character set name");
        }
        OPSCALE_ASSIGN_OR_RETURN(std::vector<TableDdl> tables, ReadTables(c, from));
        Status st = c.Exec("CREATE DATABASE " + QuoteIdent(to) + " CHARACTER SET " + charset.first +
                           " COLLATE " + charset.second);
        if (c.last_errno() == ER_DB_CREATE_EXISTS) {
          return Status::Conflict("schema " + to + " already exists");
        }
        OPSCALE_RETURN_IF_ERROR(st);
        // Tables are created in name order, so a foreign key may name a table
        // that does not exist yet.
        st = c.Exec("SET SESSION foreign_key_checks = 0");
        if (st.ok()) st = c.SelectDb(to);
        for (size_t i = 0; st.ok() && i < tables.size(); ++i) st = c.Exec(tables[i].ddl);
        if (!st.ok() && !c.broken()) (void)c.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(to));
        return st;
      },
      /*reusable=*/false);
}

Result<std::vector<std::string>> MariaDbEngine::HostsOf(MariaDbConnection& c,
                                                        const std::string& user) {
  Result<std::vector<Row>> rows =
      c.Query("SELECT Host FROM mysql.user WHERE User = " + c.Literal(user));
  if (!rows.ok()) {
    if (c.broken()) return rows.status();
    return options_.account_hosts;  // no right to read mysql.user
  }
  std::vector<std::string> hosts;
  for (Row& row : *rows) {
    if (ValidateHost(row[0]).ok()) hosts.push_back(std::move(row[0]));
  }
  return hosts;
}

Status MariaDbEngine::CreateAccount(const AccountSpec& spec) {
  OPSCALE_RETURN_IF_ERROR(CheckUser(spec.username));
  OPSCALE_RETURN_IF_ERROR(ValidatePassword(spec.password));
  OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(spec.schema));
  std::vector<std::string> hosts;
  for (const std::string& host : spec.hosts.empty() ? options_.account_hosts : spec.hosts) {
    OPSCALE_RETURN_IF_ERROR(ValidateHost(host));
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
  }

  return Run([&](MariaDbConnection& c) -> Status {
    OPSCALE_RETURN_IF_ERROR(RequireSchema(c, spec.schema, nullptr));
    // MariaDB takes the native-password hash, so the secret itself never
    // reaches the server's process list or logs.
    std::string auth = is_mariadb_
                           ? "IDENTIFIED BY PASSWORD '" + NativePasswordHash(spec.password) + "'"
                           : "IDENTIFIED BY " + c.Literal(spec.password);
    std::string create = "CREATE USER ";
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (i > 0) create += ", ";
      create += AccountName(spec.username, hosts[i]) + " " + auth;
    }
    Status st = c.ExecSecret(create, "CREATE USER");
    if (c.last_errno() == ER_CANNOT_USER) {
      return Status::Conflict("database user " + spec.username + " already exists");
    }
    OPSCALE_RETURN_IF_ERROR(st);

    std::string privileges = DmlPrivileges(spec.role);
    if (spec.role == Role::kAdmin && spec.allow_ddl) privileges += ", " + DdlPrivileges();
    st = c.Exec("GRANT " + privileges + " ON " + GrantTarget(spec.schema) + " TO " +
                AccountList(spec.username, hosts));
    if (!st.ok() && !c.broken()) {
      (void)c.Exec("DROP USER IF EXISTS " + AccountList(spec.username, hosts));
    }
    return st;
  });
}

Status MariaDbEngine::DropAccount(const std::string& username) {
  OPSCALE_RETURN_IF_ERROR(CheckUser(username));
  auto drop = [&](MariaDbConnection& c) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> hosts, HostsOf(c, username));
    if (!hosts.empty()) {
      // Dropped first so that nobody logs in again while sessions are killed.
      OPSCALE_RETURN_IF_ERROR(c.Exec("DROP USER IF EXISTS " + AccountList(username, hosts)));
    }
    return KillOn(c, username);
  };
  // Idempotent, and revocation depends on it: one retry rides out a rare
  // transient failure (seen once under a loaded CI machine).
  Status st = Run(drop);
  if (!st.ok()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    st = Run(drop);
  }
  return st;
}

Status MariaDbEngine::KillOn(MariaDbConnection& c, const std::string& user) {
  std::vector<std::string> killed;
  // A second pass catches a session whose login raced with the first one.
  for (int pass = 0; pass < 2; ++pass) {
    OPSCALE_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        c.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = " + c.Literal(user)));
    for (const Row& row : rows) {
      const std::string& id = row[0];
      if (id.empty() ||
          !std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        continue;
      }
      if (std::find(killed.begin(), killed.end(), id) != killed.end()) continue;
      Status st = c.Exec("KILL CONNECTION " + id);
      if (!st.ok() && c.last_errno() != ER_NO_SUCH_THREAD) return st;
      killed.push_back(id);
    }
  }
  return Status::Ok();
}

Status MariaDbEngine::KillSessions(const std::string& username) {
  OPSCALE_RETURN_IF_ERROR(CheckUser(username));
  return Run([&](MariaDbConnection& c) { return KillOn(c, username); });
}

Result<int> MariaDbEngine::CountSessions(const std::string& username) {
  OPSCALE_RETURN_IF_ERROR(CheckUser(username));
  int count = 0;
  OPSCALE_RETURN_IF_ERROR(Run([&](MariaDbConnection& c) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        c.Query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = " +
                c.Literal(username) + " AND COMMAND <> 'Killed'"));
    count = rows.empty() ? 0 : std::atoi(rows[0][0].c_str());
    return Status::Ok();
  }));
  return count;
}

Status MariaDbEngine::SetDdlAllowed(const std::string& username, const std::string& schema,
                                    Role role, bool allowed) {
  OPSCALE_RETURN_IF_ERROR(CheckUser(username));
  OPSCALE_RETURN_IF_ERROR(ValidateSchemaName(schema));
  if (role != Role::kAdmin) return Status::Ok();
  return Run([&](MariaDbConnection& c) -> Status {
    OPSCALE_ASSIGN_OR_RETURN(std::vector<std::string> hosts, HostsOf(c, username));
    if (hosts.empty()) return Status::NotFound("database user " + username + " does not exist");
    std::string accounts = AccountList(username, hosts);
    if (allowed) {
      return c.Exec("GRANT " + DdlPrivileges() + " ON " + GrantTarget(schema) + " TO " + accounts);
    }
    Status st =
        c.Exec("REVOKE " + DdlPrivileges() + " ON " + GrantTarget(schema) + " FROM " + accounts);
    if (!st.ok() && c.last_errno() != ER_NONEXISTING_GRANT) return st;
    return KillOn(c, username);
  });
}

}  // namespace

Result<std::unique_ptr<Engine>> ConnectMariaDb(MariaDbEngineOptions options) {
  for (const std::string& host : options.account_hosts) OPSCALE_RETURN_IF_ERROR(ValidateHost(host));
  OPSCALE_ASSIGN_OR_RETURN(std::unique_ptr<MariaDbConnection> first,
                           MariaDbConnection::Open(options.dsn));
  return std::unique_ptr<Engine>(new MariaDbEngine(std::move(options), std::move(first)));
}

Result<std::unique_ptr<Engine>> ConnectMariaDb(const DsnSpec& dsn) {
  MariaDbEngineOptions options;
  options.dsn = dsn;
  return ConnectMariaDb(std::move(options));
}

}  // namespace opscale::engine
