#!/usr/bin/env bash
# The whole test suite: unit, repository, HTTP, end-to-end and browser tests, on SQLite and on a
# throwaway PostgreSQL started from the machine's binaries (scripts/pg-up.sh). The PostgreSQL leg
# and the browser tests are required: without PostgreSQL or Chromium this fails, never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

# The UI's browser tests drive Debian's Chromium through ChromeDriver, and are required here.
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
    echo "test: installing chromium and chromium-driver from Debian's packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver >/dev/null
fi
export ROSTER_REQUIRE_BROWSER=1

url="$(scripts/pg-up.sh | tail -n 1)"
export ROSTER_TEST_PG_URL="$url"
export ROSTER_REQUIRE_PG=1

if ! cargo nextest --version >/dev/null 2>&1; then
    echo "test: cargo-nextest not found; installing it from crates.io" >&2
    cargo install --locked cargo-nextest
fi
cargo nextest run --workspace --locked "$@"
cargo test --workspace --locked --doc
