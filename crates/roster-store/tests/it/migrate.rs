use migrations::{Migrator, MigratorTrait};
use roster_domain::ports::{StoreHealth, UserRepo};
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;

use crate::fixtures::fx_user;
use crate::harness::backends;

backends!(migrations_go_down_and_up_again, health_pings);

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
