//! The repository suite: every port of `roster-domain` against [`roster_store::SeaStore`], on
//! SQLite always and on PostgreSQL when `ROSTER_TEST_PG_URL` is set (see `harness`).

// Helpers outside `#[test]` functions are test code too: a failed setup should stop the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;
mod harness;

mod ai;
mod api_keys;
mod audit;
mod connect;
mod epoch;
mod marks;
mod members;
mod migrate;
mod organizations;
mod roles;
mod users;
