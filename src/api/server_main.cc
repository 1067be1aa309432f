#include "api/server_main.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <spdlog/spdlog.h>

#include "api/api_app.h"
#include "api/http_server.h"
#include "api/log_sink.h"
#include "service/migrate.h"
#include "service/platform.h"

namespace opscale::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kStoreFile = "opscale.db";

struct Common {
  std::string data_dir;
  std::string store = "sqlite";
  std::string token_key_file;
  std::string format = "human";
};

void AddCommon(CLI::App* cmd, Common* c) {
  cmd->add_option("--data-dir", c->data_dir, "Data directory")->required();
  cmd->add_option("--store", c->store, "sqlite (default) or a postgres:// URL")->envname("OPSCALE_STORE");
  cmd->add_option("--token-key-file", c->token_key_file,
                  "Key for hashing credentials (default: <data-dir>/token.key)");
}

int Fail(const std::string& msg, int code) {
  std::cerr << "Error: " << msg << "\n";
  return code;
}

bool IsSqlite(const Common& c) { return c.store.empty() || c.store == "sqlite"; }

// A SQLite data dir is initialized once it holds the store. A shared
// PostgreSQL store lives elsewhere: every node's data dir is usable, and
// `init` checks the store itself instead.
bool Initialized(const Common& c) {
  if (!IsSqlite(c)) return true;
  return fs::exists(fs::path(c.data_dir) / kStoreFile) || fs::exists(fs::path(c.data_dir) / "initialized");
}

Result<std::unique_ptr<Platform>> OpenPlatform(const Common& c) {
  PlatformOptions o;
  o.data_dir = c.data_dir;
  o.store = c.store;
  o.token_key_file = c.token_key_file;
  return Platform::Open(o);
}

void PrintCredentials(const IssuedCredentials& cr, const std::string& format, bool org_form,
                      const std::string& data_dir, const std::string& api_hint) {
  if (format == "json") {
    json::object o;
    if (org_form) {
      o = {{"organization", cr.organization},
           {"admin_email", cr.email},
           {"admin_password", cr.password.empty() ? json::value(nullptr) : json::value(cr.password)},
           {"api_token", cr.api_token}};
    } else {
      o = {{"email", cr.email},
           {"password", cr.password.empty() ? json::value(nullptr) : json::value(cr.password)},
           {"api_token", cr.api_token},
           {"role", cr.role}};
    }
    std::cout << json::serialize(o) << "\n";
    return;
  }
  if (org_form) std::cout << "Organization " << cr.organization << " is ready (data dir " << data_dir << ").\n\n";
  std::cout << "  Organization:  " << cr.organization << "\n";
  std::cout << "  " << (org_form ? "Admin email:   " : "Email:         ") << cr.email << "\n";
  if (!org_form) std::cout << "  Role:          " << cr.role << "\n";
  if (cr.password.empty())
    std::cout << "  Password:      (unchanged: the user already existed)\n";
  else
    std::cout << "  Password:      " << cr.password << "\n";
  std::cout << "  API token:     " << cr.api_token << "\n\n";
  std::cout << "Save the password and API token now: they are shown only once.\n";
  std::cout << "Try:  PLANETSCALE_API_TOKEN=" << cr.api_token << " opscale --api-url " << api_hint
            << " org list\n";
}

