#!/usr/bin/env bash
# The whole test suite: unit, repository, HTTP and end-to-end tests on SQLite and on a throwaway
# PostgreSQL started from the machine's binaries (scripts/pg-up.sh). The PostgreSQL leg is
# required: without a PostgreSQL server this fails rather than skips.
set -euo pipefail
cd "$(dirname "$0")/.."

url="$(scripts/pg-up.sh | tail -n 1)"
export ROSTER_TEST_PG_URL="$url"
export ROSTER_REQUIRE_PG=1

if ! cargo nextest --version >/dev/null 2>&1; then
    echo "test: cargo-nextest not found; installing it from crates.io" >&2
    cargo install --locked cargo-nextest
fi
cargo nextest run --workspace --locked "$@"
cargo test --workspace --locked --doc
