//! The authorization epoch: every read sees every change committed before it, whether it is
//! served by PostgreSQL's shared reader or through the pool, and a lost reader connection
//! costs nothing but a reconnect.

use roster_domain::ports::{AuthzEpoch, MemberRepo};
use roster_store::SeaStore;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::task::JoinSet;

use crate::fixtures::{T0, fx_audit, fx_org, fx_user};
use crate::harness::{backends, on_postgres};

backends!(every_read_sees_the_changes_before_it);

/// The epoch as the table holds it, read through the pool.
async fn stored(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT value AS v FROM authz_epoch",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "v").unwrap()
}

async fn every_read_sees_the_changes_before_it(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db.clone());
    let before = store.authz_epoch().await.unwrap();

    // Exec + Check: a change moves it, and the next read sees that.
    let org = fx_org(&store, "org").await;
    let after_org = store.authz_epoch().await.unwrap();
    assert!(after_org > before);
    assert_eq!(after_org, stored(&db).await);
    let user = fx_user(&store, "alice").await;
    store.add(org.id, user.id, T0, fx_audit()).await.unwrap();
    let after_add = store.authz_epoch().await.unwrap();
    assert!(after_add > after_org);

    // Check: many concurrent readers (which share reads on PostgreSQL) all get the value.
    let mut reads = JoinSet::new();
    for _ in 0..64 {
        let store = store.clone();
        reads.spawn(async move { store.authz_epoch().await.unwrap() });
    }
    while let Some(read) = reads.join_next().await {
        assert_eq!(read.unwrap(), after_add);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_epoch_reads_survive_losing_the_reader_connection() {
    on_postgres(|db| async move {
        assert_eq!(db.get_database_backend(), DbBackend::Postgres);
        // Setup: the reader has connected and read once.
        let store = SeaStore::new(db.clone());
        store.authz_epoch().await.unwrap();

        // Exec: the server drops the reader's connection, then something changes.
        let killed = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                 WHERE query = 'SELECT value FROM authz_epoch WHERE singleton = 1' \
                 AND datname = current_database() AND pid <> pg_backend_pid()",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(killed.try_get::<i64>("", "n").unwrap(), 1);
        fx_org(&store, "org").await;

        // Check: the read that finds the connection gone is served through the pool, the next
        // by a new connection, both with the change.
        let expected = stored(&db).await;
        assert_eq!(store.authz_epoch().await.unwrap(), expected);
        assert_eq!(store.authz_epoch().await.unwrap(), expected);
    })
    .await;
}
