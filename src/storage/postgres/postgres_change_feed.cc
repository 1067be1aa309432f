#include "storage/postgres/postgres_change_feed.h"

#include <sys/select.h>

#include <chrono>

#include "common/clock.h"

namespace opscale::postgres {

namespace {
constexpr const char* kChannel = "opscale_changes";
}

PostgresChangeFeed::~PostgresChangeFeed() { Stop(); }

PGconn* PostgresChangeFeed::Connect(const char* application_name) {
  const char* keys[] = {"dbname", "application_name", "connect_timeout", nullptr};
  const char* values[] = {conninfo_.c_str(), application_name, "5", nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(c) != CONNECTION_OK) {
    PQfinish(c);
    return nullptr;
  }
  return c;
}

Status PostgresChangeFeed::Start(NoteFn on_note, HealthFn on_health) {
  on_note_ = std::move(on_note);
  on_health_ = std::move(on_health);
  stop_ = false;
  thread_ = std::thread([this] { Listen(); });
  return Status::Ok();
}

void PostgresChangeFeed::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(publish_mu_);
  if (publisher_) PQfinish(publisher_);
  publisher_ = nullptr;
}

Status PostgresChangeFeed::Publish(const std::string& note) {
  std::lock_guard lock(publish_mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!publisher_ || PQstatus(publisher_) != CONNECTION_OK) {
      if (publisher_) PQfinish(publisher_);
      publisher_ = Connect("opscaled-feed-publish");
      if (!publisher_) continue;
    }
    const char* params[] = {kChannel, note.c_str()};
    PGresult* r = PQexecParams(publisher_, "SELECT pg_notify($1, $2)", 2, nullptr, params, nullptr,
                               nullptr, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    if (ok) return Status::Ok();
    PQfinish(publisher_);
    publisher_ = nullptr;
  }
  return Status::Unavailable("cannot publish a change to the other nodes: PostgreSQL is unreachable");
}

void PostgresChangeFeed::Listen() {
  PGconn* conn = nullptr;
  bool healthy = false;
  auto set_health = [&](bool h) {
    if (h != healthy) {
      healthy = h;
      on_health_(h);
    }
  };
  TimeMs last_check = 0;
  while (!stop_) {
    if (!conn) {
      conn = Connect("opscaled-feed-listen");
      if (conn) {
        PGresult* r = PQexec(conn, "LISTEN opscale_changes");
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
          PQfinish(conn);
          conn = nullptr;
        }
      }
      if (!conn) {
        set_health(false);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      last_check = NowMs();
      set_health(true);
    }
    int fd = PQsocket(conn);
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fd, &fds);
    timeval tv{0, 200 * 1000};
    int n = select(fd + 1, &fds, nullptr, nullptr, &tv);
    bool broken = n < 0;
    if (n > 0 && !PQconsumeInput(conn)) broken = true;
    if (!broken) {
      while (PGnotify* note = PQnotifies(conn)) {
        std::string payload = note->extra ? note->extra : "";
        PQfreemem(note);
        on_note_(payload);
      }
      // A server that vanished without closing the socket is found by asking.
      if (NowMs() - last_check > 1000) {
        last_check = NowMs();
        PGresult* r = PQexec(conn, "SELECT 1");
        broken = PQresultStatus(r) != PGRES_TUPLES_OK;
        PQclear(r);
        while (!broken) {  // notes that arrived with the answer
          PGnotify* note = PQnotifies(conn);
          if (!note) break;
          std::string payload = note->extra ? note->extra : "";
          PQfreemem(note);
          on_note_(payload);
        }
      }
    }
    if (broken || PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      conn = nullptr;
      set_health(false);
    }
  }
  if (conn) PQfinish(conn);
}

}  // namespace opscale::postgres