int CmdInit(const Common& c, const std::string& org, const std::string& email) {
  if (c.format != "human" && c.format != "json") return Fail("--format must be human or json", 2);
  if (IsSqlite(c) && Initialized(c))
    return Fail("data dir " + c.data_dir + " is already initialized; nothing was changed", 2);
  std::error_code ec;
  fs::create_directories(c.data_dir, ec);
  if (ec) return Fail("cannot create data dir " + c.data_dir + ": " + ec.message(), 1);
  ::chmod(c.data_dir.c_str(), 0700);
  auto platform = OpenPlatform(c);
  if (!platform.ok()) return Fail(platform.status().message(), 1);
  if (!IsSqlite(c)) {
    auto orgs = (*platform)->store().ListOrganizations();
    if (!orgs.ok()) return Fail(orgs.status().message(), 1);
    if (!orgs->empty())
      return Fail("the store is already initialized (it has organization " + orgs->front().name +
                      "); use 'opscaled org create' to add one; nothing was changed", 2);
  }
  auto cr = (*platform)->bootstrap().CreateOrganization(org, email);
  if (!cr.ok()) {
    // Leave no half-initialized dir behind.
    platform->reset();
    fs::remove(fs::path(c.data_dir) / kStoreFile, ec);
    fs::remove(fs::path(c.data_dir) / (std::string(kStoreFile) + "-wal"), ec);
    fs::remove(fs::path(c.data_dir) / (std::string(kStoreFile) + "-shm"), ec);
    return Fail(cr.status().message(), cr.status().code() == Code::kInternal ? 1 : 2);
  }
  PrintCredentials(*cr, c.format, true, c.data_dir, "http://127.0.0.1:8080");
  return 0;
}

int CmdOrgCreate(const Common& c, const std::string& org, const std::string& email) {
  if (!Initialized(c)) return Fail("data dir " + c.data_dir + " is not initialized; run 'opscaled init' first", 2);
  auto platform = OpenPlatform(c);
  if (!platform.ok()) return Fail(platform.status().message(), 1);
  auto cr = (*platform)->bootstrap().CreateOrganization(org, email);
  if (!cr.ok()) return Fail(cr.status().message(), cr.status().code() == Code::kInternal ? 1 : 2);
  PrintCredentials(*cr, c.format, true, c.data_dir, "http://127.0.0.1:8080");
  return 0;
}

int CmdUserCreate(const Common& c, const std::string& org, const std::string& email,
                  const std::string& role_name) {
  if (!Initialized(c)) return Fail("data dir " + c.data_dir + " is not initialized; run 'opscaled init' first", 2);
  auto role = ParseRole(role_name);
  if (!role) return Fail("--role must be admin or member", 2);
  auto platform = OpenPlatform(c);
  if (!platform.ok()) return Fail(platform.status().message(), 1);
  auto cr = (*platform)->bootstrap().AddUser(org, email, *role);
  if (!cr.ok()) return Fail(cr.status().message(), cr.status().code() == Code::kInternal ? 1 : 2);
  PrintCredentials(*cr, c.format, false, c.data_dir, "http://127.0.0.1:8080");
  return 0;
}

// opscaled migrate: copies a SQLite data dir's store into another store
// (a postgres:// URL, or another data directory).
int CmdMigrate(const std::string& from_dir, const std::string& to, bool allow_non_empty,
               const std::string& format) {
  if (format != "human" && format != "json") return Fail("--format must be human or json", 2);
  if (!fs::exists(fs::path(from_dir) / kStoreFile))
    return Fail("--from " + from_dir + " holds no opscale store (" + kStoreFile + ")", 2);
  auto source = OpenStore("sqlite", from_dir);
  if (!source.ok()) return Fail(source.status().message(), 1);
  bool url = to.rfind("postgres://", 0) == 0 || to.rfind("postgresql://", 0) == 0;
  auto target = url ? OpenStore(to, "") : OpenStore("sqlite", to);
  if (!target.ok()) return Fail(target.status().message(), 1);
  auto report = CopyStore(**source, **target, allow_non_empty);
  if (!report.ok()) return Fail(report.status().message(), report.status().code() == Code::kConflict ? 2 : 1);
  const std::string key = (fs::path(from_dir) / "token.key").string();
  if (format == "json") {
    boost::json::object counts;
    for (const auto& [k, n] : report->counts) counts[k] = n;
    std::cout << boost::json::serialize(boost::json::object{{"copied", counts}, {"token_key_file", key}})
              << std::endl;
    return 0;
  }
  std::cout << "Copied:";
  for (const auto& [k, n] : report->counts) std::cout << " " << k << "=" << n;
  std::cout << "\nSecrets are stored as keyed hashes: start every node with --token-key-file " << key
            << " (or copy that file) so existing tokens keep working." << std::endl;
  return 0;
}

