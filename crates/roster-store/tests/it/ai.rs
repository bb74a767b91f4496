use std::collections::BTreeSet;

use roster_domain::RepoError;
use roster_domain::ai::{Interception, Transition, Workspace, WorkspaceBuild};
use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::ids::{InterceptionId, OrganizationId, UserId, WorkspaceBuildId, WorkspaceId};
use roster_domain::ports::{AiRepo, UserRepo};
use roster_store::SeaStore;
use roster_store::seed::{seed_ai_interceptions, seed_members};
use sea_orm::DatabaseConnection;

use crate::fixtures::{T0, fx_audit, fx_org, fx_user, t};
use crate::harness::backends;

backends!(
    seats_come_from_interceptions_and_ai_builds,
    lists_interceptions_newest_first_through_the_row_filter,
    workspace_names_are_unique_per_owner,
    builds_are_numbered_and_delete_marks_the_workspace,
    lists_workspaces_through_the_row_filter,
    seeded_interceptions_give_seats,
);

fn fx_interception(user: UserId, at: i64) -> Interception {
    Interception {
        id: InterceptionId::new_v7(),
        initiator_id: user,
        provider: "anthropic".into(),
        model: "claude".into(),
        started_at: t(at),
    }
}

fn fx_workspace(org: OrganizationId, owner: UserId, name: &str) -> Workspace {
    Workspace {
        id: WorkspaceId::new_v7(),
        organization_id: org,
        owner_id: owner,
        name: name.to_owned(),
        deleted: false,
        created_at: T0,
        updated_at: T0,
    }
}

fn fx_build(ws: WorkspaceId, user: UserId, transition: Transition, ai: bool) -> WorkspaceBuild {
    WorkspaceBuild {
        id: WorkspaceBuildId::new_v7(),
        workspace_id: ws,
        build_number: 0,
        transition,
        has_ai_task: ai,
        initiator_id: user,
        created_at: t(10),
    }
}

async fn seats_come_from_interceptions_and_ai_builds(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let intercepted = fx_user(&store, "intercepted").await;
    let ai_builder = fx_user(&store, "ai-builder").await;
    let plain_builder = fx_user(&store, "plain-builder").await;
    let deleted_ws = fx_user(&store, "deleted-ws").await;
    let nobody = fx_user(&store, "nobody").await;
    let outside = fx_user(&store, "outside").await;
    store
        .record_interception(fx_interception(intercepted.id, 1))
        .await
        .unwrap();
    store
        .record_interception(fx_interception(intercepted.id, 2))
        .await
        .unwrap();
    store
        .record_interception(fx_interception(outside.id, 3))
        .await
        .unwrap();
    let ws = store
        .create_workspace(fx_workspace(org.id, ai_builder.id, "w"))
        .await
        .unwrap();
    store
        .add_build(fx_build(ws.id, ai_builder.id, Transition::Start, true))
        .await
        .unwrap();
    store
        .add_build(fx_build(ws.id, ai_builder.id, Transition::Stop, false))
        .await
        .unwrap();
    let ws = store
        .create_workspace(fx_workspace(org.id, plain_builder.id, "w"))
        .await
        .unwrap();
    store
        .add_build(fx_build(ws.id, plain_builder.id, Transition::Start, false))
        .await
        .unwrap();
    // Someone else's AI build in your workspace still counts for the owner.
    let ws = store
        .create_workspace(fx_workspace(org.id, deleted_ws.id, "w"))
        .await
        .unwrap();
    store
        .add_build(fx_build(ws.id, nobody.id, Transition::Start, true))
        .await
        .unwrap();
    store
        .add_build(fx_build(ws.id, deleted_ws.id, Transition::Delete, false))
        .await
        .unwrap();

    // Exec
    let page = [
        intercepted.id,
        ai_builder.id,
        plain_builder.id,
        deleted_ws.id,
        nobody.id,
    ];
    let seats: BTreeSet<UserId> = store
        .seats_among(&page)
        .await
        .unwrap()
        .into_iter()
        .collect();

    // Check
    assert_eq!(seats, BTreeSet::from([intercepted.id, ai_builder.id]));
    assert!(store.seats_among(&[]).await.unwrap().is_empty());
    assert_eq!(
        store.seats_among(&[outside.id]).await.unwrap(),
        vec![outside.id]
    );
    assert_eq!(store.seat_count().await.unwrap(), 3);
    UserRepo::delete(&store, outside.id, T0, fx_audit())
        .await
        .unwrap();
    assert_eq!(store.seat_count().await.unwrap(), 2);

    let err = store
        .record_interception(fx_interception(UserId::new_v7(), 4))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "user" }),
        "{err:?}"
    );
}

