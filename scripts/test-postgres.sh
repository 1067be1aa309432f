#!/usr/bin/env bash
# A private PostgreSQL 15 for the tests of the postgres store.
#
#   scripts/test-postgres.sh start DIR   initdb in DIR/data, start on 127.0.0.1 at a
#                                        free port, write the URL to DIR/url
#   scripts/test-postgres.sh stop DIR    stop it (fast shutdown); Ok if not running
#
# initdb refuses to run as root, so as root the server runs as `nobody` and DIR
# is handed to that user; as anyone else it runs as the caller. Trust
# authentication on loopback only, unix socket inside DIR, and durability off
# (fsync, full-page writes): this is throwaway test data and it makes CREATE
# DATABASE per test cheap. CTest runs start once per run (fixture "postgres").
# When `nobody` cannot reach DIR (a parent such as /root is private) or DIR is
# too long for a unix socket path, the server's files go to a directory under
# /tmp instead; DIR/pgroot says where, and DIR/url is written either way.
set -euo pipefail

PG_BIN=${OPSCALE_PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2

# Runs a command as the server's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

# Where the server's data, socket and log live (see above).
pgroot() {
  if [[ -f "$dir/pgroot" ]]; then cat "$dir/pgroot"; else echo "$dir"; fi
}

running() {
  local root
  root=$(pgroot)
  [[ -f "$root/data/postmaster.pid" ]] &&
    as_owner "$PG_BIN/pg_ctl" -D "$root/data" status >/dev/null 2>&1
}

stop() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" -D "$(pgroot)/data" -m fast -w -t 30 stop >/dev/null
  fi
  local root
  root=$(pgroot)
  if [[ "$root" != "$dir" && "$root" == /tmp/opscale-pg.* ]]; then rm -rf "$root"; fi
}

# A port nothing listens on right now (the server start re-checks: see below).
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
      2>/dev/null && return
  fi
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

start() {
  for tool in initdb pg_ctl; do
    if [[ ! -x "$PG_BIN/$tool" ]]; then
      echo "$PG_BIN/$tool not found: install the Debian package postgresql-15 (scripts/install-deps.sh)" >&2
      exit 1
    fi
  done
  stop  # a server left over from an interrupted run
  # DIR is wiped: make sure it is not a system directory by accident.
  case "$(realpath -m "$dir")" in
    / | /tmp | /root | /home | /usr | /var | /etc) echo "refusing to wipe $dir" >&2; exit 2 ;;
  esac
  rm -rf "$dir"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local root=$dir
  if [[ $(id -u) -eq 0 ]]; then
    chown nobody:nogroup "$dir"
    # nobody must reach DIR through its parents; a socket path has < 108 bytes.
    if ! runuser -u nobody -- test -w "$dir" || [[ ${#dir} -gt 80 ]]; then
      root=$(mktemp -d /tmp/opscale-pg.XXXXXX)
      chown nobody:nogroup "$root"
      echo "$root" >"$dir/pgroot"
    fi
  elif [[ ${#dir} -gt 80 ]]; then
    root=$(mktemp -d /tmp/opscale-pg.XXXXXX)
    echo "$root" >"$dir/pgroot"
  fi
  as_owner "$PG_BIN/initdb" -D "$root/data" -U opscale --auth=trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Another process may take the port between the check and the bind: retry.
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/log" -w -t 30 \
      -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
      start >/dev/null; then
      echo "postgres://opscale@127.0.0.1:$port/postgres" >"$dir/url"
      echo "PostgreSQL started: $(cat "$dir/url") (data in $root/data)"
      return
    fi
  done
  echo "could not start PostgreSQL; server log:" >&2
  tail -n 30 "$root/log" >&2 || true
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
