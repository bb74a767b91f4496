//! `connect` on SQLite files: created when missing, foreign keys and WAL on, and writers from
//! several pooled connections queue instead of failing.

use migrations::{Migrator, MigratorTrait};
use roster_domain::ports::{MemberRepo, UserRepo};
use roster_store::SeaStore;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::fixtures::{T0, fx_audit, fx_new_user, fx_org, fx_user, t};

async fn pragma(db: &DatabaseConnection, name: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|v| v.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

#[tokio::test]
async fn sqlite_file_is_created_with_foreign_keys_and_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let db = roster_store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(path.exists());
    assert_eq!(pragma(&db, "foreign_keys").await, "1");
    assert_eq!(pragma(&db, "journal_mode").await, "wal");
    Migrator::up(&db, None).await.unwrap();
    let store = SeaStore::new(db);
    UserRepo::create(&store, fx_new_user("alice"), fx_audit())
        .await
        .unwrap();
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_one_connection() {
    let db = roster_store::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(pragma(&db, "foreign_keys").await, "1");
    // Every statement sees the same database: the migrated tables are there.
    let store = SeaStore::new(db);
    fx_user(&store, "alice").await;
    assert!(store.any_exists().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_writers_queue_instead_of_failing() {
    // Setup: a pooled file database and one member.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("roster.db").display());
    let db = roster_store::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();

    let mut others = Vec::new();
    for i in 0..16 {
        others.push(fx_user(&store, &format!("user-{i}")).await);
    }

    // Exec: concurrent transactions that read before they write (adding a member reads the
    // user first), plus plain writes.
    let tasks: Vec<_> = others
        .into_iter()
        .enumerate()
        .map(|(i, user)| {
            let store = store.clone();
            tokio::spawn(async move {
                store.add(org.id, user.id, t(i as i64), fx_audit()).await?;
                store
                    .set_roles(
                        org.id,
                        alice.id,
                        vec![format!("r{i}")],
                        t(i as i64),
                        fx_audit(),
                    )
                    .await?;
                UserRepo::create(&store, fx_new_user(&format!("new-{i}")), fx_audit())
                    .await
                    .map(|_| ())
            })
        })
        .collect();

    // Check
    for task in tasks {
        task.await.unwrap().unwrap();
    }
}
