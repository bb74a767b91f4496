use roster_domain::RepoError;
use roster_domain::ids::OrganizationId;
use roster_domain::permission::{Action, Permission, ResourceType};
use roster_domain::ports::{MemberRepo, RoleRepo};
use roster_domain::role::CustomRoleInput;
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;

use crate::fixtures::{T0, fx_audit, fx_org, fx_user, t};
use crate::harness::backends;

backends!(
    creates_finds_and_lists_custom_roles,
    role_names_are_unique_per_organization,
    updates_custom_roles,
    deleting_a_role_removes_it_from_members_of_its_organization,
);

fn fx_role(org: OrganizationId, name: &str) -> CustomRoleInput {
    CustomRoleInput {
        name: name.to_owned(),
        display_name: format!("Role {name}"),
        organization_id: org,
        organization_permissions: vec![
            Permission::allow(ResourceType::Workspace, Action::Read),
            Permission::allow(ResourceType::OrganizationMember, Action::Read),
        ],
    }
}

async fn creates_finds_and_lists_custom_roles(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let other = fx_org(&store, "other").await;

    let role = RoleRepo::create(&store, fx_role(org.id, "Zeta"), T0, fx_audit())
        .await
        .unwrap();
    assert_eq!(role.name, "zeta");
    assert_eq!(role.display_name, "Role Zeta");
    assert_eq!(role.organization_id, Some(org.id));
    assert_eq!(
        role.organization_permissions,
        fx_role(org.id, "x").organization_permissions
    );
    assert!(role.site_permissions.is_empty());
    assert!(role.user_permissions.is_empty());
    assert!(role.organization_member_permissions.is_empty());
    assert_eq!((role.created_at, role.updated_at), (T0, T0));
    RoleRepo::create(&store, fx_role(org.id, "alpha"), T0, fx_audit())
        .await
        .unwrap();
    RoleRepo::create(&store, fx_role(other.id, "beta"), T0, fx_audit())
        .await
        .unwrap();

    assert_eq!(
        RoleRepo::find(&store, org.id, "ZETA").await.unwrap(),
        Some(role.clone())
    );
    assert!(
        RoleRepo::find(&store, other.id, "zeta")
            .await
            .unwrap()
            .is_none()
    );
    let names: Vec<String> = RoleRepo::list(&store, org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["alpha", "zeta"]);
    let mut both: Vec<String> = store
        .list_for_orgs(&[org.id, other.id])
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    both.sort();
    assert_eq!(both, vec!["alpha", "beta", "zeta"]);
    assert!(store.list_for_orgs(&[]).await.unwrap().is_empty());

    let err = RoleRepo::create(
        &store,
        fx_role(OrganizationId::new_v7(), "x"),
        T0,
        fx_audit(),
    )
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

async fn role_names_are_unique_per_organization(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let other = fx_org(&store, "other").await;
    RoleRepo::create(&store, fx_role(org.id, "custom"), T0, fx_audit())
        .await
        .unwrap();
    let err = RoleRepo::create(&store, fx_role(org.id, "CUSTOM"), T0, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "name" }),
        "{err:?}"
    );
    RoleRepo::create(&store, fx_role(other.id, "custom"), T0, fx_audit())
        .await
        .unwrap();
}

async fn updates_custom_roles(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    RoleRepo::create(&store, fx_role(org.id, "custom"), T0, fx_audit())
        .await
        .unwrap();

    let mut input = fx_role(org.id, "Custom");
    input.display_name = "Renamed".into();
    input.organization_permissions =
        vec![Permission::allow(ResourceType::Template, Action::Create)];
    let updated = RoleRepo::update(&store, input.clone(), t(1), fx_audit())
        .await
        .unwrap();
    assert_eq!(updated.display_name, "Renamed");
    assert_eq!(
        updated.organization_permissions,
        input.organization_permissions
    );
    assert_eq!((updated.created_at, updated.updated_at), (T0, t(1)));
    assert_eq!(
        RoleRepo::find(&store, org.id, "custom").await.unwrap(),
        Some(updated)
    );

    let err = RoleRepo::update(&store, fx_role(org.id, "missing"), t(2), fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "role" }),
        "{err:?}"
    );
}

async fn deleting_a_role_removes_it_from_members_of_its_organization(db: DatabaseConnection) {
    // Setup: the role name is held in two organizations.
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let other = fx_org(&store, "other").await;
    let alice = fx_user(&store, "alice").await;
    let bob = fx_user(&store, "bob").await;
    for o in [org.id, other.id] {
        RoleRepo::create(&store, fx_role(o, "custom"), T0, fx_audit())
            .await
            .unwrap();
        for u in [alice.id, bob.id] {
            store.add(o, u, T0, fx_audit()).await.unwrap();
        }
    }
    store
        .set_roles(
            org.id,
            alice.id,
            vec!["custom".into(), "organization-admin".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    store
        .set_roles(org.id, bob.id, vec!["custom".into()], T0, fx_audit())
        .await
        .unwrap();
    store
        .set_roles(other.id, alice.id, vec!["custom".into()], T0, fx_audit())
        .await
        .unwrap();

    // Exec
    RoleRepo::delete(&store, org.id, "CUSTOM", fx_audit())
        .await
        .unwrap();

    // Check
    assert!(
        RoleRepo::find(&store, org.id, "custom")
            .await
            .unwrap()
            .is_none()
    );
    let roles = |o, u| {
        let store = store.clone();
        async move {
            MemberRepo::find(&store, o, u)
                .await
                .unwrap()
                .unwrap()
                .membership
                .roles
        }
    };
    assert_eq!(roles(org.id, alice.id).await, vec!["organization-admin"]);
    assert!(roles(org.id, bob.id).await.is_empty());
    assert_eq!(roles(other.id, alice.id).await, vec!["custom"]);
    // Those come from the role lists kept on the membership rows; the role table agrees.
    for (o, u) in [(org.id, alice.id), (org.id, bob.id), (other.id, alice.id)] {
        let held = store
            .memberships_of(u)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.organization_id == o)
            .unwrap()
            .roles;
        assert_eq!(roles(o, u).await, held);
    }
    assert!(
        RoleRepo::find(&store, other.id, "custom")
            .await
            .unwrap()
            .is_some()
    );
    let err = RoleRepo::delete(&store, org.id, "custom", fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "role" }),
        "{err:?}"
    );
}
