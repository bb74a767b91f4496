#!/usr/bin/env bash
# The member-page benchmark: 100,000 members in PostgreSQL, the release binary, and wrk driving
# GET .../paginated-members?limit=50 (first page, a deep keyset page, a search matching 100
# members) for DURATION seconds each, then the first page again with the AI add-on entitled (every
# tenth member holds an AI seat, so `has_ai_seat` costs its query). Each run is preceded by a 2 s
# warm-up. Prints requests/s, latency percentiles, the CPU time the server and PostgreSQL spent per
# request, and the server's peak resident memory.
#
# Environment: MEMBERS (default 100000), DURATION (default 10), CONNECTIONS (default 16),
# THREADS (default 1), PORT (default 39300).
set -euo pipefail
cd "$(dirname "$0")/.."

members="${MEMBERS:-100000}"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-16}"
threads="${THREADS:-1}"
port="${PORT:-39300}"

if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk from Debian's packages" >&2
    apt-get install -y wrk >/dev/null
fi

admin_url="$(scripts/pg-up.sh | tail -n 1)"
db_url="${admin_url%/*}/roster_bench"
psql -q "$admin_url" -c "DROP DATABASE IF EXISTS roster_bench" -c "CREATE DATABASE roster_bench"

cargo build --release --locked --bin roster
roster="${CARGO_TARGET_DIR:-target}/release/roster"
export ROSTER_DATABASE__URL="$db_url" ROSTER_LOG__FILTER=warn
"$roster" migrate up
time "$roster" seed --organization bench --members "$members" --ai-seat-every 10
# The seeded users exist, so the first-user route is closed: make the owner directly.
"$roster" create-admin-user --username bench-admin --email bench@example.com --password SomeSecurePassword!
# Write the seed's pages out now, rather than in a checkpoint during a measurement.
psql -q "$db_url" -c "CHECKPOINT"

base="http://127.0.0.1:$port"
server=
trap 'if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; fi' EXIT

# Starts the server with the given extra environment and waits until it answers.
start_server() {
    env ROSTER_HTTP__ADDRESS="127.0.0.1:$port" "$@" "$roster" server &
    server=$!
    for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && return; sleep 0.1; done
    echo "bench: the server did not start" >&2
    exit 1
}

stop_server() {
    echo "== server peak resident memory: $(grep VmHWM "/proc/$server/status" | awk '{print $2, $3}')"
    kill "$server"
    wait "$server" || true
    server=
}

start_server
token="$(curl -fs "$base/api/v2/users/login" -d '{"email":"bench@example.com","password":"SomeSecurePassword!"}' | sed -E 's/.*"session_token":"([^"]+)".*/\1/')"
page="$base/api/v2/organizations/bench/paginated-members"
deep_offset=$((members * 9 / 10))
after_id="$(curl -fs -H "Coder-Session-Token: $token" "$page?limit=1&offset=$deep_offset" | sed -E 's/.*"user_id":"([^"]+)".*/\1/')"

# CPU time (user + system, in clock ticks) of the server, and of every PostgreSQL process.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
postgres_ticks() {
    local total=0 pid
    for pid in $(pgrep -x postgres || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

run() {
    local name="$1" url="$2"
    local body count seats out requests s0 p0 s1 p1 hz
    body="$(curl -fs -H "Coder-Session-Token: $token" "$url")"
    count="$(sed -E 's/.*"count":([0-9]+).*/\1/' <<<"$body")"
    seats="$({ grep -o '"has_ai_seat":true' <<<"$body" || true; } | wc -l)"
    echo "== $name (count=$count, AI seats on the page=$seats): $url"
    # Warm up first: every pooled connection prepares the statement and, after five executions,
    # PostgreSQL settles on its cached plan.
    wrk -t"$threads" -c"$connections" -d2s -H "Coder-Session-Token: $token" "$url" >/dev/null
    s0="$(server_ticks)"
    p0="$(postgres_ticks)"
    out="$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
        -H "Coder-Session-Token: $token" "$url")"
    s1="$(server_ticks)"
    p1="$(postgres_ticks)"
    grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors" <<<"$out"
    # CPU per request varies less than requests/s between runs on a shared machine.
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    hz="$(getconf CLK_TCK)"
    if [[ "$requests" -gt 0 ]]; then
        echo "   CPU per request: server $(((s1 - s0) * 1000000 / hz / requests)) µs," \
            "PostgreSQL $(((p1 - p0) * 1000000 / hz / requests)) µs"
    fi
}
run "first page" "$page?limit=50"
run "deep keyset page" "$page?limit=50&after_id=$after_id"
run "search (q=u0001)" "$page?limit=50&q=u0001"
stop_server

start_server ROSTER_ENTITLEMENTS__AI_GOVERNANCE_USER_LIMIT="$members"
run "first page, AI add-on entitled" "$page?limit=50"
stop_server