bool SplitHostPort(const std::string& listen, std::string* host, uint16_t* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  try {
    size_t pos = 0;
    int p = std::stoi(listen.substr(colon + 1), &pos);
    if (pos != listen.size() - colon - 1 || p < 0 || p > 65535) return false;
    *port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host->empty();
}

// `opscaled serve`'s limits on what one client may send and hold
// (docs/http-limits.md). Defaults match HttpServerOptions.
struct HttpLimits {
  int64_t max_connections = 1024;
  int64_t max_header_bytes = 16 * 1024;
  int64_t max_body_bytes = 1 << 20;
  int64_t header_timeout_s = 10;
  int64_t request_timeout_s = 30;
  int64_t idle_timeout_s = 60;
};

void AddHttpLimits(CLI::App* cmd, HttpLimits* l) {
  cmd->add_option("--max-connections", l->max_connections,
                  "Open HTTP connections at most; more are answered 503 and closed (default 1024)");
  cmd->add_option("--max-header-bytes", l->max_header_bytes,
                  "Largest request header block, in bytes; larger gets 431 (default 16384)");
  cmd->add_option("--max-body-bytes", l->max_body_bytes,
                  "Largest request body, in bytes; larger gets 413 (default 1048576)");
  cmd->add_option("--header-timeout", l->header_timeout_s,
                  "Seconds a client has to send a request's headers before the connection is "
                  "closed (default 10)");
  cmd->add_option("--request-timeout", l->request_timeout_s,
                  "Seconds a client has to send a whole request, headers and body (default 30)");
  cmd->add_option("--idle-timeout", l->idle_timeout_s,
                  "Seconds an idle keep-alive connection is kept open (default 60)");
}

// "" if the limits are usable, else the error for the user.
std::string ApplyHttpLimits(const HttpLimits& l, HttpServerOptions* http) {
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  if (!in(l.max_connections, 1, 1000000)) return "--max-connections must be between 1 and 1000000";
  if (!in(l.max_header_bytes, 1024, 1 << 20))
    return "--max-header-bytes must be between 1024 and 1048576";
  if (!in(l.max_body_bytes, 1024, int64_t{1} << 30))
    return "--max-body-bytes must be between 1024 and 1073741824";
  for (auto [flag, v] : {std::pair{"--header-timeout", l.header_timeout_s},
                         std::pair{"--request-timeout", l.request_timeout_s},
                         std::pair{"--idle-timeout", l.idle_timeout_s}}) {
    if (!in(v, 1, 86400)) return std::string(flag) + " must be between 1 and 86400 seconds";
  }
  http->max_connections = static_cast<size_t>(l.max_connections);
  http->max_header_bytes = static_cast<size_t>(l.max_header_bytes);
  http->max_body_bytes = static_cast<size_t>(l.max_body_bytes);
  http->header_timeout_seconds = static_cast<int>(l.header_timeout_s);
  http->read_timeout_seconds = static_cast<int>(l.request_timeout_s);
  http->idle_timeout_seconds = static_cast<int>(l.idle_timeout_s);
  return "";
}

// Each connection is a file descriptor: with the common soft limit of 1024
// the process would run out of them (accept fails, the store cannot open a
// file) before --max-connections is reached. Raise the soft limit toward
// the hard one, as far as needed, and say so when that is not enough.
void RaiseOpenFileLimit(size_t max_connections) {
  constexpr rlim_t kSpare = 256;  // store, private mariadbd links, tunnels, logs
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) + kSpare;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    spdlog::warn("the open-file limit ({}) is below --max-connections {} plus {} spare: "
                 "connections may fail before the cap is reached (raise `ulimit -n`)",
                 rl.rlim_cur, max_connections, kSpare);
  }
}

