# Roster's recipes. `just` itself: `cargo install just` (or `pip install rust-just`).

# List the recipes
default:
    @just --list

# Run the server on the embedded SQLite default (./roster.db)
run:
    cargo run --release -- server

# Format, lint and the full test suite: what CI runs
ci:
    .ci/run

# Format the code
fmt:
    cargo fmt --all

# Check formatting
fmt-check:
    cargo fmt --all --check

# Lint with clippy, warnings denied
lint:
    cargo clippy --workspace --all-targets --locked -- -D warnings

# The whole suite: SQLite, a throwaway PostgreSQL and the browser tests (installs Chromium if missing)
test *args:
    scripts/test.sh {{args}}

# Only the SQLite leg (no PostgreSQL; browser tests skip without ChromeDriver)
test-sqlite *args:
    cargo nextest run --workspace {{args}}

# Start a throwaway PostgreSQL 15 on 127.0.0.1:55432 (prints its URL)
db-up:
    scripts/pg-up.sh

# Stop it
db-down:
    scripts/pg-down.sh

# Run the server against the throwaway PostgreSQL
run-pg: db-up
    ROSTER_DATABASE__URL="$(scripts/pg-up.sh | tail -n 1)" cargo run --release -- server

# Manage the schema: just migrate up|down|status
migrate *args:
    cargo run --release -- migrate {{args}}

# RBAC engine benchmarks (criterion)
bench-rbac:
    cargo bench -p roster-rbac

# Member page load test at 100,000 members on PostgreSQL (see README)
bench-members:
    scripts/bench-members.sh

# License and duplicate-dependency checks
deny:
    cargo install --locked cargo-deny && cargo deny check licenses bans
