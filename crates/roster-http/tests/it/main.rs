//! HTTP tests: the router over mockall mocks of the ports, driven with `oneshot`.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod audit;
mod fixtures;
mod members;
mod routes;
mod users;
