#!/usr/bin/env bash
# Stops the PostgreSQL started by pg-up.sh. Set ROSTER_PG_PURGE=1 to also delete its data directory.
set -euo pipefail

dir="${ROSTER_PG_DIR:-/tmp/roster-pg}"
bin="${ROSTER_PG_BIN:-}"
if [[ -z "$bin" ]]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi

as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [[ -n "$bin" && -f "$dir/PG_VERSION" ]]; then
    if as_owner "$bin/pg_ctl" status --pgdata="$dir" >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" stop --pgdata="$dir" --mode=fast --wait >/dev/null
    fi
fi
if [[ "${ROSTER_PG_PURGE:-0}" == 1 ]]; then
    rm -rf "$dir"
fi
