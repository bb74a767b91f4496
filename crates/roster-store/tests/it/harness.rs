//! One suite, two backends: each test body is `async fn(DatabaseConnection)`, and [`backends!`]
//! instantiates it on SQLite (in memory, always) and on PostgreSQL (a fresh database per test
//! when `ROSTER_TEST_PG_URL` is set; a failure rather than a skip when `ROSTER_REQUIRE_PG=1`).

use std::future::Future;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A migrated, empty in-memory SQLite database.
pub(crate) async fn sqlite() -> DatabaseConnection {
    let db = roster_store::connect("sqlite::memory:")
        .await
        .expect("connect to SQLite");
    Migrator::up(&db, None).await.expect("migrate SQLite");
    db
}

/// The statements a connection has run, in order (see [`recording`]).
pub(crate) type Recorded = std::sync::Arc<std::sync::Mutex<Vec<sea_orm::Statement>>>;

/// A handle on `db` that records every statement run through it.
pub(crate) fn recording(db: &DatabaseConnection) -> (DatabaseConnection, Recorded) {
    let statements = Recorded::default();
    let mut recorded = db.clone();
    let seen = statements.clone();
    recorded.set_metric_callback(move |m| seen.lock().unwrap().push(m.statement.clone()));
    (recorded, statements)
}

/// SQLite's query plan of `stmt`, one step per line.
pub(crate) async fn sqlite_plan(db: &DatabaseConnection, stmt: &sea_orm::Statement) -> Vec<String> {
    let explain = sea_orm::Statement {
        sql: format!("EXPLAIN QUERY PLAN {}", stmt.sql),
        ..stmt.clone()
    };
    db.query_all_raw(explain)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "detail").unwrap())
        .collect()
}

/// The PostgreSQL server to test against, if any.
fn pg_url() -> Option<String> {
    match std::env::var("ROSTER_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("ROSTER_REQUIRE_PG").as_deref() == Ok("1") {
                panic!("ROSTER_REQUIRE_PG=1 but ROSTER_TEST_PG_URL is not set");
            }
            None
        }
    }
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs `body` on a fresh, migrated PostgreSQL database that is dropped afterwards, even when
/// the body panics. Does nothing when no PostgreSQL is configured.
pub(crate) async fn on_postgres<F, Fut>(body: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(url) = pg_url() else {
        eprintln!("skipping the PostgreSQL leg: ROSTER_TEST_PG_URL is not set");
        return;
    };
    let name = format!("roster_test_{}", uuid::Uuid::new_v4().simple());
    let admin = roster_store::connect(&url)
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the test database");
    let db = roster_store::connect(&with_database(&url, &name))
        .await
        .expect("connect to the test database");
    Migrator::up(&db, None).await.expect("migrate PostgreSQL");

    let outcome = tokio::spawn(body(db.clone())).await;

    db.close().await.ok();
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop the test database");
    admin.close().await.ok();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Instantiates each named test body on both backends: `sqlite::name` and `postgres::name`.
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::harness::sqlite().await;
                    super::$name(db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::on_postgres(super::$name).await;
                }
            )*
        }
    };
}
pub(crate) use backends;

#[test]
fn replaces_the_database_of_a_url() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:55432/postgres", "x"),
        "postgres://postgres@127.0.0.1:55432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
