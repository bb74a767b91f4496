#!/usr/bin/env bash
# Starts a throwaway PostgreSQL from the machine's installed binaries, for tests and benchmarks.
# Idempotent: reuses the data directory and does nothing if the server already runs.
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user.
#
# Environment:
#   ROSTER_PG_DIR   data directory (default /tmp/roster-pg)
#   ROSTER_PG_PORT  port on 127.0.0.1 (default 55432)
#   ROSTER_PG_BIN   directory holding initdb and pg_ctl (default: the newest under /usr/lib/postgresql)
# Prints the connection URL on the last line of standard output.
set -euo pipefail

dir="${ROSTER_PG_DIR:-/tmp/roster-pg}"
port="${ROSTER_PG_PORT:-55432}"
bin="${ROSTER_PG_BIN:-}"
if [[ -z "$bin" ]]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "pg-up: PostgreSQL server binaries not found (install postgresql, or set ROSTER_PG_BIN)" >&2
    exit 1
fi

# Run a command as the cluster's owner (ourselves unless we are root).
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi

mkdir -p "$dir"
if [[ "$(id -u)" == 0 ]]; then
    chown postgres: "$dir"
fi
chmod 700 "$dir"

if [[ ! -f "$dir/PG_VERSION" ]]; then
    as_owner "$bin/initdb" --pgdata="$dir" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C >/dev/null
fi

if as_owner "$bin/pg_ctl" status --pgdata="$dir" >/dev/null 2>&1; then
    echo "pg-up: already running in $dir" >&2
else
    # The socket directory is the data directory, so nothing under /var/run is needed.
    as_owner "$bin/pg_ctl" start --pgdata="$dir" --wait --timeout=60 \
        --log="$dir/server.log" \
        --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" \
        >/dev/null
fi

echo "postgres://postgres@127.0.0.1:$port/postgres"