// One log line per refusal of the HTTP transport (the cap's are already
// throttled by it). Never holds request content: Refusal quotes nothing.
void LogRefusal(const Refusal& r, const std::string& remote_ip) {
  if (r.status == 0) {
    spdlog::info("closed connection from {}: {}", remote_ip, r.message);
  } else if (r.status == 503) {
    spdlog::warn("refused connection from {}: {}", remote_ip, r.message);
  } else {
    spdlog::info("refused request from {}: {} {}: {}", remote_ip, r.status, r.code, r.message);
  }
}

// The API's rate limits (api/rate_limits.h, docs/rate-limits.md).
void AddRateLimitFlags(CLI::App* serve, RateLimitOptions* o) {
  serve->add_option("--rate-limit-per-token", o->per_token,
                    "API requests per minute per credential (service token, API/OAuth token, dashboard "
                    "session); 0 turns it off (default 600)");
  serve->add_option("--rate-limit-per-address", o->per_address,
                    "API requests per minute per client address; 0 turns it off (default 600)");
  serve->add_option("--rate-limit-failed-auth", o->failed_auth,
                    "Refused credentials per minute per client address; past it every API request from "
                    "that address gets 429 until it recovers; 0 turns it off (default 60)");
}

int CmdServe(const Common& c, const std::string& listen, const std::string& mysql_dsn,
             int64_t session_ttl_s, const HttpLimits& http_limits, const RateLimitOptions& limits,
             const std::string& tls_cert, const std::string& tls_key) {
  if (!Initialized(c)) return Fail("data dir " + c.data_dir + " is not initialized; run 'opscaled init' first", 2);
  HttpServerOptions http;
  if (!SplitHostPort(listen, &http.host, &http.port))
    return Fail("--listen must be HOST:PORT, e.g. 127.0.0.1:8080", 2);
  if (std::string bad = ApplyHttpLimits(http_limits, &http); !bad.empty()) return Fail(bad, 2);
  http.on_refusal = LogRefusal;
  // Checked before anything starts: a bad file is a start-up error, not a
  // failure at the first connection.
  if (tls_cert.empty() != tls_key.empty())
    return Fail(tls_cert.empty() ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key", 2);
  if (!tls_cert.empty()) {
    auto tls = TlsContext::Load(tls_cert, tls_key);
    if (!tls.ok()) return Fail(tls.status().message(), 2);
    http.tls = std::move(tls).value();
  }
  BrowserOptions browser;
  browser.scheme = http.tls ? "https" : "http";

  // Block the stop signals before any thread starts, then wait for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  PlatformOptions o;
  o.data_dir = c.data_dir;
  o.store = c.store;
  o.token_key_file = c.token_key_file;
  o.start_engine = true;
  o.mysql_dsn = mysql_dsn;
  if (session_ttl_s < 1) return Fail("--session-ttl must be a positive number of seconds", 2);
  if (limits.per_token < 0 || limits.per_address < 0 || limits.failed_auth < 0)
    return Fail("--rate-limit-* values are requests per minute: 0 (off) or more", 2);
  o.sessions.ttl_ms = session_ttl_s * 1000;
  auto platform = Platform::Open(o);
  if (!platform.ok()) return Fail(platform.status().message(), 1);
  spdlog::info("database engine: {}", (*platform)->engine().Describe());
  if (http.tls) spdlog::info("TLS: {}", http.tls->description());
  ApiApp app(platform->get(), browser, limits);
  // With PostgreSQL a cache miss is a network round trip: everything goes to the pool.
  if (IsSqlite(c)) {
    http.answered_from_memory = [&app](const Request& r) { return app.AnsweredFromMemory(r); };
  }
  RaiseOpenFileLimit(http.max_connections);
  HttpServer server(http, [&app](const Request& r) { return app.Handle(r); });
  Status st = server.Start();
  if (!st.ok()) return Fail(st.message(), 1);
  std::string shown_host = server.host().find(':') != std::string::npos ? "[" + server.host() + "]" : server.host();
  spdlog::default_logger()->flush();  // the start-up lines come before "listening on"
  std::cout << "listening on " << browser.scheme << "://" << shown_host << ":" << server.port() << std::endl;
  spdlog::info("opscaled serving data dir {} on {}:{}", c.data_dir, server.host(), server.port());

  int sig = 0;
  sigwait(&stop, &sig);
  spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server.Stop(10000);
  platform->reset();  // stops the private mariadbd, if any
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunServerMain(int argc, char** argv) {
  auto logger = std::make_shared<spdlog::logger>("opscaled", std::make_shared<BufferedLogSink>(STDERR_FILENO));
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"opscaled: the opscale server (a self-hosted, PlanetScale-compatible control plane)"};
  app.require_subcommand(1);
  Common common;
  std::string org, email, role = "member", listen = "127.0.0.1:8080";

  auto* init = app.add_subcommand("init", "Create a data dir, an organization and its first admin");
  AddCommon(init, &common);
  init->add_option("--org", org, "Organization name")->required();
  init->add_option("--admin-email", email, "Email of the first admin")->required();
  init->add_option("--format", common.format, "human or json");

  auto* serve = app.add_subcommand("serve", "Serve the API and dashboard");
  AddCommon(serve, &common);
  serve->add_option("--listen", listen, "HOST:PORT to listen on (port 0 picks a free port)");
  std::string mysql_dsn;
  serve->add_option("--mysql-dsn", mysql_dsn,
                    "Use this MariaDB/MySQL (mysql://user:pass@host:port) instead of a private mariadbd");
  int64_t session_ttl_s = 12 * 60 * 60;
  serve->add_option("--session-ttl", session_ttl_s,
                    "Lifetime of a dashboard sign-in, in seconds (default 43200: 12 hours)");
  HttpLimits http_limits;
  AddHttpLimits(serve, &http_limits);
  RateLimitOptions rate_limits;
  AddRateLimitFlags(serve, &rate_limits);
  std::string tls_cert, tls_key;
  serve->add_option("--tls-cert", tls_cert,
                    "Serve HTTPS only, with this PEM certificate chain (server certificate first); "
                    "needs --tls-key");
  serve->add_option("--tls-key", tls_key, "PEM private key (unencrypted) of --tls-cert");

  auto* org_cmd = app.add_subcommand("org", "Manage organizations");
  org_cmd->require_subcommand(1);
  auto* org_create = org_cmd->add_subcommand("create", "Add an organization with its first admin");
  AddCommon(org_create, &common);
  org_create->add_option("--org", org, "Organization name")->required();
  org_create->add_option("--admin-email", email, "Email of the first admin")->required();
  org_create->add_option("--format", common.format, "human or json");

  auto* user_cmd = app.add_subcommand("user", "Manage users");
  user_cmd->require_subcommand(1);
  auto* user_create = user_cmd->add_subcommand("create", "Add a user to an organization");
  AddCommon(user_create, &common);
  user_create->add_option("--org", org, "Organization name")->required();
  user_create->add_option("--email", email, "User email")->required();
  user_create->add_option("--role", role, "admin or member")->required();
  user_create->add_option("--format", common.format, "human or json");

  auto* migrate = app.add_subcommand("migrate", "Copy a SQLite data dir's store into PostgreSQL (or another data dir)");
  std::string migrate_from, migrate_to, migrate_format = "human";
  bool allow_non_empty = false;
  migrate->add_option("--from", migrate_from, "SQLite data directory to copy from")->required();
  migrate->add_option("--to", migrate_to, "postgres://… URL (or a data directory) to copy into")->required();
  migrate->add_flag("--allow-non-empty", allow_non_empty, "Copy even if the target already holds data");
  migrate->add_option("--format", migrate_format, "human or json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (*init) return CmdInit(common, org, email);
  if (*migrate) return CmdMigrate(migrate_from, migrate_to, allow_non_empty, migrate_format);
  if (*serve)
    return CmdServe(common, listen, mysql_dsn, session_ttl_s, http_limits, rate_limits, tls_cert, tls_key);
  if (*org_create) return CmdOrgCreate(common, org, email);
  if (*user_create) return CmdUserCreate(common, org, email, role);
  return 2;
}

}  // namespace opscale::api
