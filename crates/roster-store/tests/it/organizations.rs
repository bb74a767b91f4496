use roster_domain::RepoError;
use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::OrganizationPatch;
use roster_domain::page::Pagination;
use roster_domain::ports::{MemberRepo, OrganizationRepo, RoleRepo, UserRepo};
use roster_domain::role::CustomRoleInput;
use roster_domain::search::UserQuery;
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;

use crate::fixtures::{T0, fx_audit, fx_new_org, fx_org, fx_user, t};
use crate::harness::backends;

backends!(
    ensures_one_default_organization,
    concurrent_ensure_default_creates_one,
    creates_and_finds_organizations,
    names_are_unique_case_insensitively,
    updates_organizations,
    deleting_an_organization_removes_members_and_roles,
    lists_organizations_through_the_row_filter,
    creator_joins_as_admin,
);

async fn ensures_one_default_organization(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    assert!(store.default_org().await.unwrap().is_none());
    let first = store.ensure_default(fx_new_org("coder")).await.unwrap();
    assert!(first.is_default);
    let again = store
        .ensure_default(fx_new_org("other-name"))
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(store.default_org().await.unwrap(), Some(first));
    // A second default can't be created directly either.
    let mut second = fx_new_org("second");
    second.is_default = true;
    let err = OrganizationRepo::create(&store, second, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::Conflict {
                field: "is_default"
            }
        ),
        "{err:?}"
    );
}

async fn concurrent_ensure_default_creates_one(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.ensure_default(fx_new_org("coder")).await })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap().id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        OrganizationRepo::list(&store, &RowFilter::All)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn creates_and_finds_organizations(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let new = fx_new_org("Acme");
    let org = OrganizationRepo::create(&store, new.clone(), fx_audit())
        .await
        .unwrap();
    assert_eq!(org.id, new.id);
    assert_eq!(org.name, "Acme");
    assert_eq!(org.display_name, "Display Acme");
    assert!(!org.is_default);
    assert_eq!((org.created_at, org.updated_at), (T0, T0));
    assert_eq!(
        OrganizationRepo::find(&store, org.id).await.unwrap(),
        Some(org.clone())
    );
    assert_eq!(store.find_by_name("ACME").await.unwrap(), Some(org.clone()));
    assert!(store.find_by_name("acm").await.unwrap().is_none());
    assert!(
        OrganizationRepo::find(&store, OrganizationId::new_v7())
            .await
            .unwrap()
            .is_none()
    );
}

async fn names_are_unique_case_insensitively(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    fx_org(&store, "acme").await;
    let err = OrganizationRepo::create(&store, fx_new_org("ACME"), fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "name" }),
        "{err:?}"
    );
}

async fn updates_organizations(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "acme").await;
    fx_org(&store, "taken").await;

    let patch = OrganizationPatch {
        name: Some("Acme-2".into()),
        description: Some("desc".into()),
        ..OrganizationPatch::default()
    };
    let updated = OrganizationRepo::update(&store, org.id, patch, t(1), fx_audit())
        .await
        .unwrap();
    assert_eq!(updated.name, "Acme-2");
    assert_eq!(updated.description, "desc");
    assert_eq!(updated.display_name, org.display_name);
    assert_eq!(updated.updated_at, t(1));
    assert_eq!(
        store.find_by_name("acme-2").await.unwrap().unwrap().id,
        org.id
    );
    assert!(store.find_by_name("acme").await.unwrap().is_none());

    let patch = OrganizationPatch {
        name: Some("TAKEN".into()),
        ..OrganizationPatch::default()
    };
    let err = OrganizationRepo::update(&store, org.id, patch, t(2), fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "name" }),
        "{err:?}"
    );

    let patch = OrganizationPatch {
        icon: Some("x".into()),
        ..OrganizationPatch::default()
    };
    let err = OrganizationRepo::update(&store, OrganizationId::new_v7(), patch, t(2), fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "organization"
            }
        ),
        "{err:?}"
    );
}

