use roster_domain::RepoError;
use roster_domain::ids::UserId;
use roster_domain::ports::{ApiKeyRepo, UserRepo};
use roster_domain::token::{ApiKey, ApiKeyKind};
use roster_domain::user::LoginType;
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;

use crate::fixtures::{T0, fx_user, t};
use crate::harness::backends;

backends!(
    stores_finds_and_revokes_keys,
    key_ids_are_unique_and_owners_exist,
    touch_records_use
);

fn fx_key(id: &str, user: UserId) -> ApiKey {
    ApiKey {
        id: id.to_owned(),
        user_id: user,
        hashed_secret: (0..32).collect(),
        kind: ApiKeyKind::Token,
        login_type: LoginType::Token,
        token_name: "ci".to_owned(),
        created_at: T0,
        expires_at: t(86_400),
        last_used: T0,
    }
}

async fn stores_finds_and_revokes_keys(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    let key = fx_key("0123456789", alice.id);
    ApiKeyRepo::create(&store, key.clone()).await.unwrap();
    assert_eq!(
        ApiKeyRepo::find(&store, "0123456789").await.unwrap(),
        Some(key)
    );
    assert!(
        ApiKeyRepo::find(&store, "9876543210")
            .await
            .unwrap()
            .is_none()
    );
    let mut session = fx_key("sessionkey", alice.id);
    session.kind = ApiKeyKind::Session;
    session.token_name = String::new();
    ApiKeyRepo::create(&store, session.clone()).await.unwrap();
    assert_eq!(
        ApiKeyRepo::find(&store, "sessionkey").await.unwrap(),
        Some(session)
    );

    ApiKeyRepo::delete(&store, "0123456789").await.unwrap();
    assert!(
        ApiKeyRepo::find(&store, "0123456789")
            .await
            .unwrap()
            .is_none()
    );
    ApiKeyRepo::delete(&store, "0123456789").await.unwrap();
}

async fn key_ids_are_unique_and_owners_exist(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    ApiKeyRepo::create(&store, fx_key("0123456789", alice.id))
        .await
        .unwrap();
    let err = ApiKeyRepo::create(&store, fx_key("0123456789", alice.id))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "id" }),
        "{err:?}"
    );
    let err = ApiKeyRepo::create(&store, fx_key("abcdefghij", UserId::new_v7()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "user" }),
        "{err:?}"
    );
}

async fn touch_records_use(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    ApiKeyRepo::create(&store, fx_key("0123456789", alice.id))
        .await
        .unwrap();
    store.touch("0123456789", alice.id, t(3600)).await.unwrap();
    assert_eq!(
        ApiKeyRepo::find(&store, "0123456789")
            .await
            .unwrap()
            .unwrap()
            .last_used,
        t(3600)
    );
    assert_eq!(
        UserRepo::find(&store, alice.id)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        t(3600)
    );
}
