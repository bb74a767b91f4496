use migrations::{Migrator, MigratorTrait};
use roster_domain::ports::{MemberRepo, StoreHealth, UserRepo};
use roster_store::SeaStore;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::fixtures::{T0, fx_audit, fx_org, fx_user};
use crate::harness::backends;

backends!(
    migrations_go_down_and_up_again,
    copying_search_keys_fills_existing_memberships,
    health_pings
);

async fn migrations_go_down_and_up_again(db: DatabaseConnection) {
    // Setup: the harness migrated up; put a row in.
    let store = SeaStore::new(db.clone());
    fx_user(&store, "alice").await;

    // Exec: all the way down, then up again.
    Migrator::down(&db, None).await.expect("down");
    Migrator::up(&db, None).await.expect("up again");

    // Check: an empty, working schema.
    assert!(!store.any_exists().await.unwrap());
    fx_user(&store, "alice").await;
    assert!(store.any_exists().await.unwrap());
}

async fn health_pings(db: DatabaseConnection) {
    SeaStore::new(db).ping().await.expect("ping");
}

async fn copying_search_keys_fills_existing_memberships(db: DatabaseConnection) {
    // Setup: a member, then the schema as it was before memberships copied the email key.
    let store = SeaStore::new(db.clone());
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "Alice").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();
    let applied = Migrator::get_applied_migrations(&db)
        .await
        .expect("applied");
    let copying = applied
        .iter()
        .position(|m| m.name() == "m20261128_000014_copy_search_keys_to_members")
        .expect("the migration is applied");
    let steps = u32::try_from(applied.len() - copying).unwrap();
    Migrator::down(&db, Some(steps)).await.expect("down");

    // Exec
    Migrator::up(&db, None).await.expect("up");

    // Check: the membership holds the user's key.
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT email_key AS k FROM organization_members",
        ))
        .await
        .unwrap()
        .unwrap();
    let copied: Option<String> = row.try_get("", "k").unwrap();
    assert_eq!(copied.as_deref(), Some("alice@example.com"));
}
