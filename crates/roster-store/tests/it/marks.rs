//! The count after a keyset cursor, from rank marks: exact whether the marks are current, stale
//! or missing, read from them when they are current, and rebuilt by the store when they are not.

use std::time::Duration;

use roster_domain::filter::RowFilter;
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::page::Pagination;
use roster_domain::ports::{MemberRepo, UserRepo};
use roster_domain::search::UserQuery;
use roster_store::SeaStore;
use roster_store::seed::seed_members;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::fixtures::{T0, fx_audit, fx_org, fx_user};
use crate::harness::backends;

backends!(
    keyset_counts_stay_exact_as_members_change,
    current_marks_serve_the_count_and_stale_ones_never_do,
    a_long_count_rebuilds_stale_marks,
);

/// The `count` of the page after `after`.
async fn count_after(store: &SeaStore, org: OrganizationId, after: UserId) -> u64 {
    let page = Pagination {
        after_id: Some(after),
        offset: 0,
        limit: Some(1),
    };
    MemberRepo::list(store, org, &UserQuery::default(), &RowFilter::All, page)
        .await
        .unwrap()
        .count
}

/// The org's members in page order, read page by page with the real cursor.
async fn members_in_order(store: &SeaStore, org: OrganizationId) -> Vec<UserId> {
    let page = Pagination {
        after_id: None,
        offset: 0,
        limit: None,
    };
    MemberRepo::list(store, org, &UserQuery::default(), &RowFilter::All, page)
        .await
        .unwrap()
        .rows
        .iter()
        .map(|m| m.user.id)
        .collect()
}

/// Checks the count after every `step`-th member (and the last) against its position.
async fn assert_counts(store: &SeaStore, org: OrganizationId, step: usize) {
    let order = members_in_order(store, org).await;
    let mut at: Vec<usize> = (0..order.len()).step_by(step).collect();
    at.push(order.len() - 1);
    for i in at {
        let expected = (order.len() - i - 1) as u64;
        assert_eq!(
            count_after(store, org, order[i]).await,
            expected,
            "count after member {i} of {}",
            order.len()
        );
    }
}

/// How many marks of `org` carry its current version.
async fn current_marks(db: &DatabaseConnection, org: OrganizationId) -> i64 {
    let backend = db.get_database_backend();
    let sql = "SELECT COUNT(*) AS n FROM organization_member_marks m \
               JOIN organizations o ON o.id = m.organization_id \
               WHERE m.members_version = o.members_version AND o.id = $1";
    let sql = match backend {
        sea_orm::DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace("$1", "?"),
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [org.0.into()]))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

async fn keyset_counts_stay_exact_as_members_change(db: DatabaseConnection) {
    // Setup: 300 members (the seed builds the marks), and an unknown cursor.
    let store = SeaStore::new(db.clone()).without_background_maintenance();
    let org = fx_org(&store, "org").await;
    let ids = seed_members(&db, org.id, 300, T0).await.unwrap();
    assert!(current_marks(&db, org.id).await > 0);

    // Check: exact from current marks, including the tail after the last mark.
    assert_counts(&store, org.id, 7).await;
    assert_eq!(count_after(&store, org.id, UserId::new_v7()).await, 0);

    // Exec: members leave and join (one sorting first, one mid-list), so the marks are stale.
    store.remove(org.id, ids[0], fx_audit()).await.unwrap();
    store.remove(org.id, ids[150], fx_audit()).await.unwrap();
    for name in ["a-first", "u000150"] {
        let user = fx_user(&store, name).await;
        store.add(org.id, user.id, T0, fx_audit()).await.unwrap();
    }
    assert_eq!(current_marks(&db, org.id).await, 0);
    // Check: still exact, counted directly.
    assert_counts(&store, org.id, 7).await;

    // Exec + Check: rebuilt, exact again, and a second refresh has nothing to do.
    assert!(store.refresh_member_marks(org.id).await.unwrap());
    assert!(current_marks(&db, org.id).await > 0);
    assert_counts(&store, org.id, 1).await;
    assert!(!store.refresh_member_marks(org.id).await.unwrap());

    // A user deleted outright leaves the marks stale too.
    UserRepo::delete(&store, ids[200], T0, fx_audit())
        .await
        .unwrap();
    assert_eq!(current_marks(&db, org.id).await, 0);
    assert_counts(&store, org.id, 11).await;
}

async fn current_marks_serve_the_count_and_stale_ones_never_do(db: DatabaseConnection) {
    // Setup: 300 members with current marks, whose counts are then made wrong on purpose.
    let store = SeaStore::new(db.clone()).without_background_maintenance();
    let org = fx_org(&store, "org").await;
    let ids = seed_members(&db, org.id, 300, T0).await.unwrap();
    db.execute_unprepared(
        "UPDATE organization_member_marks SET members_after = members_after + 1000",
    )
    .await
    .unwrap();

    // Check: the count comes from the marks (off by the 1,000 added), except after the last one.
    assert_eq!(count_after(&store, org.id, ids[0]).await, 299 + 1_000);
    assert_eq!(count_after(&store, org.id, ids[150]).await, 149 + 1_000);
    assert_eq!(count_after(&store, org.id, ids[299]).await, 0);

    // Exec: a membership change retires them.
    let late = fx_user(&store, "zz-late").await;
    store.add(org.id, late.id, T0, fx_audit()).await.unwrap();

    // Check: the wrong marks are ignored.
    assert_eq!(count_after(&store, org.id, ids[0]).await, 300);
    assert_eq!(count_after(&store, org.id, ids[150]).await, 150);
}

async fn a_long_count_rebuilds_stale_marks(db: DatabaseConnection) {
    // Setup: 300 members whose marks are stale.
    let store = SeaStore::new(db.clone());
    let org = fx_org(&store, "org").await;
    let ids = seed_members(&db, org.id, 300, T0).await.unwrap();
    let late = fx_user(&store, "zz-late").await;
    store.add(org.id, late.id, T0, fx_audit()).await.unwrap();
    assert_eq!(current_marks(&db, org.id).await, 0);

    // Exec: a page whose count is long (counted directly).
    assert_eq!(count_after(&store, org.id, ids[0]).await, 300);

    // Check: the store rebuilds the marks in the background.
    let mut waited = Duration::ZERO;
    while current_marks(&db, org.id).await == 0 {
        assert!(waited < Duration::from_secs(10), "marks never rebuilt");
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
    assert_eq!(count_after(&store, org.id, ids[0]).await, 300);
}
