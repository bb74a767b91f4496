//! End-to-end tests: the real `roster` binary on a free port, driven over HTTP.
//! Each test runs on SQLite (a temporary file) and, when `ROSTER_TEST_PG_URL` is set, on a fresh
//! PostgreSQL database too. With `ROSTER_REQUIRE_PG=1` a missing PostgreSQL fails the run.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod audit;
mod callers;
mod harness;
mod members;
mod replicas;
mod server;

/// Instantiates an async test body `async fn(Backend)` once per backend.
#[macro_export]
macro_rules! e2e {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::harness::Backend::postgres() {
                        super::$name(backend).await;
                    }
                }
            )+
        }
    };
}