async fn deleting_an_organization_removes_members_and_roles(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "acme").await;
    let other = fx_org(&store, "other").await;
    let alice = fx_user(&store, "alice").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();
    store.add(other.id, alice.id, T0, fx_audit()).await.unwrap();
    store
        .set_roles(
            org.id,
            alice.id,
            vec!["organization-admin".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    let role = CustomRoleInput {
        name: "custom".into(),
        display_name: "Custom".into(),
        organization_id: org.id,
        organization_permissions: vec![],
    };
    RoleRepo::create(&store, role, T0, fx_audit())
        .await
        .unwrap();

    // Exec
    OrganizationRepo::delete(&store, org.id, t(1), fx_audit())
        .await
        .unwrap();

    // Check
    assert!(
        OrganizationRepo::find(&store, org.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.find_by_name("acme").await.unwrap().is_none());
    assert!(
        MemberRepo::find(&store, org.id, alice.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(RoleRepo::list(&store, org.id).await.unwrap().is_empty());
    let orgs = store.list_for_user(alice.id).await.unwrap();
    assert_eq!(
        orgs.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![other.id]
    );
    let page = MemberRepo::list(
        &store,
        org.id,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap();
    assert_eq!((page.rows.len(), page.count), (0, 0));
    // The name is free again; deleting twice is NotFound.
    fx_org(&store, "ACME").await;
    let err = OrganizationRepo::delete(&store, org.id, t(2), fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "organization"
            }
        ),
        "{err:?}"
    );
}

async fn lists_organizations_through_the_row_filter(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let b = fx_org(&store, "Beta").await;
    let a = fx_org(&store, "alpha").await;
    let c = fx_org(&store, "gamma").await;
    OrganizationRepo::delete(&store, c.id, T0, fx_audit())
        .await
        .unwrap();
    let names = |orgs: Vec<roster_domain::organization::Organization>| {
        orgs.into_iter().map(|o| o.name).collect::<Vec<_>>()
    };

    assert_eq!(
        names(
            OrganizationRepo::list(&store, &RowFilter::All)
                .await
                .unwrap()
        ),
        vec!["alpha", "Beta"]
    );
    assert!(
        OrganizationRepo::list(&store, &RowFilter::Nothing)
            .await
            .unwrap()
            .is_empty()
    );
    let subject = UserId::new_v7();
    let only_b = RowFilter::Where(Scoped {
        subject,
        orgs: vec![b.id, c.id],
        owned_in_orgs: vec![a.id],
        owned_outside_orgs: true,
    });
    // Organizations have no owner: only the `orgs` branch can match.
    assert_eq!(
        names(OrganizationRepo::list(&store, &only_b).await.unwrap()),
        vec!["Beta"]
    );
    let none = RowFilter::Where(Scoped {
        subject,
        orgs: vec![],
        owned_in_orgs: vec![a.id, b.id],
        owned_outside_orgs: true,
    });
    assert!(
        OrganizationRepo::list(&store, &none)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn creator_joins_as_admin(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    let mut new = fx_new_org("acme");
    new.creator = Some(alice.id);
    let org = OrganizationRepo::create(&store, new, fx_audit())
        .await
        .unwrap();
    let m = MemberRepo::find(&store, org.id, alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.membership.roles, vec!["organization-admin"]);
    assert_eq!(m.membership.created_at, T0);
    let page = MemberRepo::list(
        &store,
        org.id,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.count, 1);

    // An unknown creator refuses the whole organization.
    let mut new = fx_new_org("ghost-org");
    new.creator = Some(UserId::new_v7());
    let err = OrganizationRepo::create(&store, new, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "user" }),
        "{err:?}"
    );
    assert!(store.find_by_name("ghost-org").await.unwrap().is_none());
    let _ = UserRepo::find(&store, alice.id).await.unwrap();
}
