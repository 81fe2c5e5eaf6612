#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server from the Debian packages (postgresql) for the tests of the
# PostgreSQL state store, and prints its Npgsql connection string as the last line of its output.
#   tests/postgres/start-server.sh DIR [--install]   start a server whose files live in DIR (created)
#   tests/postgres/start-server.sh DIR --stop        stop it and delete DIR
# It listens on a Unix socket in DIR only (no TCP port to collide with), trusts local users (a test server),
# and runs as the postgres user when started by root (initdb refuses root). --install installs the Debian
# package first when its binaries are missing (CI runs as root).
set -euo pipefail
# The server's own locale does not matter to the tests, and the caller's may not be installed (the CI's tr_TR run).
export LC_ALL=C LANG=C
dir=${1:?usage: start-server.sh DIR [--install|--stop]}
mode=${2:-}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "$mode" = --stop ]; then
  [ -n "$bin" ] && [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
if [ -z "$bin" ] && [ "$mode" = --install ]; then
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql) >/dev/null 2>&1 || true
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin/initdb): apt-get install -y postgresql" >&2
  exit 1
fi

mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
fi
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses= -c unix_socket_directories=$dir -c port=5432 -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; exit 1; }
echo "Host=$dir;Port=5432;Username=postgres;Database=postgres"