async fn lists_interceptions_newest_first_through_the_row_filter(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    let bob = fx_user(&store, "bob").await;
    let a1 = fx_interception(alice.id, 1);
    let b2 = fx_interception(bob.id, 2);
    let a3 = fx_interception(alice.id, 3);
    for i in [&a1, &b2, &a3] {
        store.record_interception(i.clone()).await.unwrap();
    }

    let all = store.list_interceptions(&RowFilter::All).await.unwrap();
    assert_eq!(all, vec![a3.clone(), b2, a1.clone()]);
    assert!(
        store
            .list_interceptions(&RowFilter::Nothing)
            .await
            .unwrap()
            .is_empty()
    );
    let own = RowFilter::Where(Scoped {
        subject: alice.id,
        orgs: vec![OrganizationId::new_v7()],
        owned_in_orgs: vec![],
        owned_outside_orgs: true,
    });
    assert_eq!(store.list_interceptions(&own).await.unwrap(), vec![a3, a1]);
    let org_only = RowFilter::Where(Scoped {
        subject: alice.id,
        orgs: vec![OrganizationId::new_v7()],
        owned_in_orgs: vec![OrganizationId::new_v7()],
        owned_outside_orgs: false,
    });
    assert!(
        store
            .list_interceptions(&org_only)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn workspace_names_are_unique_per_owner(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    let bob = fx_user(&store, "bob").await;
    let ws = store
        .create_workspace(fx_workspace(org.id, alice.id, "Dev"))
        .await
        .unwrap();
    assert_eq!(store.find_workspace(ws.id).await.unwrap(), Some(ws.clone()));
    let err = store
        .create_workspace(fx_workspace(org.id, alice.id, "dev"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "name" }),
        "{err:?}"
    );
    store
        .create_workspace(fx_workspace(org.id, bob.id, "dev"))
        .await
        .unwrap();
    let err = store
        .create_workspace(fx_workspace(OrganizationId::new_v7(), alice.id, "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, RepoError::NotFound { .. }), "{err:?}");
    assert!(
        store
            .find_workspace(WorkspaceId::new_v7())
            .await
            .unwrap()
            .is_none()
    );
}

async fn builds_are_numbered_and_delete_marks_the_workspace(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    let ws = store
        .create_workspace(fx_workspace(org.id, alice.id, "dev"))
        .await
        .unwrap();

    // Exec + Check
    let b1 = store
        .add_build(fx_build(ws.id, alice.id, Transition::Start, false))
        .await
        .unwrap();
    let b2 = store
        .add_build(fx_build(ws.id, alice.id, Transition::Stop, true))
        .await
        .unwrap();
    assert_eq!((b1.build_number, b2.build_number), (1, 2));
    assert!(b2.has_ai_task);
    assert_eq!(b2.transition, Transition::Stop);
    let b3 = store
        .add_build(fx_build(ws.id, alice.id, Transition::Delete, false))
        .await
        .unwrap();
    assert_eq!(b3.build_number, 3);
    let found = store.find_workspace(ws.id).await.unwrap().unwrap();
    assert!(found.deleted);
    assert_eq!(found.updated_at, t(10));
    let err = store
        .add_build(fx_build(ws.id, alice.id, Transition::Start, false))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "workspace"
            }
        ),
        "{err:?}"
    );
    // The name is free again.
    store
        .create_workspace(fx_workspace(org.id, alice.id, "dev"))
        .await
        .unwrap();
}

async fn lists_workspaces_through_the_row_filter(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let other = fx_org(&store, "other").await;
    let alice = fx_user(&store, "alice").await;
    let bob = fx_user(&store, "bob").await;
    let a_org = store
        .create_workspace(fx_workspace(org.id, alice.id, "a-org"))
        .await
        .unwrap();
    let b_org = store
        .create_workspace(fx_workspace(org.id, bob.id, "b-org"))
        .await
        .unwrap();
    let a_other = store
        .create_workspace(fx_workspace(other.id, alice.id, "a-other"))
        .await
        .unwrap();
    let b_other = store
        .create_workspace(fx_workspace(other.id, bob.id, "b-other"))
        .await
        .unwrap();
    let gone = store
        .create_workspace(fx_workspace(org.id, alice.id, "gone"))
        .await
        .unwrap();
    store
        .add_build(fx_build(gone.id, alice.id, Transition::Delete, false))
        .await
        .unwrap();
    let names = |ws: Vec<Workspace>| ws.into_iter().map(|w| w.name).collect::<Vec<_>>();

    assert_eq!(
        names(store.list_workspaces(&RowFilter::All).await.unwrap()),
        vec!["a-org", "a-other", "b-org", "b-other"]
    );
    assert!(
        store
            .list_workspaces(&RowFilter::Nothing)
            .await
            .unwrap()
            .is_empty()
    );
    // Everything in `org`, plus alice's own in `other`.
    let filter = RowFilter::Where(Scoped {
        subject: alice.id,
        orgs: vec![org.id],
        owned_in_orgs: vec![other.id],
        owned_outside_orgs: true,
    });
    assert_eq!(
        names(store.list_workspaces(&filter).await.unwrap()),
        vec!["a-org", "a-other", "b-org"]
    );
    let own_only = RowFilter::Where(Scoped {
        subject: bob.id,
        orgs: vec![],
        owned_in_orgs: vec![org.id, other.id],
        owned_outside_orgs: false,
    });
    assert_eq!(
        names(store.list_workspaces(&own_only).await.unwrap()),
        vec!["b-org", "b-other"]
    );
    let _ = (a_org, b_org, a_other, b_other);
}

async fn seeded_interceptions_give_seats(db: DatabaseConnection) {
    // Setup: ten seeded members, every third of them with a seeded interception.
    let store = SeaStore::new(db.clone());
    let org = fx_org(&store, "org").await;
    let ids = seed_members(&db, org.id, 10, T0).await.unwrap();
    let seated: Vec<UserId> = ids.iter().copied().step_by(3).collect();

    // Exec
    seed_ai_interceptions(&db, &seated, T0).await.unwrap();

    // Check: exactly those hold a seat.
    let seats: BTreeSet<UserId> = store.seats_among(&ids).await.unwrap().into_iter().collect();
    assert_eq!(seats, seated.iter().copied().collect());
    assert_eq!(store.seat_count().await.unwrap(), 4);
}
